package dev.weft.driver.bridge;

import dev.weft.linux.Kernel;
import dev.weft.linux.Link;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Host-namespace settings a bridge network needs: the uplink's MTU, forwarding, and
 * route_localnet on bridges. Every write checks the current value first, so repeated calls
 * (restore, every network) change nothing and log nothing.
 */
final class HostSetup {
    private static final Logger LOG = Logger.getLogger(HostSetup.class.getName());
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    static final int FALLBACK_MTU = 1500;

    private final Kernel kernel;

    HostSetup(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * The MTU a network without {@code mtu} gets (netavark 1.16's rule): that of the device of the
     * host namespace's IPv4 default route (the one of lowest metric), else of its IPv6 one when it
     * has no IPv4 default route, else 1500. A default route without a device (multipath) counts as none.
     */
    int uplinkMtu() {
        for (int family : new int[] {AF_INET, AF_INET6}) {
            Optional<Integer> mtu = defaultRouteDevices(family).stream().findFirst().flatMap(i -> kernel.host().link(i))
                    .map(Link::mtu);
            if (mtu.isPresent()) {
                return mtu.get();
            }
        }
        return FALLBACK_MTU;
    }

    void enableIpv4Forwarding() {
        setIfDifferent("net.ipv4.ip_forward", "1");
    }

    /**
     * Enables IPv6 forwarding; first sets {@code accept_ra=2} on the uplinks that accept router
     * advertisements, or they would stop and the host would lose its IPv6 default route when
     * forwarding goes on (moby#43466).
     */
    void enableIpv6Forwarding() {
        for (int index : defaultRouteDevices(AF_INET6)) {
            Optional<Link> link = kernel.host().link(index);
            if (link.isPresent()) {
                String key = "net/ipv6/conf/" + link.get().name() + "/accept_ra";
                if ("1".equals(get(key))) {
                    set(key, "2");
                }
            }
        }
        setIfDifferent("net.ipv6.conf.all.forwarding", "1");
    }

    /** Lets the host reach ports published on 127.0.0.1 through this bridge (guarded in raw_pre). */
    void routeLocalnet(String bridge) {
        setIfDifferent("net/ipv4/conf/" + bridge + "/route_localnet", "1");
    }

    /**
     * Turns IPv6 duplicate address detection off on a bridge before it goes up. Linux solicits
     * neighbours for FORWARDED packets only from the interface's link-local address, and not at
     * all while that address is tentative: with DAD on, a published IPv6 port is unreachable for
     * the first 1-2 s of a new network (seen here: the neighbour entry stays INCOMPLETE).
     */
    void noDuplicateAddressDetection(String bridge) {
        setIfDifferent("net/ipv6/conf/" + bridge + "/accept_dad", "0");
    }

    /** The devices of the family's default routes, the one of the lowest metric first. */
    private Set<Integer> defaultRouteDevices(int family) {
        Set<Integer> out = new LinkedHashSet<>();
        kernel.host().routes(family).stream().filter(r -> r.destination().isDefault() && r.device() != 0)
                .sorted(Comparator.comparingLong(r -> Integer.toUnsignedLong(r.metric())))
                .forEach(r -> out.add(r.device()));
        return out;
    }

    private void setIfDifferent(String key, String value) {
        if (!value.equals(get(key))) {
            set(key, value);
        }
    }

    private String get(String key) {
        return kernel.namespaces().getSysctl(kernel.hostNamespace(), key);
    }

    private void set(String key, String value) {
        kernel.namespaces().setSysctl(kernel.hostNamespace(), key, value);
        LOG.info("host " + kernel.hostNamespace() + ": set " + key + "=" + value);
    }
}
