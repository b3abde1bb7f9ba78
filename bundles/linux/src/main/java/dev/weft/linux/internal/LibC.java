package dev.weft.linux.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The libc calls Weft needs, bound with JNA direct mapping (faster than interface proxies).
 * Every call throws {@link LastErrorException} so errno is captured right after the call,
 * before JVM activity can overwrite it. Nothing outside this package calls JNA.
 */
public final class LibC {
    static {
        Native.register("c");
    }

    private LibC() {}

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;
    public static final int MSG_DONTWAIT = 0x40;

    public static final int O_RDONLY = 0;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_CLOEXEC = 02000000;

    public static final int CLONE_NEWNET = 0x40000000;

    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    public static native int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

    public static native int setsockopt(int fd, int level, int name, long[] value, int len) throws LastErrorException;

    public static native int bind(int fd, byte[] addr, int len) throws LastErrorException;

    public static native int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException;

    public static native NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrLen)
            throws LastErrorException;

    public static native NativeLong recv(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int open(String path, int flags, int mode) throws LastErrorException;

    public static native int setns(int fd, int nstype) throws LastErrorException;

    public static native int unshare(int flags) throws LastErrorException;

    public static native int mount(String source, String target, String fstype, NativeLong flags, Pointer data)
            throws LastErrorException;

    public static native int umount2(String target, int flags) throws LastErrorException;
}
