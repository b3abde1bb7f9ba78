package dev.weft.driver.macvlan;

import dev.weft.api.WeftException;
import dev.weft.linux.Link;
import dev.weft.linux.Route;
import dev.weft.linux.Rtnetlink;
import dev.weft.net.MacAddress;
import dev.weft.spi.EndpointConfig;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sandbox's macvlan link once it is born there: its sysctls, addresses, state and default routes,
 * each as one trip into the namespace.
 */
final class SandboxLink {
    private SandboxLink() {}

    /**
     * The sysctls written in the sandbox while the link is still down, in this order: IPv6 off on
     * an IPv4-only interface (as Docker does); {@code arp_notify} and {@code ndisc_notify}, so the
     * kernel announces the addresses when the link comes up (a gratuitous ARP, an unsolicited
     * neighbour advertisement: Docker 28 announces every join, and a router on the LAN may hold an
     * address of the subnet under another MAC); then the user's ({@link EndpointConfig#sysctls()}),
     * which win over the two before.
     */
    static Map<String, String> sysctls(EndpointConfig endpoint) {
        String name = endpoint.interfaceName();
        Map<String, String> out = new LinkedHashMap<>();
        if (endpoint.ipv6() == null) {
            out.put("net/ipv6/conf/" + name + "/disable_ipv6", "1");
        } else {
            out.put("net/ipv6/conf/" + name + "/ndisc_notify", "1");
        }
        if (endpoint.ipv4() != null) {
            out.put("net/ipv4/conf/" + name + "/arp_notify", "1");
        }
        out.keySet().removeAll(endpoint.sysctls().keySet());
        out.putAll(endpoint.sysctls());
        return out;
    }

    /**
     * Marks the link ({@code alias}), adds its addresses (IPv6 without duplicate address detection)
     * while it is down, brings it up (the kernel announces them now), then adds the default routes
     * the endpoint gives when {@code routeOut} (not internal). Returns its MAC as the kernel has it.
     */
    static MacAddress configure(Rtnetlink rt, EndpointConfig endpoint, String alias, boolean routeOut) {
        int index = rt.index(endpoint.interfaceName());
        var batch = rt.interfaceUp(index, alias, endpoint.ipv4(), endpoint.ipv6()).barrier();
        for (Route r : defaultRoutes(endpoint, index, routeOut)) {
            batch.addRoute(r);
        }
        batch.send();
        return rt.link(index).map(Link::mac).orElse(null);
    }

    /**
     * Makes the endpoint's default routes ({@code default via GATEWAY dev IF}) what its flags say,
     * adding a missing one and deleting one no longer given, touching no other route; with the
     * interface gone there is nothing to delete, and adding fails.
     */
    static void setDefaultRoutes(Rtnetlink rt, EndpointConfig endpoint, String sandbox, boolean routeOut) {
        var link = rt.link(endpoint.interfaceName());
        boolean want4 = routeOut && gives(endpoint, true), want6 = routeOut && gives(endpoint, false);
        if (link.isEmpty()) {
            if (want4 || want6) {
                throw new WeftException.Failed("endpoint " + endpoint.shortId() + ": cannot add its default route: "
                        + "its interface " + endpoint.interfaceName() + " is not in sandbox " + sandbox, null);
            }
            return;
        }
        int index = link.get().index();
        List<java.net.InetAddress> gateways = java.util.stream.Stream.of(endpoint.gateway4(), endpoint.gateway6())
                .filter(java.util.Objects::nonNull).toList();
        rt.setDefaultRoutes(index, gateways, defaultRoutes(endpoint, index, routeOut));
    }

    private static List<Route> defaultRoutes(EndpointConfig endpoint, int index, boolean routeOut) {
        if (!routeOut) {
            return List.of();
        }
        List<Route> out = new java.util.ArrayList<>();
        if (gives(endpoint, true)) {
            out.add(Route.defaultVia(endpoint.gateway4(), index));
        }
        if (gives(endpoint, false)) {
            out.add(Route.defaultVia(endpoint.gateway6(), index));
        }
        return out;
    }

    /** Whether the endpoint gives the family's default route and has what it takes (address, gateway). */
    private static boolean gives(EndpointConfig endpoint, boolean v4) {
        return v4 ? endpoint.defaultRoute4() && endpoint.gateway4() != null && endpoint.ipv4() != null
                : endpoint.defaultRoute6() && endpoint.gateway6() != null && endpoint.ipv6() != null;
    }
}
