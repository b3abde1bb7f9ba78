package dev.weft.linux;

import dev.weft.linux.internal.Syscalls;
import java.util.Collection;

/**
 * A network namespace whose name is gone but which is still held open (see
 * {@link Namespaces#deleteName}); closing it lets the kernel destroy the namespace and its
 * interfaces once nothing else holds it.
 */
public final class HeldNamespace implements AutoCloseable {
    private final String name;
    private int fd;

    HeldNamespace(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** The name it had. */
    public String name() {
        return name;
    }

    /** Lets go of the namespace. Idempotent. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Syscalls.close(fd);
            fd = -1;
        }
    }

    /** Lets go of all of them, back to back, so that the kernel destroys them in one pass. */
    public static void closeAll(Collection<HeldNamespace> held) {
        held.forEach(HeldNamespace::close);
    }

    @Override
    public String toString() {
        return "held namespace " + name;
    }
}
