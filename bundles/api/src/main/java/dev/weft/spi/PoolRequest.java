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
 */
public record PoolRequest(String addressSpace, IpPrefix pool, IpPrefix subPool, boolean ipv6,
                          Map<String, String> options) {

    public PoolRequest {
        Objects.requireNonNull(addressSpace, "addressSpace");
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** Any free pool of the family, picked by the driver. */
    public static PoolRequest automatic(String addressSpace, boolean ipv6) {
        return new PoolRequest(addressSpace, null, null, ipv6, Map.of());
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
