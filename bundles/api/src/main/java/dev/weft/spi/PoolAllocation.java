package dev.weft.spi;

import dev.weft.net.IpPrefix;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A pool an {@link IpamDriver} now holds for the caller.
 *
 * @param id      the pool's id, to pass to the address calls and to {@link IpamDriver#releasePool}
 * @param pool    the subnet: the one requested, or the one the driver picked
 * @param gateway the driver's suggestion for the gateway, normally the pool's first usable address;
 *                null when the pool has no room for one (a single address). Not reserved: the
 *                controller requests it (or the gateway the user gave) with
 *                {@link AddressRequest#gateway}.
 */
public record PoolAllocation(PoolId id, IpPrefix pool, InetAddress gateway) {

    public PoolAllocation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pool, "pool");
    }
}
