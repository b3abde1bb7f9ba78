package dev.weft.driver.bridge;

import dev.weft.api.SubnetInfo;
import dev.weft.linux.InterfaceAddress;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.MacAddress;
import dev.weft.linux.Route;
import dev.weft.linux.Rtnetlink;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/** Addresses (IP and MAC) and routes of bridges and sandbox interfaces, as rtnetlink batches. */
final class LinkPlumbing {
    private static final Logger LOG = Logger.getLogger(LinkPlumbing.class.getName());
    private static final int EADDRNOTAVAIL = 99;

    private LinkPlumbing() {}

    static void addGateways(Rtnetlink host, int index, NetworkConfig network) {
        List<InterfaceAddress> have = host.addresses().stream().filter(a -> a.linkIndex() == index)
                .map(a -> a.address()).toList();
        var batch = host.batch();
        for (InterfaceAddress gw : gateways(network)) {
            if (!have.contains(gw)) {
                batch.addAddress(index, gw);
            }
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
                out.add(new InterfaceAddress(s.gateway(), s.subnet().length()));
            }
        }
        return out;
    }

    /**
     * Sets the sandbox end up with its addresses (IPv6 without DAD; no IPv6 link-local address at
     * all for an endpoint without IPv6), then, for the sandbox's first
     * network, the default routes through the gateways; further networks only get the routes of
     * their subnets, which the kernel adds with the addresses. Returns the MAC: {@code knownMac}
     * when the caller set it at creation (no round trip to read it back), else the kernel's.
     */
    static MacAddress configureSandboxEnd(Rtnetlink rt, EndpointConfig endpoint, boolean defaultRoute,
                                          MacAddress knownMac) {
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
        if (defaultRoute && endpoint.gateway4() != null && endpoint.ipv4() != null) {
            batch.addRoute(Route.defaultVia(endpoint.gateway4()));
        }
        if (defaultRoute && endpoint.gateway6() != null && endpoint.ipv6() != null) {
            batch.addRoute(Route.defaultVia(endpoint.gateway6()));
        }
        batch.send();
        return knownMac != null ? knownMac : rt.link(index).map(Link::mac).orElse(null);
    }
}
