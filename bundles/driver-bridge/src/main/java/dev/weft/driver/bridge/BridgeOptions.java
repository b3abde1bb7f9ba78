package dev.weft.driver.bridge;

import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The bridge driver's typed options, parsed from the user's {@code -o KEY=VALUE} map under
 * Docker's names (and netavark's, for what only netavark has), so users and tools carry over.
 * Every key is listed in {@link #KEYS}; any other key is refused, naming it. Parsing checks each
 * value on its own; what depends on the network (its families, {@code --internal}) or on the host
 * is {@link BridgeDriver#validate}'s. netavark's routing
 * options are grouped in {@link RoutingOptions}.
 *
 * @param bridgeName      the Linux bridge's name, or null for {@code br-<first 12 of the network id>}
 * @param icc             sandboxes of the network may talk to each other (Docker's default: true)
 * @param masquerade      outbound traffic of the subnets in a NAT gateway mode is masqueraded (default: true)
 * @param hostBindingIpv4 the host address ports are published on when a binding names none, or null
 *                        for every address
 * @param gatewayMode4    how the IPv4 subnet reaches and is reached from outside ({@link GatewayMode})
 * @param gatewayMode6    the same for the IPv6 subnet
 * @param mtu             the MTU of the bridge and its veths, or 0 for the default (the uplink's)
 * @param trustedHostInterfaces host interfaces whose traffic may reach published ports at the
 *                        sandbox's own address and port directly, not only through the host's
 *                        (Docker 28.2's {@code trusted_host_interfaces}, colon separated)
 * @param isolation       netavark's {@code isolate}: which other networks may reach this one
 * @param outboundAddr4   netavark's {@code outbound_addr4}: the source address outbound IPv4 traffic
 *                        is translated to instead of the outgoing interface's (SNAT), or null
 * @param outboundAddr6   the same for IPv6 ({@code outbound_addr6}), or null
 * @param routing         netavark's {@code metric}, {@code route}, {@code no_default_route} and {@code vrf}
 */
public record BridgeOptions(String bridgeName, boolean icc, boolean masquerade, InetAddress hostBindingIpv4,
                            GatewayMode gatewayMode4, GatewayMode gatewayMode6, int mtu,
                            List<String> trustedHostInterfaces, Isolation isolation, InetAddress outboundAddr4,
                            InetAddress outboundAddr6, RoutingOptions routing) {
    public static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    public static final String ENABLE_ICC = "com.docker.network.bridge.enable_icc";
    public static final String ENABLE_IP_MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    public static final String HOST_BINDING_IPV4 = "com.docker.network.bridge.host_binding_ipv4";
    public static final String GATEWAY_MODE_IPV4 = "com.docker.network.bridge.gateway_mode_ipv4";
    public static final String GATEWAY_MODE_IPV6 = "com.docker.network.bridge.gateway_mode_ipv6";
    public static final String TRUSTED_HOST_INTERFACES = "com.docker.network.bridge.trusted_host_interfaces";
    public static final String MTU = "com.docker.network.driver.mtu";
    public static final String ISOLATE = "isolate";
    public static final String OUTBOUND_ADDR4 = "outbound_addr4";
    public static final String OUTBOUND_ADDR6 = "outbound_addr6";

    /** The option keys, in one place. */
    public static final List<String> KEYS = Stream.concat(Stream.of(BRIDGE_NAME, ENABLE_ICC, ENABLE_IP_MASQUERADE,
            HOST_BINDING_IPV4, GATEWAY_MODE_IPV4, GATEWAY_MODE_IPV6, TRUSTED_HOST_INTERFACES, MTU, ISOLATE, OUTBOUND_ADDR4,
            OUTBOUND_ADDR6), RoutingOptions.KEYS.stream()).toList();

    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;
    /** IPv6 needs links of at least this MTU (RFC 8200 §5). */
    static final int MIN_IPV6_MTU = 1280;

    public BridgeOptions {
        trustedHostInterfaces = List.copyOf(trustedHostInterfaces);
    }

    /** How a subnet reaches the outside and is reached from it (Docker 27–28's gateway modes). */
    public enum GatewayMode {
        /**
         * Masqueraded to the host's address (Docker's default). From outside, only published ports
         * are reached, through the host's addresses; direct routed access to the sandboxes'
         * addresses is dropped (Docker 28), except to published ports from a trusted interface.
         */
        NAT("nat"),
        /** As {@link #NAT}, but direct routed access to every port of the sandboxes is let through. */
        NAT_UNPROTECTED("nat-unprotected"),
        /**
         * No NAT: sandboxes keep their addresses and the outside needs a route to the subnet. A
         * published port opens the sandbox's own port to everyone (the host port is not used);
         * ICMP to the sandboxes passes; everything else from outside is dropped.
         */
        ROUTED("routed"),
        /**
         * No address of the host on the bridge at all, no gateway: only the network's sandboxes
         * reach each other. Needs {@code --internal}; allows /31 and /32 (/127, /128) subnets.
         */
        ISOLATED("isolated");

        private final String value;

        GatewayMode(String value) {
            this.value = value;
        }

        /** The option value, as Docker spells it. */
        public String value() {
            return value;
        }

        /** NAT or NAT-unprotected: the subnet is translated to the host's address on the way out. */
        public boolean translated() {
            return this == NAT || this == NAT_UNPROTECTED;
        }

        static GatewayMode parse(String key, String value) {
            for (GatewayMode m : values()) {
                if (m.value.equalsIgnoreCase(value)) {
                    return m;
                }
            }
            throw invalid(key, value, "nat, nat-unprotected, routed or isolated");
        }
    }

    /** netavark's {@code isolate}: which other bridge networks may open connections into this one. */
    public enum Isolation {
        /**
         * {@code false}: networks with this setting reach each other's sandboxes directly, through
         * the host's routing.
         */
        OPEN("false"),
        /**
         * {@code true} (Weft's and Docker's default): no other network opens connections to this
         * one's addresses; published ports are reached through the host's addresses from anywhere,
         * other networks included (netavark 2.1 #709).
         */
        ISOLATED("true"),
        /**
         * {@code strict}: no traffic between this network and any other, not even through a port
         * published on the host's addresses, in either direction.
         */
        STRICT("strict");

        private final String value;

        Isolation(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    public static BridgeOptions defaults() {
        return new BridgeOptions(null, true, true, null, GatewayMode.NAT, GatewayMode.NAT, 0, List.of(),
                Isolation.ISOLATED, null, null, RoutingOptions.DEFAULTS);
    }

    /** Parses {@code options}; refuses unknown keys and malformed values. No side effects. */
    public static BridgeOptions parse(Map<String, String> options) {
        String name = null;
        boolean icc = true;
        boolean masquerade = true;
        InetAddress hostBinding = null;
        GatewayMode mode4 = GatewayMode.NAT;
        GatewayMode mode6 = GatewayMode.NAT;
        int mtu = 0;
        List<String> trusted = List.of();
        Isolation isolation = Isolation.ISOLATED;
        InetAddress outbound4 = null;
        InetAddress outbound6 = null;
        RoutingOptions routing = RoutingOptions.DEFAULTS;
        // Sorted, so a request with several bad keys always names the same one first.
        for (Map.Entry<String, String> option : new TreeMap<>(options).entrySet()) {
            String key = option.getKey();
            String value = option.getValue() == null ? "" : option.getValue().trim();
            switch (key) {
                case BRIDGE_NAME -> name = parseLinkName(BRIDGE_NAME, value);
                case ENABLE_ICC -> icc = parseBoolean(key, value);
                case ENABLE_IP_MASQUERADE -> masquerade = parseBoolean(key, value);
                case HOST_BINDING_IPV4 -> hostBinding = parseHostBinding(value);
                case GATEWAY_MODE_IPV4 -> mode4 = GatewayMode.parse(key, value);
                case GATEWAY_MODE_IPV6 -> mode6 = GatewayMode.parse(key, value);
                case TRUSTED_HOST_INTERFACES -> trusted = parseInterfaces(value);
                case MTU -> mtu = parseMtu(value);
                case ISOLATE -> isolation = parseIsolation(value);
                case OUTBOUND_ADDR4 -> outbound4 = parseAddress(key, value, true);
                case OUTBOUND_ADDR6 -> outbound6 = parseAddress(key, value, false);
                case RoutingOptions.METRIC, RoutingOptions.ROUTE, RoutingOptions.NO_DEFAULT_ROUTE, RoutingOptions.VRF ->
                        routing = routing.with(key, value);
                default -> throw new WeftException.InvalidRequest("driver \"" + BridgeDriver.NAME + "\" has no option \""
                        + key + "\": known options are " + String.join(", ", KEYS));
            }
        }
        return new BridgeOptions(name, icc, masquerade, hostBinding, mode4, mode6, mtu, trusted, isolation, outbound4,
                outbound6, routing);
    }

    /** The gateway mode of one family. */
    public GatewayMode gatewayMode(boolean ipv6) {
        return ipv6 ? gatewayMode6 : gatewayMode4;
    }

    /** Whether outbound traffic of the IPv4 subnet is masqueraded or translated (a NAT mode, masquerade on). */
    public boolean masqueraded() {
        return masquerade && gatewayMode4.translated();
    }

    /** Whether the family's subnet has a gateway on the bridge (every mode but isolated). */
    public boolean hasGateway(boolean ipv6) {
        return gatewayMode(ipv6) != GatewayMode.ISOLATED;
    }

    /** {@code IF1:IF2:…}, duplicates once; an empty value names none. */
    private static List<String> parseInterfaces(String value) {
        if (value.isEmpty()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (String part : value.split(":", -1)) {
            String name = parseLinkName(TRUSTED_HOST_INTERFACES, part.trim());
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static Isolation parseIsolation(String value) {
        for (Isolation i : Isolation.values()) {
            if (i.value.equalsIgnoreCase(value)) {
                return i;
            }
        }
        throw invalid(ISOLATE, value, "true, false or strict");
    }

    private static InetAddress parseAddress(String key, String value, boolean v4) {
        String family = v4 ? "an IPv4 address such as 192.0.2.10" : "an IPv6 address such as 2001:db8::10";
        InetAddress a;
        try {
            a = IpAddresses.parse(value);
        } catch (RuntimeException e) {
            throw invalid(key, value, family);
        }
        if ((a instanceof Inet4Address) != v4 || a.isAnyLocalAddress() || a.isMulticastAddress()
                || a.isLoopbackAddress()) {
            throw invalid(key, value, family + " (not unspecified, loopback or multicast)");
        }
        return a;
    }

    /** A link name as the kernel takes it: 1 to 15 printable characters, no space, '/' or ':'. */
    static String parseLinkName(String key, String value) {
        boolean ok = !value.isEmpty() && value.length() <= 15 && !value.equals(".") && !value.equals("..");
        for (int i = 0; ok && i < value.length(); i++) {
            char c = value.charAt(i);
            ok = c > ' ' && c <= '~' && c != '/' && c != ':';
        }
        if (!ok) {
            throw invalid(key, value, "a link name of 1 to 15 printable characters without space, '/' or ':'");
        }
        return value;
    }

    static boolean parseBoolean(String key, String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw invalid(key, value, "true or false");
        };
    }

    private static InetAddress parseHostBinding(String value) {
        InetAddress a;
        try {
            a = IpAddresses.parse(value);
        } catch (RuntimeException e) {
            throw invalid(HOST_BINDING_IPV4, value, "an IPv4 address such as 127.0.0.1 or 0.0.0.0");
        }
        if (!(a instanceof Inet4Address)) {
            throw invalid(HOST_BINDING_IPV4, value, "an IPv4 address such as 127.0.0.1 or 0.0.0.0");
        }
        return a.isAnyLocalAddress() ? null : a;
    }

    private static int parseMtu(String value) {
        try {
            int mtu = Integer.parseInt(value);
            if (mtu >= MIN_MTU && mtu <= MAX_MTU) {
                return mtu;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is accepted
        }
        throw invalid(MTU, value, "a whole number from " + MIN_MTU + " to " + MAX_MTU);
    }

    static WeftException.InvalidRequest invalid(String key, String value, String accepted) {
        return new WeftException.InvalidRequest("driver \"" + BridgeDriver.NAME + "\": option " + key + "=\"" + value
                + "\" is not valid: expected " + accepted);
    }
}
