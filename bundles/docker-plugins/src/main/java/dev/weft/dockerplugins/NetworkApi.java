package dev.weft.dockerplugins;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.api.PortBinding;
import dev.weft.api.SubnetInfo;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.Scope;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The requests and answers of libnetwork's remote network driver ({@code drivers/remote/api}), with
 * Docker's field names: requests built from what Weft's SPI hands a driver, answers read into
 * records. Reading an answer of the wrong shape throws {@link Json.Shape} naming the member.
 */
final class NetworkApi {
    private NetworkApi() {}

    static final String PREFIX = "NetworkDriver.";
    static final String GET_CAPABILITIES = PREFIX + "GetCapabilities";
    static final String CREATE_NETWORK = PREFIX + "CreateNetwork";
    static final String DELETE_NETWORK = PREFIX + "DeleteNetwork";
    static final String CREATE_ENDPOINT = PREFIX + "CreateEndpoint";
    static final String DELETE_ENDPOINT = PREFIX + "DeleteEndpoint";
    static final String JOIN = PREFIX + "Join";
    static final String LEAVE = PREFIX + "Leave";
    static final String DISCOVER_NEW = PREFIX + "DiscoverNew";
    static final String DISCOVER_DELETE = PREFIX + "DiscoverDelete";
    static final String PROGRAM_EXTERNAL = PREFIX + "ProgramExternalConnectivity";
    static final String REVOKE_EXTERNAL = PREFIX + "RevokeExternalConnectivity";
    static final String ENDPOINT_OPER_INFO = PREFIX + "EndpointOperInfo";

    /** Docker's option keys (libnetwork's {@code netlabel}). */
    static final String GENERIC = "com.docker.network.generic";
    static final String ENABLE_IPV6 = "com.docker.network.enable_ipv6";
    static final String PORT_MAP = "com.docker.network.portmap";
    static final String EXPOSED_PORTS = "com.docker.network.endpoint.exposedports";
    /** discoverapi.NodeDiscovery. */
    static final int NODE_DISCOVERY = 1;

    /** {@code GetCapabilities}: {@code {"Scope": "local"|"global", "ConnectivityScope": ...}}. */
    record Capabilities(Scope scope, String connectivityScope) {}

    /** The {@code Interface} a plugin answers {@code CreateEndpoint} with; members null when it gave none. */
    record Interface(InterfaceAddress address, InterfaceAddress addressIpv6, MacAddress mac) {
        static final Interface NONE = new Interface(null, null, null);
    }

    /** A {@code StaticRoutes} entry: {@code RouteType} 0 is via {@code NextHop}, 1 is on the link. */
    record StaticRoute(IpPrefix destination, int routeType, InetAddress nextHop) {
        static final int NEXT_HOP = 0;
        static final int CONNECTED = 1;
    }

    /** What {@code Join} answers. */
    record Joined(String srcName, String dstPrefix, InetAddress gateway, InetAddress gateway6,
                  List<StaticRoute> staticRoutes, boolean disableGatewayService) {}

    // ---- requests

    /**
     * {@code {"NetworkID", "Options": {"com.docker.network.generic": {-o ...}, "com.docker.network.enable_ipv6"},
     * "IPv4Data": [{"AddressSpace", "Pool", "Gateway", "AuxAddresses"}], "IPv6Data": [...]}}.
     */
    static JsonObject createNetwork(NetworkConfig network, Map<String, String> options, String addressSpace) {
        JsonObject o = new JsonObject();
        o.addProperty("NetworkID", network.id());
        JsonObject opts = new JsonObject();
        opts.add(GENERIC, Json.strings(options));
        opts.addProperty(ENABLE_IPV6, network.ipv6());
        o.add("Options", opts);
        JsonArray v4 = new JsonArray(), v6 = new JsonArray();
        for (SubnetInfo s : network.subnets()) {
            (s.subnet().isIpv4() ? v4 : v6).add(ipamData(s, addressSpace));
        }
        o.add("IPv4Data", v4);
        o.add("IPv6Data", v6);
        return o;
    }

    private static JsonObject ipamData(SubnetInfo s, String addressSpace) {
        JsonObject d = new JsonObject();
        d.addProperty("AddressSpace", addressSpace);
        d.addProperty("Pool", s.subnet().toString());
        if (s.gateway() != null) {
            d.addProperty("Gateway", Json.cidr(new InterfaceAddress(s.gateway(), s.subnet().length())));
        }
        if (!s.auxAddresses().isEmpty()) {
            JsonObject aux = new JsonObject();
            s.auxAddresses().forEach((k, a) -> aux.addProperty(k, Json.cidr(new InterfaceAddress(a, s.subnet().length()))));
            d.add("AuxAddresses", aux);
        }
        return d;
    }

    static JsonObject network(String networkId) {
        JsonObject o = new JsonObject();
        o.addProperty("NetworkID", networkId);
        return o;
    }

    /** {@code {"NetworkID", "EndpointID"}}: DeleteEndpoint, EndpointOperInfo, Leave, RevokeExternalConnectivity. */
    static JsonObject endpoint(String networkId, String endpointId) {
        JsonObject o = network(networkId);
        o.addProperty("EndpointID", endpointId);
        return o;
    }

    /** {@code {"NetworkID", "EndpointID", "Interface": {"Address", "AddressIPv6", "MacAddress"}, "Options"}}. */
    static JsonObject createEndpoint(String networkId, EndpointConfig e) {
        JsonObject o = endpoint(networkId, e.id());
        JsonObject i = new JsonObject();
        i.addProperty("Address", Json.cidr(e.ipv4()));
        i.addProperty("AddressIPv6", Json.cidr(e.ipv6()));
        i.addProperty("MacAddress", e.mac() == null ? "" : e.mac().toString());
        o.add("Interface", i);
        o.add("Options", Json.strings(e.driverOptions()));
        return o;
    }

    /** {@code {"NetworkID", "EndpointID", "SandboxKey", "Options"}}; the key is the namespace's path. */
    static JsonObject join(String networkId, String endpointId, String sandboxKey) {
        JsonObject o = endpoint(networkId, endpointId);
        o.addProperty("SandboxKey", sandboxKey);
        o.add("Options", new JsonObject());
        return o;
    }

    /**
     * {@code {"NetworkID", "EndpointID", "Options": {"com.docker.network.portmap": [{"Proto", "IP",
     * "Port", "HostIP", "HostPort", "HostPortEnd"}], "com.docker.network.endpoint.exposedports":
     * [{"Proto", "Port"}]}}}, protocols as IP protocol numbers (Docker's {@code types.Protocol}).
     */
    static JsonObject programExternal(String networkId, EndpointConfig e, List<PortBinding> ports) {
        JsonObject o = endpoint(networkId, e.id());
        JsonArray map = new JsonArray(), exposed = new JsonArray();
        List<String> seen = new ArrayList<>();
        for (PortBinding p : ports) {
            JsonObject b = new JsonObject();
            b.addProperty("Proto", protocol(p.protocol()));
            b.addProperty("IP", Json.format(e.ipv4() != null ? e.ipv4().address()
                    : e.ipv6() != null ? e.ipv6().address() : null));
            b.addProperty("Port", p.containerPort());
            b.addProperty("HostIP", Json.format(p.hostIp()));
            b.addProperty("HostPort", p.hostPort());
            b.addProperty("HostPortEnd", p.hostPort());
            map.add(b);
            if (!seen.contains(p.protocol() + "/" + p.containerPort())) {
                seen.add(p.protocol() + "/" + p.containerPort());
                JsonObject x = new JsonObject();
                x.addProperty("Proto", protocol(p.protocol()));
                x.addProperty("Port", p.containerPort());
                exposed.add(x);
            }
        }
        JsonObject opts = new JsonObject();
        opts.add(PORT_MAP, map);
        opts.add(EXPOSED_PORTS, exposed);
        o.add("Options", opts);
        return o;
    }

    static int protocol(String name) {
        return switch (name) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "sctp" -> 132;
            default -> throw new IllegalArgumentException("protocol \"" + name + "\" has no number in Docker's plugin "
                    + "protocol: expected tcp, udp or sctp");
        };
    }

    /** {@code {"DiscoveryType": 1, "DiscoveryData": {"Address", "BindAddress", "Self"}}}. */
    static JsonObject discover(InetAddress node, InetAddress bind) {
        JsonObject o = new JsonObject();
        o.addProperty("DiscoveryType", NODE_DISCOVERY);
        JsonObject d = new JsonObject();
        d.addProperty("Address", Json.format(node));
        d.addProperty("BindAddress", Json.format(bind));
        d.addProperty("Self", false);
        o.add("DiscoveryData", d);
        return o;
    }

    // ---- answers

    /**
     * {@code EndpointOperInfo}'s {@code {"Value": {...}}}: each member as text, a string as itself and
     * anything else (a number, true, an object, an array, null) as its compact JSON; empty when there is
     * no {@code Value}.
     */
    static Map<String, String> operInfo(JsonObject o) {
        JsonObject value = Json.object(o, "Value");
        Map<String, String> info = new java.util.LinkedHashMap<>();
        if (value == null) {
            return info;
        }
        for (Map.Entry<String, JsonElement> m : value.entrySet()) {
            JsonElement v = m.getValue();
            info.put(m.getKey(), v.isJsonPrimitive() && v.getAsJsonPrimitive().isString() ? v.getAsString() : v.toString());
        }
        return info;
    }

    static Capabilities capabilities(JsonObject o) {
        String scope = Json.string(o, "Scope");
        Scope s;
        if (scope == null || scope.isEmpty() || "local".equals(scope)) {
            s = Scope.LOCAL;
        } else if ("global".equals(scope)) {
            s = Scope.GLOBAL;
        } else {
            throw new Json.Shape("\"Scope\" is \"" + scope + "\": expected \"local\" or \"global\"");
        }
        String conn = Json.string(o, "ConnectivityScope");
        return new Capabilities(s, conn == null || conn.isEmpty() ? s.label() : conn);
    }

    static Interface createdEndpoint(JsonObject o) {
        JsonObject i = Json.object(o, "Interface");
        if (i == null) {
            return Interface.NONE;
        }
        String mac = Json.string(i, "MacAddress");
        MacAddress m = null;
        if (mac != null && !mac.isEmpty()) {
            try {
                m = MacAddress.parse(mac);
            } catch (RuntimeException e) {
                throw new Json.Shape("\"Interface.MacAddress\" is \"" + mac + "\", not a MAC address");
            }
        }
        return new Interface(Json.cidr(i, "Address"), Json.cidr(i, "AddressIPv6"), m);
    }

    static Joined joined(JsonObject o) {
        JsonObject name = Json.object(o, "InterfaceName");
        String src = name == null ? null : Json.string(name, "SrcName");
        String dst = name == null ? null : Json.string(name, "DstPrefix");
        List<StaticRoute> routes = new ArrayList<>();
        for (JsonElement e : Json.array(o, "StaticRoutes")) {
            if (!e.isJsonObject()) {
                throw new Json.Shape("\"StaticRoutes\" holds " + e + ", not a route object");
            }
            JsonObject r = e.getAsJsonObject();
            IpPrefix dest = Json.prefix(r, "Destination");
            if (dest == null) {
                throw new Json.Shape("a static route has no \"Destination\": " + r);
            }
            int type = Json.integer(r, "RouteType");
            InetAddress hop = Json.address(r, "NextHop");
            if (type == StaticRoute.NEXT_HOP && hop == null) {
                throw new Json.Shape("static route to " + dest + " is of RouteType 0 (next hop) but has no \"NextHop\"");
            }
            if (type != StaticRoute.NEXT_HOP && type != StaticRoute.CONNECTED) {
                throw new Json.Shape("static route to " + dest + " has RouteType " + type
                        + ": expected 0 (next hop) or 1 (connected)");
            }
            routes.add(new StaticRoute(dest, type, hop));
        }
        return new Joined(src, dst, Json.address(o, "Gateway"), Json.address(o, "GatewayIPv6"), routes,
                Json.bool(o, "DisableGatewayService"));
    }
}
