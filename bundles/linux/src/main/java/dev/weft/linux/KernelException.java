package dev.weft.linux;

import dev.weft.linux.internal.Errno;

/**
 * The kernel refused an operation. Carries the errno, what was attempted, on which object, and the
 * kernel's extended-ack text when it gave one, e.g.
 * {@code cannot create link "br-1a2b": EEXIST (File exists)} or
 * {@code cannot create link "x0": EOPNOTSUPP (Operation not supported): Unknown device type}.
 */
public class KernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;
    private final String object;
    private final String kernelMessage;

    public KernelException(int errno, String operation, String object, String kernelMessage) {
        super(format(errno, operation, object, kernelMessage));
        this.errno = Math.abs(errno);
        this.operation = operation;
        this.object = object;
        this.kernelMessage = kernelMessage;
    }

    public KernelException(int errno, String operation, String object, String kernelMessage, Throwable cause) {
        this(errno, operation, object, kernelMessage);
        initCause(cause);
    }

    private static String format(int errno, String operation, String object, String kernelMessage) {
        StringBuilder sb = new StringBuilder("cannot ").append(operation);
        if (object != null) {
            sb.append(" \"").append(object).append('"');
        }
        sb.append(": ").append(Errno.name(errno)).append(" (").append(Errno.text(errno)).append(')');
        if (kernelMessage != null && !kernelMessage.isBlank()) {
            sb.append(": ").append(kernelMessage);
        }
        return sb.toString();
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EEXIST}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    public String operation() {
        return operation;
    }

    /** The object the operation was on (a link name, a namespace, a table), or null. */
    public String object() {
        return object;
    }

    /** The kernel's extended-ack text or other detail, or null when there is none. */
    public String kernelMessage() {
        return kernelMessage;
    }

    public boolean isExists() {
        return errno == Errno.EEXIST;
    }

    /** ENOENT, ENODEV or ESRCH: the object is not there. */
    public boolean isNotFound() {
        return errno == Errno.ENOENT || errno == Errno.ENODEV || errno == Errno.ESRCH;
    }

    public boolean isNotSupported() {
        return errno == Errno.EOPNOTSUPP || errno == Errno.EPROTONOSUPPORT || errno == Errno.EAFNOSUPPORT;
    }
}
