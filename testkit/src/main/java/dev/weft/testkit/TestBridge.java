package dev.weft.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * A Linux bridge in a {@link TestHost}'s namespace, addressed like a container network's
 * gateway. Sandboxes are attached with veth pairs whose sandbox end is created directly inside
 * the sandbox (no move between namespaces).
 */
public final class TestBridge {
    private final TestHost host;
    private final String name;
    private final List<String> cidrs;

    TestBridge(TestHost host, String name, List<String> cidrs) {
        this.host = host;
        this.name = name;
        this.cidrs = List.copyOf(cidrs);
    }

    public String name() {
        return name;
    }

    /** The bridge's own addresses with prefix, e.g. ["10.1.0.1/24", "fd00:1::1/64"]. */
    public List<String> cidrs() {
        return cidrs;
    }

    /**
     * Connects the sandbox with a new interface (eth0, then eth1, …) carrying the given
     * addresses (IPv4 and/or IPv6, e.g. "10.1.0.2/24", "fd00:1::2/64"). On the sandbox's first
     * interface, default routes go via the bridge's address of each family given. The host end
     * is named {@code v<n>-<short name>} (at most 15 characters). Returns this bridge for chaining.
     */
    public TestBridge attach(TestSandbox sandbox, String cidr, String... moreCidrs) {
        boolean first = !sandbox.hasInterfaces();
        String hostEnd = host.nextVethName(sandbox.shortName());
        String inside = sandbox.nextInterfaceName();
        host.ip("link", "add", hostEnd, "type", "veth", "peer", "name", inside, "netns", sandbox.name());
        host.ip("link", "set", hostEnd, "master", name, "up");
        sandbox.ip("link", "set", inside, "up");
        List<String> addresses = concat(cidr, moreCidrs);
        for (String address : addresses) {
            sandbox.addAddress(inside, address);
        }
        if (first) {
            for (String address : addresses) {
                String gateway = gatewayFor(address);
                if (gateway != null) {
                    sandbox.ip("route", "add", "default", "via", gateway, "dev", inside);
                }
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return name + " " + cidrs + " in " + host.name();
    }

    /** The bridge's address of the same family, or null when the bridge has none. */
    private String gatewayFor(String cidr) {
        boolean v6 = Addresses.isIpv6(cidr);
        return cidrs.stream()
                .filter(own -> Addresses.isIpv6(own) == v6)
                .map(Addresses::withoutPrefix)
                .findFirst()
                .orElse(null);
    }

    private static List<String> concat(String first, String... more) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(List.of(more));
        return all;
    }
}
