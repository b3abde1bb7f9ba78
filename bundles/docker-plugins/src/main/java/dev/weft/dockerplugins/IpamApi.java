package dev.weft.dockerplugins;

import com.google.gson.JsonObject;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.net.InetAddress;
import java.util.Map;

/**
 * The requests and answers of libnetwork's remote IPAM driver ({@code ipams/remote/api}), with
 * Docker's field names. Reading an answer of the wrong shape throws {@link Json.Shape}.
 */
final class IpamApi {
    private IpamApi() {}

    static final String PREFIX = "IpamDriver.";
    static final String GET_CAPABILITIES = PREFIX + "GetCapabilities";
    static final String GET_DEFAULT_ADDRESS_SPACES = PREFIX + "GetDefaultAddressSpaces";
    static final String REQUEST_POOL = PREFIX + "RequestPool";
    static final String RELEASE_POOL = PREFIX + "ReleasePool";
    static final String REQUEST_ADDRESS = PREFIX + "RequestAddress";
    static final String RELEASE_ADDRESS = PREFIX + "ReleaseAddress";

    /** Docker's option telling the plugin which address is the gateway ({@code ipamapi.RequestAddressType}). */
    static final String REQUEST_ADDRESS_TYPE = "RequestAddressType";
    /** Its value for a gateway, and the key of a pool's gateway in {@code RequestPool}'s {@code Data}. */
    static final String GATEWAY = "com.docker.network.gateway";

    /** {@code GetCapabilities}: {@code {"RequiresMACAddress", "RequiresRequestReplay"}}. */
    record Capabilities(boolean requiresMacAddress, boolean requiresRequestReplay) {}

    /** {@code RequestPool}'s answer: {@code {"PoolID", "Pool", "Data"}}; the gateway from Data, or null. */
    record Pool(PoolId id, IpPrefix pool, InetAddress gateway) {}

    static JsonObject requestPool(PoolRequest r) {
        JsonObject o = new JsonObject();
        o.addProperty("AddressSpace", r.addressSpace());
        o.addProperty("Pool", r.pool() == null ? "" : r.pool().toString());
        o.addProperty("SubPool", r.subPool() == null ? "" : r.subPool().toString());
        o.add("Options", Json.strings(r.options()));
        o.addProperty("V6", r.ipv6());
        return o;
    }

    static JsonObject pool(PoolId id) {
        JsonObject o = new JsonObject();
        o.addProperty("PoolID", id.value());
        return o;
    }

    /** {@code {"PoolID", "Address", "Options"}}: Address "" lets the plugin pick; a gateway is marked in Options. */
    static JsonObject requestAddress(PoolId id, AddressRequest r) {
        JsonObject o = pool(id);
        o.addProperty("Address", Json.format(r.preferred()));
        o.add("Options", Json.strings(r.kind() == AddressRequest.Kind.GATEWAY
                ? Map.of(REQUEST_ADDRESS_TYPE, GATEWAY) : Map.of()));
        return o;
    }

    /** {@code {"PoolID", "Address"}}, the address without a prefix length, as Docker sends it. */
    static JsonObject releaseAddress(PoolId id, InetAddress a) {
        JsonObject o = pool(id);
        o.addProperty("Address", Json.format(a));
        return o;
    }

    static Capabilities capabilities(JsonObject o) {
        return new Capabilities(Json.bool(o, "RequiresMACAddress"), Json.bool(o, "RequiresRequestReplay"));
    }

    /** {@code {"LocalDefaultAddressSpace", "GlobalDefaultAddressSpace"}}. */
    static AddressSpaces addressSpaces(JsonObject o) {
        String local = Json.string(o, "LocalDefaultAddressSpace"), global = Json.string(o, "GlobalDefaultAddressSpace");
        try {
            return new AddressSpaces(local == null ? "" : local, global == null ? "" : global);
        } catch (IllegalArgumentException e) {
            throw new Json.Shape("\"LocalDefaultAddressSpace\" \"" + local + "\" and \"GlobalDefaultAddressSpace\" \""
                    + global + "\" must be two different names");
        }
    }

    static Pool pool(JsonObject o) {
        String id = Json.string(o, "PoolID");
        if (id == null || id.isEmpty()) {
            throw new Json.Shape("no \"PoolID\"");
        }
        PoolId poolId;
        try {
            poolId = PoolId.parse(id);
        } catch (IllegalArgumentException e) {
            throw new Json.Shape("\"PoolID\" \"" + id + "\" cannot be kept: " + e.getMessage());
        }
        IpPrefix pool = Json.prefix(o, "Pool");
        if (pool == null) {
            throw new Json.Shape("no \"Pool\"");
        }
        JsonObject data = Json.object(o, "Data");
        InetAddress gateway = data == null ? null : Json.address(data, GATEWAY);
        return new Pool(poolId, pool, gateway);
    }

    /** {@code {"Address": "10.1.0.2/24", "Data"}}. */
    static InterfaceAddress address(JsonObject o) {
        InterfaceAddress a = Json.cidr(o, "Address");
        if (a == null) {
            throw new Json.Shape("no \"Address\"");
        }
        return a;
    }
}
