package dev.weft.linux;

import dev.weft.linux.internal.Errno;

/**
 * The kernel refused an element batch; nothing of the batch was applied. Names the element (or
 * the set or table) the kernel pointed at, e.g.
 * {@code cannot add element tcp . 8080 : 10.1.0.2 . 80 to map inet weft pub_any: EEXIST (File exists)} or
 * {@code cannot add element tcp . 8080 : 10.1.0.2 . 80 to map inet weft pub_any: ENOENT (No such file or directory): no set "inet weft pub_any"}.
 */
public class NftElementException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final String detail;

    /**
     * @param operation what was attempted, e.g. {@code add element}
     * @param object    the element and set, e.g. {@code tcp . 8080 to set inet weft pub_any}; null for the whole batch
     * @param detail    what the error means here (e.g. {@code no set "inet weft x"}), or null
     * @param kernelMessage the kernel's extended-ack text, or null (nf_tables gives none for element errors)
     */
    public NftElementException(int errno, String operation, String object, String detail, String kernelMessage) {
        super(errno, operation, object, kernelMessage);
        this.detail = detail;
    }

    /** What the error means for this batch, e.g. {@code no set "inet weft pub_any"}; null when nothing more is known. */
    public String detail() {
        return detail;
    }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder("cannot ").append(operation());
        if (object() != null) {
            sb.append(' ').append(object());
        }
        sb.append(": ").append(Errno.name(errno())).append(" (").append(Errno.text(errno())).append(')');
        if (detail != null && !detail.isBlank()) {
            sb.append(": ").append(detail);
        }
        if (kernelMessage() != null && !kernelMessage().isBlank()) {
            sb.append(": kernel says \"").append(kernelMessage()).append('"');
        }
        return sb.toString();
    }
}
