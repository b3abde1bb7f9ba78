package dev.weft.core.internal.ipam;

import dev.weft.net.IpPrefix;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A range the default IPAM carves automatic pools from, like an entry of Docker's
 * {@code default-address-pools}: {@code base} split into subnets of prefix length {@code size},
 * handed out in address order.
 *
 * @param base the range, e.g. {@code 172.20.0.0/14}
 * @param size the prefix length of each pool carved from it, e.g. 24; at least {@code base}'s length
 */
public record DefaultPool(IpPrefix base, int size) {

    public DefaultPool {
        Objects.requireNonNull(base, "base");
        int width = Addresses.width(base);
        if (size < base.length() || size > width) {
            throw new IllegalArgumentException("default address pool " + base + " cannot be split into /" + size
                    + ": the size must be between " + base.length() + " and " + width);
        }
    }

    /**
     * Weft's local-scope IPv4 defaults: {@code 172.17.0.0/16}, {@code 172.18.0.0/15},
     * {@code 172.20.0.0/14} and {@code 192.168.0.0/16}, each split into /24s: 2048 networks of 254
     * addresses, in that order.
     *
     * <p>Why: Docker's defaults (the same ranges, plus 172.24/14 and 172.28/14, split into /16s and
     * /20s) give 31 networks, and "could not find an available, non-overlapping IPv4 address pool"
     * (docker/for-linux#599) is one of its most reported problems; a /16 per network wastes 65,534
     * addresses on networks that rarely hold more than a few dozen containers. /24s keep the first
     * pool inside Docker's familiar 172.17.0.0/16. 172.16.0.0/16, 172.24.0.0/13 and 10.0.0.0/8 are
     * left out because VPNs and corporate networks use them most; pools that overlap a route of the
     * host are skipped anyway. Give a larger subnet explicitly when a network needs one.
     */
    public static List<DefaultPool> defaults() {
        return List.of(
                new DefaultPool(IpPrefix.parse("172.17.0.0/16"), 24),
                new DefaultPool(IpPrefix.parse("172.18.0.0/15"), 24),
                new DefaultPool(IpPrefix.parse("172.20.0.0/14"), 24),
                new DefaultPool(IpPrefix.parse("192.168.0.0/16"), 24));
    }

    /** Global-scope (overlay) IPv4 defaults, as Docker's: {@code 10.0.0.0/8} split into /24s (65,536 networks). */
    public static List<DefaultPool> globalDefaults() {
        return List.of(new DefaultPool(IpPrefix.parse("10.0.0.0/8"), 24));
    }

    /** The IPv6 default: {@code prefix} (normally a ULA /48 from {@link #randomUla()}) split into /64s. */
    public static DefaultPool ipv6(IpPrefix prefix) {
        if (prefix.isIpv4() || prefix.length() > 64) {
            throw new IllegalArgumentException("the IPv6 default address pool " + prefix
                    + " must be an IPv6 prefix of length 64 or less, such as a ULA /48 like fd12:3456:789a::/48");
        }
        return new DefaultPool(prefix, 64);
    }

    /**
     * A new random RFC 4193 unique local prefix {@code fdXX:XXXX:XXXX::/48} (40 random bits of global
     * id), for the caller to generate once and persist: the IPv6 subnets of the networks come from
     * it, so it must stay the same across restarts.
     */
    public static IpPrefix randomUla() {
        return randomUla(new SecureRandom());
    }

    /** {@link #randomUla()} with the given source of randomness (tests). */
    public static IpPrefix randomUla(RandomGenerator random) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        long globalId = random.nextLong() & 0xff_ffff_ffffL;
        for (int i = 0; i < 5; i++) {
            a[1 + i] = (byte) (globalId >>> (8 * (4 - i)));
        }
        try {
            return new IpPrefix(Inet6Address.getByAddress(null, a, -1), 48);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many pools this range gives. */
    public BigInteger poolCount() {
        return BigInteger.ONE.shiftLeft(size - base.length());
    }

    boolean isIpv6() {
        return !base.isIpv4();
    }

    @Override
    public String toString() {
        return base + " split into /" + size + "s";
    }
}
