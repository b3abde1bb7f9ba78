package dev.weft.spi;

import java.util.Objects;

/**
 * The names of an IPAM driver's two default address spaces (libnetwork's
 * {@code GetDefaultAddressSpaces}). Pools in different address spaces are independent: they may
 * overlap. The controller puts local-scope networks (bridge, macvlan) in {@code local} and
 * global-scope networks (overlay) in {@code global}.
 *
 * @param local  the space for networks that exist on this host only
 * @param global the space for networks that span hosts
 */
public record AddressSpaces(String local, String global) {

    public AddressSpaces {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(global, "global");
        if (local.isBlank() || global.isBlank() || local.equals(global)) {
            throw new IllegalArgumentException("address spaces must be two different non-blank names, got \""
                    + local + "\" and \"" + global + "\"");
        }
    }

    /** True when {@code name} is one of the two. */
    public boolean contains(String name) {
        return local.equals(name) || global.equals(name);
    }
}
