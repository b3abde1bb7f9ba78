package dev.weft.driver.bridge;

import dev.weft.linux.Route;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge options from netavark 2 about the routes a sandbox gets through the network, under
 * netavark's names (Podman's {@code --opt}). Parsed by {@link BridgeOptions#parse}, one key at a
 * time ({@link #with}); checked against the network by {@link BridgeDriver#validate}.
 *
 * <ul>
 * <li>{@value #METRIC}{@code =N}: the metric (priority) of the default routes the network gives a
 *     sandbox, 0 to 4294967295. Not given (or 0): the kernel's default, 0 for IPv4 and 1024 for
 *     IPv6, as Docker (netavark's default is 100). Which network gives a sandbox its default route is
 *     still the gateway priority's choice ({@code --gw-priority}): one network per family gives it.</li>
 * <li>{@value #ROUTE}{@code =DEST,GATEWAY[,METRIC]}: a static route added in every sandbox of the
 *     network when it joins, out of its interface on the network, and gone with that interface. The
 *     gateway must lie in a subnet of the network. Several routes: the key given several times on the
 *     command line ({@code -o route=A -o route=B}, as Podman users write it; the shell joins them) or
 *     one value with the routes separated by {@code ;}.</li>
 * <li>{@value #NO_DEFAULT_ROUTE}{@code =true}: the network gives its sandboxes no default route
 *     ({@link BridgeDriver#givesDefaultRoutes}), so another network's gateway gives it.</li>
 * <li>{@value #VRF}{@code =NAME}: the bridge is enslaved to the VRF device {@code NAME} of the host
 *     namespace, which must exist and be a VRF.</li>
 * </ul>
 *
 * @param metric         the default routes' metric, 0 for the kernel's default
 * @param routes         the static routes, in the order given
 * @param noDefaultRoute sandboxes get no default route from this network
 * @param vrf            the name of the VRF the bridge is enslaved to, or null
 */
record RoutingOptions(long metric, List<StaticRoute> routes, boolean noDefaultRoute, String vrf) {
    static final String METRIC = "metric";
    static final String ROUTE = "route";
    static final String NO_DEFAULT_ROUTE = "no_default_route";
    static final String VRF = "vrf";
    /** Its keys, in {@link BridgeOptions#KEYS}. */
    static final List<String> KEYS = List.of(METRIC, ROUTE, NO_DEFAULT_ROUTE, VRF);
    /** What separates several routes in one {@value #ROUTE} value. */
    static final String ROUTE_SEPARATOR = ";";

    static final RoutingOptions DEFAULTS = new RoutingOptions(0, List.of(), false, null);

    RoutingOptions {
        routes = List.copyOf(routes);
    }

    /**
     * These options with {@code key} (one of {@link #KEYS}) set from {@code value} (trimmed); refuses
     * a malformed value naming the key, the value and what is accepted.
     */
    RoutingOptions with(String key, String value) {
        return switch (key) {
            case METRIC -> new RoutingOptions(parseMetric(value), routes, noDefaultRoute, vrf);
            case ROUTE -> new RoutingOptions(metric, parseRoutes(value), noDefaultRoute, vrf);
            case NO_DEFAULT_ROUTE -> new RoutingOptions(metric, routes, BridgeOptions.parseBoolean(key, value), vrf);
            case VRF -> new RoutingOptions(metric, routes, noDefaultRoute, BridgeOptions.parseLinkName(VRF, value));
            default -> throw new IllegalArgumentException("not a routing option: " + key);
        };
    }

    /** The default route via {@code gateway} out of the sandbox interface {@code device}, with {@link #metric}. */
    Route defaultRoute(InetAddress gateway, int device) {
        return Route.defaultVia(gateway, device).withMetric(metric);
    }

    private static long parseMetric(String value) {
        try {
            return StaticRoute.parseMetric(value);
        } catch (IllegalArgumentException e) {
            throw BridgeOptions.invalid(METRIC, value, "a whole number from 0 to " + StaticRoute.MAX_METRIC
                    + " (the default route's metric; 0 or none for the kernel's default)");
        }
    }

    private static List<StaticRoute> parseRoutes(String value) {
        List<StaticRoute> out = new ArrayList<>();
        for (String text : value.split(ROUTE_SEPARATOR, -1)) {
            StaticRoute r;
            try {
                r = StaticRoute.parse(text.trim());
            } catch (IllegalArgumentException e) {
                throw BridgeOptions.invalid(ROUTE, value, StaticRoute.FORMAT + ", several separated by "
                        + ROUTE_SEPARATOR + " (" + e.getMessage() + ")");
            }
            for (StaticRoute o : out) {
                // the kernel keys a route by its destination and metric: a second one would be refused at join
                if (o.destination().equals(r.destination()) && o.metric() == r.metric()) {
                    throw BridgeOptions.invalid(ROUTE, value, "one route per destination and metric ("
                            + r.destination() + (r.metric() != 0 ? " metric " + r.metric() : "") + " is given twice)");
                }
            }
            out.add(r);
        }
        return out;
    }
}
