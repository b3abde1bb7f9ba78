package dev.weft.linux;

import dev.weft.linux.internal.Errno;
import dev.weft.linux.internal.LibC;
import dev.weft.linux.internal.Syscalls;
import dev.weft.net.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A host port held by a socket that is bound but not listening: no host process can bind the port
 * meanwhile, and a connection that reaches the port itself (no DNAT in force: firewall off, ruleset
 * flushed) is refused at once instead of hanging in a backlog nobody accepts. Made in the host
 * namespace by {@link Kernel#reservePort}; closing it frees the port.
 */
public final class PortReservation implements AutoCloseable {
    private final String protocol;
    private final InetAddress address;
    private final int port;
    private int fd;

    private PortReservation(String protocol, InetAddress address, int port, int fd) {
        this.protocol = protocol;
        this.address = address;
        this.port = port;
        this.fd = fd;
    }

    /**
     * Binds {@code protocol} ({@code tcp} or {@code udp}) {@code port} (0: a free one the kernel
     * picks) on {@code address}, or on every address (IPv4 and IPv6) when it is null. Must run on a
     * thread inside the namespace the port belongs to.
     *
     * @throws KernelException EADDRINUSE when something holds the port
     */
    static PortReservation bind(String protocol, InetAddress address, int port) {
        int type = switch (protocol) {
            case "tcp" -> LibC.SOCK_STREAM;
            case "udp" -> LibC.SOCK_DGRAM;
            default -> throw new IllegalArgumentException("protocol \"" + protocol + "\" cannot be reserved by a socket: use tcp or udp");
        };
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
        boolean v4 = address instanceof Inet4Address;
        int family = v4 ? LibC.AF_INET : LibC.AF_INET6;
        String what = protocol + " port " + (address == null ? "" : IpAddresses.format(address) + ":") + port;
        int fd;
        try {
            fd = Syscalls.socket(family, type | LibC.SOCK_CLOEXEC);
        } catch (Syscalls.Failure e) {
            throw new KernelException(e.errno(), "reserve", what, null, e);
        }
        try {
            if (!v4) {
                Syscalls.setsockopt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, address == null ? 0 : 1);
            }
            byte[] sa = sockaddr(family, address, port);
            Syscalls.bind(fd, sa);
            byte[] out = new byte[28];
            Syscalls.getsockname(fd, out);
            int bound = ((out[2] & 0xff) << 8) | (out[3] & 0xff);
            return new PortReservation(protocol, address, bound, fd);
        } catch (Syscalls.Failure e) {
            Syscalls.close(fd);
            throw new KernelException(e.errno(), "reserve", what,
                    e.errno() == Errno.EADDRINUSE ? "something else holds it" : null, e);
        }
    }

    private static byte[] sockaddr(int family, InetAddress address, int port) {
        byte[] sa = new byte[family == LibC.AF_INET ? 16 : 28];
        sa[0] = (byte) family; // sa_family is host order (little-endian here)
        sa[1] = (byte) (family >> 8);
        sa[2] = (byte) (port >> 8); // port in network order
        sa[3] = (byte) port;
        if (address != null) {
            byte[] raw = address.getAddress();
            System.arraycopy(raw, 0, sa, family == LibC.AF_INET ? 4 : 8, raw.length);
        }
        return sa;
    }

    public String protocol() {
        return protocol;
    }

    /** The address it is bound to, or null for every address. */
    public InetAddress address() {
        return address;
    }

    /** The port held (the kernel's pick when 0 was asked for). */
    public int port() {
        return port;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            try {
                Syscalls.close(fd);
            } catch (Syscalls.Failure ignored) {
                // gone either way
            }
            fd = -1;
        }
    }
}
