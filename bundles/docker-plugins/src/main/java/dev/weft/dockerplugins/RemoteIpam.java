package dev.weft.dockerplugins;

import dev.weft.net.InterfaceAddress;
import dev.weft.spi.AddressAllocation;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.net.InetAddress;
import java.util.logging.Logger;

/**
 * A Docker IPAM plugin as a Weft {@link IpamDriver}: libnetwork's remote IPAM. Its address spaces
 * are asked once, when it is activated. A refusal ({@code {"Err": ...}}) becomes an
 * {@link IpamException} carrying the plugin's words; a plugin that cannot be reached, hangs or
 * answers garbage fails the call with a {@link PluginCallException}. An answer Weft cannot use (a
 * pool other than the one asked for, an address outside the pool or not the preferred one) is given
 * back to the plugin at once and refused, so it holds nothing for Weft that Weft does not know of.
 *
 * <p>The protocol cannot ask for a pool of a given size (Docker 29's {@code --subnet 0.0.0.0/24}):
 * such a request is refused.
 */
final class RemoteIpam implements IpamDriver {
    private static final Logger LOG = Logger.getLogger(RemoteIpam.class.getName());

    private final PluginClient plugin;
    private final AddressSpaces spaces;

    RemoteIpam(PluginClient plugin, AddressSpaces spaces) {
        this.plugin = plugin;
        this.spaces = spaces;
    }

    String pluginName() {
        return plugin.name();
    }

    @Override
    public AddressSpaces addressSpaces() {
        return spaces;
    }

    @Override
    public PoolAllocation requestPool(PoolRequest request) {
        if (request.sizeOnly()) {
            throw new IpamException(IpamException.Reason.INVALID_REQUEST, "Docker IPAM plugin \"" + plugin.name()
                    + "\" cannot be asked for a subnet of a given size (/" + request.prefixLength() + "): Docker's "
                    + "plugin protocol has no such request; give the subnet itself, or none to take the plugin's choice");
        }
        IpamApi.Pool pool;
        try {
            pool = plugin.call(IpamApi.REQUEST_POOL, IpamApi.requestPool(request), IpamApi::pool);
        } catch (PluginCallException e) {
            throw refusal(e, request.pool() != null ? "pool " + request.pool() : "a pool");
        }
        String wrong = null;
        if (request.pool() != null && !request.pool().equals(pool.pool())) {
            wrong = "answered pool " + pool.pool() + " where " + request.pool() + " was asked for";
        } else if (pool.pool().isIpv4() == request.ipv6()) {
            wrong = "answered pool " + pool.pool() + " where an " + (request.ipv6() ? "IPv6" : "IPv4") + " pool was asked for";
        } else if (pool.gateway() != null && !pool.pool().contains(pool.gateway())) {
            wrong = "answered gateway " + Json.format(pool.gateway()) + " outside its pool " + pool.pool();
        }
        if (wrong != null) {
            giveBack(() -> plugin.call(IpamApi.RELEASE_POOL, IpamApi.pool(pool.id())), "pool " + pool.id());
            throw new PluginCallException(PluginCallException.Kind.GARBAGE, "Docker IPAM plugin \"" + plugin.name()
                    + "\": " + IpamApi.REQUEST_POOL + " " + wrong + "; Weft gave it back", null, null);
        }
        return new PoolAllocation(pool.id(), pool.pool(), pool.gateway());
    }

    @Override
    public void releasePool(PoolId pool) {
        try {
            plugin.call(IpamApi.RELEASE_POOL, IpamApi.pool(pool));
        } catch (PluginCallException e) {
            throw refusal(e, "pool " + pool);
        }
    }

    @Override
    public AddressAllocation requestAddress(PoolId pool, AddressRequest request) {
        InterfaceAddress a;
        try {
            a = plugin.call(IpamApi.REQUEST_ADDRESS, IpamApi.requestAddress(pool, request), IpamApi::address);
        } catch (PluginCallException e) {
            throw refusal(e, request.preferred() != null ? "address " + Json.format(request.preferred()) + " of pool "
                    + pool : "an address of pool " + pool);
        }
        if (request.preferred() != null && !request.preferred().equals(a.address())) {
            giveBack(() -> plugin.call(IpamApi.RELEASE_ADDRESS, IpamApi.releaseAddress(pool, a.address())),
                    "address " + a);
            throw new PluginCallException(PluginCallException.Kind.GARBAGE, "Docker IPAM plugin \"" + plugin.name()
                    + "\": " + IpamApi.REQUEST_ADDRESS + " answered " + a + " where " + Json.format(request.preferred())
                    + " was asked for; Weft gave it back", null, null);
        }
        return new AddressAllocation(a);
    }

    @Override
    public void releaseAddress(PoolId pool, InetAddress address) {
        try {
            plugin.call(IpamApi.RELEASE_ADDRESS, IpamApi.releaseAddress(pool, address));
        } catch (PluginCallException e) {
            throw refusal(e, "address " + Json.format(address) + " of pool " + pool);
        }
    }

    /** The plugin's {@code Err} as an IPAM refusal (Weft's callers react to those); other failures as they are. */
    private RuntimeException refusal(PluginCallException e, String what) {
        if (e.kind() != PluginCallException.Kind.REFUSED) {
            return e;
        }
        IpamException x = new IpamException(IpamException.Reason.INVALID_REQUEST, "Docker IPAM plugin \""
                + plugin.name() + "\" refused " + what + ": " + e.pluginMessage());
        x.initCause(e);
        return x;
    }

    private void giveBack(Runnable call, String what) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warning("Docker IPAM plugin \"" + plugin.name() + "\": could not give back " + what + ": "
                    + e.getMessage());
        }
    }
}
