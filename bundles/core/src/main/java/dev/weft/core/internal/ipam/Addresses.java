package dev.weft.core.internal.ipam;

import dev.weft.net.IpPrefix;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Addresses as unsigned integers, so that pools and offsets are plain arithmetic. */
final class Addresses {
    private Addresses() {}

    static BigInteger toInteger(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    /**
     * The address for {@code value}. IPv6 results are always {@link Inet6Address}, also for
     * {@code ::ffff:a.b.c.d}, which {@link InetAddress#getByAddress(byte[])} would turn into IPv4.
     */
    static InetAddress toAddress(BigInteger value, boolean ipv6) {
        int len = ipv6 ? 16 : 4;
        byte[] raw = value.toByteArray();
        byte[] out = new byte[len];
        int copy = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
        try {
            return ipv6 ? Inet6Address.getByAddress(null, out, -1) : InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static int width(IpPrefix p) {
        return p.isIpv4() ? 32 : 128;
    }

    static boolean isIpv6(InetAddress a) {
        return !(a instanceof Inet4Address);
    }

    /** The number of addresses in {@code p}. */
    static BigInteger size(IpPrefix p) {
        return BigInteger.ONE.shiftLeft(width(p) - p.length());
    }

    static BigInteger first(IpPrefix p) {
        return toInteger(p.address());
    }

    static BigInteger last(IpPrefix p) {
        return first(p).add(size(p)).subtract(BigInteger.ONE);
    }

    /** The prefix of {@code length} that starts at {@code start} (which must be aligned to it). */
    static IpPrefix prefixAt(BigInteger start, int length, boolean ipv6) {
        return new IpPrefix(toAddress(start, ipv6), length);
    }
}
