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
 * Docker's names, so users and tools carry over (netavark's names for the options only netavark
 * has: {@link RoutingOptions}). Every key is listed in {@link #KEYS}; any other key is refused,
 * naming it.
 *
 * @param bridgeName      the Linux bridge's name, or null for {@code br-<first 12 of the network id>}
 * @param icc             sandboxes of the network may talk to each other (Docker's default: true)
 * @param masquerade      the subnet is masqueraded to everything outside it (default: true)
 * @param hostBindingIpv4 the host address ports are published on when a binding names none, or null
 *                        for every address
 * @param gatewayMode4    {@code nat} (default) or {@code routed} (no masquerade)
 * @param mtu             the MTU of the bridge and its veths, or 0 for the default (the uplink's)
 * @param routing         netavark's {@code metric}, {@code route}, {@code no_default_route} and {@code vrf}
 */
public record BridgeOptions(String bridgeName, boolean icc, boolean masquerade, InetAddress hostBindingIpv4,
                            GatewayMode gatewayMode4, int mtu, RoutingOptions routing) {
    public static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    public static final String ENABLE_ICC = "com.docker.network.bridge.enable_icc";
    public static final String ENABLE_IP_MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    public static final String HOST_BINDING_IPV4 = "com.docker.network.bridge.host_binding_ipv4";
    public static final String GATEWAY_MODE_IPV4 = "com.docker.network.bridge.gateway_mode_ipv4";
    public static final String MTU = "com.docker.network.driver.mtu";

    /** The option keys, in one place. */
    public static final List<String> KEYS = Stream.concat(Stream.of(BRIDGE_NAME, ENABLE_ICC,
            ENABLE_IP_MASQUERADE, HOST_BINDING_IPV4, GATEWAY_MODE_IPV4, MTU), RoutingOptions.KEYS.stream()).toList();

    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;
    /** IPv6 needs links of at least this MTU (RFC 8200 §5). */
    static final int MIN_IPV6_MTU = 1280;

    /** How the subnet reaches the outside. */
    public enum GatewayMode {
        /** Masqueraded to the host's address (Docker's default). */
        NAT,
        /** Routed: sandboxes keep their addresses; the outside needs a route to the subnet. */
        ROUTED
    }

    public static BridgeOptions defaults() {
        return new BridgeOptions(null, true, true, null, GatewayMode.NAT, 0, RoutingOptions.DEFAULTS);
    }

    /** Parses {@code options}; refuses unknown keys and malformed values. No side effects. */
    public static BridgeOptions parse(Map<String, String> options) {
        String name = null;
        boolean icc = true;
        boolean masquerade = true;
        InetAddress hostBinding = null;
        GatewayMode mode = GatewayMode.NAT;
        int mtu = 0;
        RoutingOptions routing = RoutingOptions.DEFAULTS;
        // Sorted, so a request with several bad keys always names the same one first.
        for (Map.Entry<String, String> option : new TreeMap<>(options).entrySet()) {
            String key = option.getKey();
            String value = option.getValue() == null ? "" : option.getValue().trim();
            switch (key) {
                case BRIDGE_NAME -> name = parseBridgeName(value);
                case ENABLE_ICC -> icc = parseBoolean(key, value);
                case ENABLE_IP_MASQUERADE -> masquerade = parseBoolean(key, value);
                case HOST_BINDING_IPV4 -> hostBinding = parseHostBinding(value);
                case GATEWAY_MODE_IPV4 -> mode = parseGatewayMode(value);
                case MTU -> mtu = parseMtu(value);
                case RoutingOptions.METRIC, RoutingOptions.ROUTE, RoutingOptions.NO_DEFAULT_ROUTE, RoutingOptions.VRF ->
                        routing = routing.with(key, value);
                default -> throw new WeftException.InvalidRequest("driver \"" + BridgeDriver.NAME + "\" has no option \""
                        + key + "\": known options are " + String.join(", ", KEYS));
            }
        }
        return new BridgeOptions(name, icc, masquerade, hostBinding, mode, mtu, routing);
    }

    /** Whether outbound traffic of the subnet is masqueraded (nat mode with masquerade on). */
    public boolean masqueraded() {
        return masquerade && gatewayMode4 == GatewayMode.NAT;
    }

    private static String parseBridgeName(String value) {
        return parseLinkName(BRIDGE_NAME, value);
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

    private static GatewayMode parseGatewayMode(String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "nat" -> GatewayMode.NAT;
            case "routed" -> GatewayMode.ROUTED;
            default -> throw invalid(GATEWAY_MODE_IPV4, value, "nat or routed");
        };
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
