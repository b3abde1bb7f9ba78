package dev.weft.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A network prefix such as {@code 10.1.0.0/24}: the address has no host bits set.
 */
public record IpPrefix(InetAddress address, int length) {

    public IpPrefix {
        int max = address.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " is out of range 0-" + max);
        }
        address = mask(address, length);
    }

    /**
     * Parses {@code a.b.c.d/len} or {@code ipv6/len}. Host bits must be zero unless
     * {@code lenient}; the message names the value and what is accepted.
     */
    public static IpPrefix parse(String text) {
        InterfaceAddress ia = InterfaceAddress.parse(text);
        IpPrefix p = new IpPrefix(ia.address(), ia.prefixLength());
        if (!p.address().equals(ia.address())) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set: did you mean "
                    + p + "?");
        }
        return p;
    }

    public static IpPrefix defaultRoute(boolean ipv6) {
        return ipv6 ? parse("::/0") : parse("0.0.0.0/0");
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public boolean isDefault() {
        return length == 0;
    }

    public boolean contains(InetAddress a) {
        if (a.getAddress().length != address.getAddress().length) {
            return false;
        }
        return mask(a, length).equals(address);
    }

    /** True when either prefix contains the other. */
    public boolean overlaps(IpPrefix other) {
        return other.isIpv4() == isIpv4() && (contains(other.address) || other.contains(address));
    }

    /** The {@code n}th address in the prefix (0 is the network address). */
    public InetAddress addressAt(BigInteger n) {
        byte[] base = address.getAddress();
        BigInteger v = new BigInteger(1, base).add(n);
        byte[] raw = v.toByteArray();
        byte[] out = new byte[base.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static InetAddress mask(InetAddress a, int length) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int bits = Math.max(0, Math.min(8, length - i * 8));
            b[i] &= (byte) (0xff << (8 - bits));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return IpAddresses.format(address) + "/" + length;
    }
}
