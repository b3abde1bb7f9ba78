package dev.weft.spi;

import dev.weft.net.InterfaceAddress;
import java.util.Objects;

/**
 * An address an {@link IpamDriver} now holds for the caller.
 *
 * @param address the address with the pool's prefix length, e.g. {@code 10.1.0.2/24}, ready to be
 *                put on an interface
 */
public record AddressAllocation(InterfaceAddress address) {

    public AddressAllocation {
        Objects.requireNonNull(address, "address");
    }
}
