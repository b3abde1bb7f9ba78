package dev.weft.spi;

import dev.weft.net.IpPrefix;
import java.util.Map;
import java.util.Objects;

/**
 * A request for an address pool (libnetwork's {@code RequestPool}). The record only guards against
 * nulls; the driver checks the rest (family, containment, options) and answers with an
 * {@link IpamException} of reason {@link IpamException.Reason#INVALID_REQUEST}.
 *
 * @param addressSpace one of the driver's {@link IpamDriver#addressSpaces()}
 * @param pool         the subnet wanted, or null to let the driver pick a free one
 * @param subPool      the ip-range: the part of {@code pool} that endpoints without a preferred address
 *                     get their addresses from, or null for the whole pool. Needs {@code pool}.
 * @param ipv6         whether an IPv6 pool is wanted; must agree with {@code pool} and {@code subPool}
 *                     when they are given
 * @param options      driver-specific options, never null (copied; empty when none)
 * @param prefixLength with {@code pool} null: the prefix length the picked subnet must have (Docker 29's
 *                     {@code --subnet 0.0.0.0/24} or {@code ::/64}), or 0 for the driver's own choice
 *                     of size. A driver gives a free subnet of exactly that length, or refuses: with
 *                     {@link IpamException.Reason#INVALID_REQUEST} when it cannot give subnets of that
 *                     length at all (its message names the length and what it can give), with
 *                     {@link IpamException.Reason#NO_FREE_POOL} when none is free now. It is 0 when
 *                     {@code pool} is given. A driver written before 0.7.0 does not see it and picks
 *                     its usual size: the controller then gives the pool back and refuses the request,
 *                     so a network never gets another size than the one asked for.
 * @since 0.7.0 (prefixLength)
 */
public record PoolRequest(String addressSpace, IpPrefix pool, IpPrefix subPool, boolean ipv6,
                          Map<String, String> options, int prefixLength) {

    public PoolRequest {
        Objects.requireNonNull(addressSpace, "addressSpace");
        options = options == null ? Map.of() : Map.copyOf(options);
        if (prefixLength < 0) {
            throw new IllegalArgumentException("prefixLength " + prefixLength + " is negative: give 0 for the driver's "
                    + "choice or the length wanted");
        }
    }

    /** A request without a required prefix length (the form before 0.7.0). */
    public PoolRequest(String addressSpace, IpPrefix pool, IpPrefix subPool, boolean ipv6, Map<String, String> options) {
        this(addressSpace, pool, subPool, ipv6, options, 0);
    }

    /** Any free pool of the family, picked by the driver. */
    public static PoolRequest automatic(String addressSpace, boolean ipv6) {
        return new PoolRequest(addressSpace, null, null, ipv6, Map.of());
    }

    /** Any free pool of the family with prefix length {@code prefixLength}, picked by the driver. */
    public static PoolRequest ofSize(String addressSpace, boolean ipv6, int prefixLength) {
        return new PoolRequest(addressSpace, null, null, ipv6, Map.of(), prefixLength);
    }

    /** True when this asks for a free pool of a given prefix length ({@link #prefixLength()} set, no pool). */
    public boolean sizeOnly() {
        return pool == null && prefixLength > 0;
    }

    /** Exactly {@code pool}, the whole of it for endpoints. */
    public static PoolRequest of(String addressSpace, IpPrefix pool) {
        return new PoolRequest(addressSpace, pool, null, !pool.isIpv4(), Map.of());
    }

    /** Exactly {@code pool}, endpoints without a preferred address taking theirs from {@code subPool}. */
    public static PoolRequest of(String addressSpace, IpPrefix pool, IpPrefix subPool) {
        return new PoolRequest(addressSpace, pool, subPool, !pool.isIpv4(), Map.of());
    }
}
