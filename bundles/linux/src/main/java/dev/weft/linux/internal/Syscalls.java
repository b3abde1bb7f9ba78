package dev.weft.linux.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;

/**
 * The system calls the exported kernel-layer classes make directly, with errno carried by a
 * plain exception ({@link Failure}) instead of JNA's: so the exported package {@code dev.weft.linux}
 * references no JNA type and its clients wire nothing of JNA.
 */
public final class Syscalls {
    private Syscalls() {}

    /** A failed system call and its errno. */
    public static final class Failure extends RuntimeException {
        private final int errno;

        Failure(LastErrorException e) {
            super(e.getMessage(), e);
            this.errno = e.getErrorCode();
        }

        public int errno() {
            return errno;
        }
    }

    public static int open(String path, int flags) {
        try {
            return LibC.open(path, flags, 0);
        } catch (LastErrorException e) {
            throw new Failure(e);
        }
    }

    public static void close(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            throw new Failure(e);
        }
    }

    /** mount(2) without a file system type or data: bind mounts and propagation changes. */
    public static void mount(String source, String target, long flags) {
        try {
            LibC.mount(source, target, "none", new NativeLong(flags), null);
        } catch (LastErrorException e) {
            throw new Failure(e);
        }
    }

    public static void umount2(String target, int flags) {
        try {
            LibC.umount2(target, flags);
        } catch (LastErrorException e) {
            throw new Failure(e);
        }
    }

    public static int socket(int domain, int type) {
        try {
            return LibC.socket(domain, type, 0);
        } catch (LastErrorException e) {
            throw new Failure(e);
        }
    }

    /** An int-valued socket option. */
    public static void setsockopt(int fd, int level, int name, int value) {
        try {
            LibC.setsockopt(fd, level, name, new int[] {value}, 4);
        } catch (LastErrorException e) {
            throw new Failure(e);
        }
    }

    public static void bind(int fd, byte[] sockaddr) {
        try {
            LibC.bind(fd, sockaddr, sockaddr.length);
        } catch (LastErrorException e) {
            throw new Failure(e);
        }
    }

    /** Fills {@code sockaddr} with the socket's own address. */
    public static void getsockname(int fd, byte[] sockaddr) {
        try {
            LibC.getsockname(fd, sockaddr, new int[] {sockaddr.length});
        } catch (LastErrorException e) {
            throw new Failure(e);
        }
    }
}
