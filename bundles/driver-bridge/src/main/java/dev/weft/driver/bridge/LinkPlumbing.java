package dev.weft.driver.bridge;

import dev.weft.api.SubnetInfo;
import dev.weft.api.WeftException;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.Route;
import dev.weft.linux.Rtnetlink;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** Addresses (IP and MAC) and routes of bridges and sandbox interfaces, as rtnetlink batches. */
final class LinkPlumbing {
    private static final Logger LOG = Logger.getLogger(LinkPlumbing.class.getName());
    private static final int EADDRNOTAVAIL = 99;
    private static final int AF_INET6 = 10;
    /** The prefix length of fe80::/64, the link-local prefix a link-local gateway is added with. */
    private static final int LINK_LOCAL_PREFIX = 64;

    private LinkPlumbing() {}

    /**
     * Adds the gateways the bridge lacks; for a subnet whose gateway is IPv6 link-local (outside
     * it), also the route of the subnet through the bridge, which no address of the bridge gives.
     */
    static void addGateways(Rtnetlink host, int index, NetworkConfig network) {
        List<InterfaceAddress> have = host.addresses().stream().filter(a -> a.linkIndex() == index)
                .map(a -> a.address()).toList();
        var batch = host.batch();
        for (InterfaceAddress gw : gateways(network)) {
            if (!have.contains(gw)) {
                batch.addAddress(index, gw);
            }
        }
        List<Route> routes = subnetRoutes(network, index);
        if (!routes.isEmpty()) {
            List<Route> present = host.routes(AF_INET6);
            routes.stream().filter(r -> present.stream().noneMatch(p -> p.destination().equals(r.destination())
                    && p.device() == index && p.gateway() == null)).forEach(batch::addRoute);
        }
        batch.send();
    }

    /**
     * Pins the current MAC of a bridge Weft made before bridges got one of their own at creation,
     * so it stops following its ports. Only when it may be following them: its MAC is one of its
     * ports' (or it has none yet). Setting a MAC, even the same one, flushes the bridge's neighbour
     * entries, so a bridge already pinned is left alone. True when it pinned.
     */
    static boolean pinBridgeMac(Rtnetlink host, Link bridge, String network) {
        MacAddress mac = bridge.mac();
        if (mac == null) {
            return false;
        }
        List<Link> ports = host.links().stream().filter(l -> l.master() == bridge.index()).toList();
        if (!ports.isEmpty() && ports.stream().noneMatch(p -> mac.equals(p.mac()))) {
            return false; // not a port's MAC: set already, it does not follow them
        }
        host.setLink(LinkChange.of(bridge.index()).mac(mac));
        LOG.info("network " + network + ": pinned the MAC " + mac + " of bridge " + bridge.name()
                + " (it followed its ports')");
        return true;
    }

    static void removeGateways(Rtnetlink host, String bridge, NetworkConfig network) {
        host.link(bridge).ifPresent(l -> {
            for (Route r : subnetRoutes(network, l.index())) {
                try {
                    host.deleteRoute(r);
                } catch (KernelException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                }
            }
            for (InterfaceAddress gw : gateways(network)) {
                try {
                    host.deleteAddress(l.index(), gw);
                } catch (KernelException e) {
                    if (!e.isNotFound() && e.errno() != EADDRNOTAVAIL) {
                        throw e;
                    }
                }
            }
        });
    }

    static List<InterfaceAddress> gateways(NetworkConfig network) {
        List<InterfaceAddress> out = new ArrayList<>();
        for (SubnetInfo s : network.subnets()) {
            if (s.gateway() != null) {
                out.add(new InterfaceAddress(s.gateway(), linkLocalGateway(s) ? LINK_LOCAL_PREFIX : s.subnet().length()));
            }
        }
        return out;
    }

    /** {@code SUBNET dev BRIDGE} for each subnet with a link-local gateway outside it. */
    private static List<Route> subnetRoutes(NetworkConfig network, int bridgeIndex) {
        return network.subnets().stream().filter(LinkPlumbing::linkLocalGateway)
                .map(s -> Route.direct(s.subnet(), bridgeIndex)).toList();
    }

    /** An IPv6 link-local gateway outside its subnet, as Docker accepts ({@code --gateway fe80::1}). */
    static boolean linkLocalGateway(SubnetInfo s) {
        return s.gateway() instanceof Inet6Address && s.gateway().isLinkLocalAddress() && !s.subnet().contains(s.gateway());
    }

    /**
     * Sets the sandbox end up with its addresses (IPv6 without DAD; no IPv6 link-local address at
     * all for an endpoint without IPv6, whose IPv6 the caller has disabled), then the default routes
     * through the gateways that the endpoint gives ({@link EndpointConfig#defaultRoute4()},
     * {@link EndpointConfig#defaultRoute6()}; none when {@code routeOut} is false: an internal
     * network, or one with {@code no_default_route}), with the network's {@code metric}; other endpoints
     * only get the routes of their subnets, which the kernel adds with the addresses. Then the
     * network's static routes ({@code -o route}) of the families the endpoint has an address of,
     * out of its interface (they go with it). Returns the MAC: {@code knownMac} when the caller set
     * it at creation (no round trip to read it back), else the kernel's.
     */
    static MacAddress configureSandboxEnd(Rtnetlink rt, EndpointConfig endpoint, boolean routeOut,
                                          MacAddress knownMac, RoutingOptions routing) {
        int index = rt.index(endpoint.interfaceName());
        LinkChange up = LinkChange.of(index).up();
        if (endpoint.ipv6() == null) {
            // an IPv4-only endpoint (as Docker does since 26): no link-local, no DAD or router
            // solicitation flooded over the bridge to every other sandbox
            up.noIpv6LinkLocal();
        }
        var batch = rt.batch().setLink(up);
        if (endpoint.ipv4() != null) {
            batch.addAddress(index, endpoint.ipv4());
        }
        if (endpoint.ipv6() != null) {
            batch.addAddress(index, endpoint.ipv6());
        }
        batch.barrier(); // a route needs an address that reaches its gateway
        // with the device: a link-local gateway (fe80::1) is ambiguous without one, and the kernel
        // refuses the route ("Egress device not specified")
        if (routeOut && gives(endpoint, true)) {
            batch.addRoute(routing.defaultRoute(endpoint.gateway4(), index));
        }
        if (routeOut && gives(endpoint, false)) {
            batch.addRoute(routing.defaultRoute(endpoint.gateway6(), index));
        }
        for (StaticRoute r : routing.routes()) {
            if ((r.destination().isIpv4() ? endpoint.ipv4() : endpoint.ipv6()) != null) {
                batch.addRoute(r.toRoute(index));
            }
        }
        batch.send();
        return knownMac != null ? knownMac : rt.link(index).map(Link::mac).orElse(null);
    }

    /**
     * The sysctls written inside the sandbox when its end of the veth is there and still down, in
     * this order: IPv6 off on an IPv4-only interface (as Docker does), then the user's
     * ({@link EndpointConfig#sysctls()}).
     */
    static Map<String, String> sandboxSysctls(EndpointConfig endpoint) {
        Map<String, String> out = new LinkedHashMap<>();
        if (endpoint.ipv6() == null) {
            out.put("net/ipv6/conf/" + endpoint.interfaceName() + "/disable_ipv6", "1");
        }
        out.putAll(endpoint.sysctls());
        return out;
    }

    /**
     * The sysctls that make the kernel announce the interface's addresses when its MAC is set
     * ({@code arp_notify} for IPv4, {@code ndisc_notify} for IPv6), written by the {@link Announcer}
     * just before it does, off the join's path: on at link-up, they cost the join about a
     * millisecond here for an announcement the bridge drops anyway (its port is not forwarding
     * yet). A key the user set ({@link EndpointConfig#sysctls()}) is left as the user set it.
     */
    static Map<String, String> announceSysctls(EndpointConfig endpoint) {
        String name = endpoint.interfaceName();
        Map<String, String> out = new LinkedHashMap<>();
        if (endpoint.ipv4() != null) {
            out.put("net/ipv4/conf/" + name + "/arp_notify", "1");
        }
        if (endpoint.ipv6() != null) {
            out.put("net/ipv6/conf/" + name + "/ndisc_notify", "1");
        }
        out.keySet().removeAll(endpoint.sysctls().keySet());
        return out;
    }

    /**
     * Makes the endpoint's default routes ({@code default via GATEWAY dev IF metric METRIC}) what its
     * flags say ({@code routeOut} false: none), in one batch: added with the network's metric for a
     * family it gives and missing, deleted (as the kernel has it) for a family it does not give and
     * present. No other route is touched, default routes through other gateways or interfaces
     * included. With the interface gone there is nothing to delete; adding then fails.
     */
    static void setDefaultRoutes(Rtnetlink rt, EndpointConfig endpoint, String sandbox, boolean routeOut,
                                 RoutingOptions routing) {
        boolean want4 = routeOut && gives(endpoint, true), want6 = routeOut && gives(endpoint, false);
        var link = rt.link(endpoint.interfaceName());
        if (link.isEmpty()) {
            if (want4 || want6) {
                throw new WeftException.Failed("endpoint " + endpoint.shortId() + ": cannot add its default route: "
                        + "its interface " + endpoint.interfaceName() + " is not in sandbox " + sandbox, null);
            }
            return;
        }
        int index = link.get().index();
        List<Route> wanted = new java.util.ArrayList<>();
        if (want4) {
            wanted.add(routing.defaultRoute(endpoint.gateway4(), index));
        }
        if (want6) {
            wanted.add(routing.defaultRoute(endpoint.gateway6(), index));
        }
        rt.setDefaultRoutes(index, gateways(endpoint), wanted);
    }

    /** The endpoint's gateways (a family it never had one of is never touched). */
    private static List<java.net.InetAddress> gateways(EndpointConfig endpoint) {
        return java.util.stream.Stream.of(endpoint.gateway4(), endpoint.gateway6()).filter(java.util.Objects::nonNull)
                .toList();
    }

    /** Whether the endpoint gives the family's default route and has what it takes (address, gateway). */
    private static boolean gives(EndpointConfig endpoint, boolean v4) {
        return v4 ? endpoint.defaultRoute4() && endpoint.gateway4() != null && endpoint.ipv4() != null
                : endpoint.defaultRoute6() && endpoint.gateway6() != null && endpoint.ipv6() != null;
    }
}
