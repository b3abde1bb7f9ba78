package dev.weft.core.internal.ipam;

import dev.weft.spi.AddressAllocation;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.net.InetAddress;

/**
 * The {@code null} IPAM driver (Docker's {@code null} IPAM): it gives no addresses. The controller
 * does not call it at all: a network that names it gets no subnets and its endpoints no addresses
 * ({@code Networks}). It is an object only so that it is listed and looked up like any other IPAM
 * driver; a call that reaches it anyway is refused, and releases (idempotent) do nothing.
 */
public final class NullIpam implements IpamDriver {
    private static final AddressSpaces SPACES = new AddressSpaces("null-local", "null-global");

    @Override
    public AddressSpaces addressSpaces() {
        return SPACES;
    }

    @Override
    public PoolAllocation requestPool(PoolRequest request) {
        throw refusal();
    }

    @Override
    public void releasePool(PoolId pool) {
        // it holds none
    }

    @Override
    public AddressAllocation requestAddress(PoolId pool, AddressRequest request) {
        throw refusal();
    }

    @Override
    public void releaseAddress(PoolId pool, InetAddress address) {
        // it holds none
    }

    private static IpamException refusal() {
        return new IpamException(IpamException.Reason.INVALID_REQUEST, "the IPAM driver \"" + NULL
                + "\" gives no addresses; choose another --ipam-driver for a network with subnets");
    }
}
