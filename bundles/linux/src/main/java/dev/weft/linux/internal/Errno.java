package dev.weft.linux.internal;

import java.util.HashMap;
import java.util.Map;

/** Linux errno numbers (asm-generic) with their symbolic names and glibc's texts. */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
            EACCES = 13, EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOSPC = 28, ERANGE = 34,
            ENOTEMPTY = 39, ERESTART = 85, EMSGSIZE = 90, EPROTONOSUPPORT = 93, EOPNOTSUPP = 95,
            EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETUNREACH = 101, ENOBUFS = 105,
            ETIMEDOUT = 110, EHOSTUNREACH = 113;

    private record Entry(String name, String text) {}

    private static final Map<Integer, Entry> TABLE = new HashMap<>();

    private static void e(int n, String name, String text) {
        TABLE.put(n, new Entry(name, text));
    }

    static {
        e(1, "EPERM", "Operation not permitted");
        e(2, "ENOENT", "No such file or directory");
        e(3, "ESRCH", "No such process");
        e(4, "EINTR", "Interrupted system call");
        e(5, "EIO", "Input/output error");
        e(6, "ENXIO", "No such device or address");
        e(7, "E2BIG", "Argument list too long");
        e(9, "EBADF", "Bad file descriptor");
        e(11, "EAGAIN", "Resource temporarily unavailable");
        e(12, "ENOMEM", "Cannot allocate memory");
        e(13, "EACCES", "Permission denied");
        e(14, "EFAULT", "Bad address");
        e(16, "EBUSY", "Device or resource busy");
        e(17, "EEXIST", "File exists");
        e(18, "EXDEV", "Invalid cross-device link");
        e(19, "ENODEV", "No such device");
        e(20, "ENOTDIR", "Not a directory");
        e(21, "EISDIR", "Is a directory");
        e(22, "EINVAL", "Invalid argument");
        e(23, "ENFILE", "Too many open files in system");
        e(24, "EMFILE", "Too many open files");
        e(25, "ENOTTY", "Inappropriate ioctl for device");
        e(28, "ENOSPC", "No space left on device");
        e(30, "EROFS", "Read-only file system");
        e(31, "EMLINK", "Too many links");
        e(34, "ERANGE", "Numerical result out of range");
        e(35, "EDEADLK", "Resource deadlock avoided");
        e(36, "ENAMETOOLONG", "File name too long");
        e(38, "ENOSYS", "Function not implemented");
        e(39, "ENOTEMPTY", "Directory not empty");
        e(40, "ELOOP", "Too many levels of symbolic links");
        e(42, "ENOMSG", "No message of desired type");
        e(61, "ENODATA", "No data available");
        e(71, "EPROTO", "Protocol error");
        e(74, "EBADMSG", "Bad message");
        e(75, "EOVERFLOW", "Value too large for defined data type");
        e(76, "ENOTUNIQ", "Name not unique on network");
        e(85, "ERESTART", "Interrupted system call should be restarted");
        e(88, "ENOTSOCK", "Socket operation on non-socket");
        e(90, "EMSGSIZE", "Message too long");
        e(93, "EPROTONOSUPPORT", "Protocol not supported");
        e(94, "ESOCKTNOSUPPORT", "Socket type not supported");
        e(95, "EOPNOTSUPP", "Operation not supported");
        e(97, "EAFNOSUPPORT", "Address family not supported by protocol");
        e(98, "EADDRINUSE", "Address already in use");
        e(99, "EADDRNOTAVAIL", "Cannot assign requested address");
        e(100, "ENETDOWN", "Network is down");
        e(101, "ENETUNREACH", "Network is unreachable");
        e(105, "ENOBUFS", "No buffer space available");
        e(106, "EISCONN", "Transport endpoint is already connected");
        e(107, "ENOTCONN", "Transport endpoint is not connected");
        e(110, "ETIMEDOUT", "Connection timed out");
        e(111, "ECONNREFUSED", "Connection refused");
        e(113, "EHOSTUNREACH", "No route to host");
        e(114, "EALREADY", "Operation already in progress");
        e(125, "ECANCELED", "Operation canceled");
    }

    private Errno() {}

    /** The symbolic name, e.g. {@code EEXIST}, or {@code errno 200} for one this table lacks. */
    public static String name(int errno) {
        Entry e = TABLE.get(Math.abs(errno));
        return e != null ? e.name() : "errno " + Math.abs(errno);
    }

    /** glibc's text, e.g. {@code File exists}. */
    public static String text(int errno) {
        Entry e = TABLE.get(Math.abs(errno));
        return e != null ? e.text() : "Unknown error " + Math.abs(errno);
    }
}
