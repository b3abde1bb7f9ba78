package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.NamespaceProbe;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Links, addresses and routes on the real kernel, each test inside a throwaway host namespace,
 * proven by traffic between sandbox namespaces that Weft's kernel layer created and plumbed.
 */
@ExtendWith(KernelTest.class)
class RtnetlinkKernelTest {
    private TestHost host;
    private Kernel kernel;

    @BeforeEach
    void setUp() {
        host = TestHost.create();
        kernel = Kernel.open(KernelConfig.defaults().withHostNamespace(host.path()));
    }

    @AfterEach
    void tearDown() {
        try {
            if (kernel != null) {
                kernel.close();
            }
        } finally {
            host.close(); // deletes the sandboxes it adopted, then the host namespace
        }
    }

    /**
     * A sandbox plumbed the way a bridge driver will: veth peer born inside as eth0, addresses,
     * routes, lo up. Named so the test kit can probe it and remove it whatever happens.
     */
    private NetNamespace sandbox(String shortName, String hostEnd, String v4, String v6) {
        NetNamespace ns = kernel.namespaces().create(host.adopt(shortName).name());
        return plumb(ns, shortName, hostEnd, v4, v6);
    }

    private NetNamespace plumb(NetNamespace ns, String name, String hostEnd, String v4, String v6) {
        kernel.host().createLink(LinkSpec.veth(hostEnd, "eth0", ns).master("br0").up().mtu(1400)
                .alias("weft:test:" + name));
        kernel.host().setLink(LinkChange.of(hostEnd).hairpin(true));
        kernel.inNamespace(ns, rt -> {
            int eth0 = rt.index("eth0");
            rt.batch()
                    .setLink(LinkChange.of(1).up())
                    .setLink(LinkChange.of(eth0).up())
                    .addAddress(eth0, InterfaceAddress.parse(v4))
                    .addAddress(eth0, InterfaceAddress.parse(v6))
                    .barrier()
                    .addRoute(Route.defaultVia(IpAddresses.parse("10.1.0.1")))
                    .addRoute(Route.defaultVia(IpAddresses.parse("fd00:1::1")))
                    .send();
            return null;
        });
        return ns;
    }

    private void bridge() {
        kernel.host().createLink(LinkSpec.bridge("br0").up().alias("weft:test:br0"));
        int br = kernel.host().index("br0");
        kernel.host().batch()
                .addAddress(br, InterfaceAddress.parse("10.1.0.1/24"))
                .addAddress(br, InterfaceAddress.parse("fd00:1::1/64"))
                .send();
    }

    @Test
    void twoSandboxesOnABridgeTalkTcpOverIpv4AndIpv6AtOnce() throws Exception {
        bridge();
        sandbox("a", "veth-a", "10.1.0.2/24", "fd00:1::2/64");
        NetNamespace b = sandbox("b", "veth-b", "10.1.0.3/24", "fd00:1::3/64");
        var sbA = host.sandboxes().get(0);
        var sbB = host.sandboxes().get(1);

        List<AddressInfo> addrs = kernel.inNamespace(b, rt -> rt.addresses(10));
        assertTrue(addrs.stream().anyMatch(a -> a.address().toString().equals("fd00:1::3/64") && !a.isTentative()),
                "fd00:1::3/64 should be present and not tentative: " + addrs);

        try (TcpListener l = sbB.listenTcp(8080)) {
            try (TcpConnection c = sbA.connectTcp("10.1.0.3", 8080)) {
                assertEquals("10.1.0.2", c.peerSeenBy(l));
            }
            try (TcpConnection c = sbA.connectTcp("fd00:1::3", 8080)) {
                assertEquals("fd00:1::2", c.peerSeenBy(l));
            }
        }

        Link hostEnd = kernel.host().link("veth-a").orElseThrow();
        assertEquals(kernel.host().index("br0"), hostEnd.master());
        assertEquals(1400, hostEnd.mtu());
        assertEquals("weft:test:a", hostEnd.alias());
        assertTrue(host.ip("-d", "link", "show", "veth-a").contains("hairpin on"), "hairpin should be on");
        Link eth0 = kernel.inNamespace(b, rt -> rt.link("eth0")).orElseThrow();
        assertEquals(1400, eth0.mtu());
        assertTrue(eth0.hasCarrier());
        List<Route> routes = kernel.inNamespace(b, rt -> rt.routes(2));
        assertTrue(routes.stream().anyMatch(r -> r.destination().isDefault()
                && r.gateway().equals(IpAddresses.parse("10.1.0.1"))), "default route: " + routes);
    }

    @Test
    void sysctlsGoIntoTheNamespaceOnTheTripThatOpensItsSocket() {
        NetNamespace ns = kernel.namespaces().create(host.adopt("sys").name());
        kernel.host().createLink(LinkSpec.veth("veth-s", "eth0", ns));
        String hostAll = host.sysctl("net.ipv6.conf.all.disable_ipv6");

        int index = kernel.inNamespace(ns, java.util.Map.of("net/ipv6/conf/eth0/disable_ipv6", "1"), rt -> rt.index("eth0"));

        var sandbox = host.sandboxes().get(0);
        assertEquals("1", sandbox.sysctl("net/ipv6/conf/eth0/disable_ipv6"));
        assertEquals(hostAll, host.sysctl("net.ipv6.conf.all.disable_ipv6"), "the host namespace is untouched");
        KernelException e = assertThrows(KernelException.class, () -> kernel.inNamespace(ns,
                rt -> { rt.addAddress(index, InterfaceAddress.parse("fd00:5::2/64")); return null; }));
        assertTrue(e.getMessage().contains("fd00:5::2/64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> kernel.inNamespace(ns,
                java.util.Map.of("kernel.hostname", "x"), rt -> null));
    }

    @Test
    void removedSandboxNamespaceIsReallyGone() {
        bridge();
        NetNamespace ns = sandbox("gone", "veth-g", "10.1.0.9/24", "fd00:1::9/64");
        assertTrue(kernel.host().link("veth-g").isPresent());

        kernel.namespaces().delete(ns.name());

        // The host end of the pair disappears only when the kernel destroys the sandbox namespace,
        // which it does only when nothing (no socket or descriptor of ours) holds it any more.
        assertTrue(NamespaceProbe.waitUntilGone(host, "veth-g", Duration.ofSeconds(5)),
                "veth-g should vanish with its namespace: something keeps net:[" + ns.inode() + "] alive");
        assertFalse(NamespaceProbe.referencedByAnyProcess(ns.inode()));
        assertTrue(kernel.namespaces().get(ns.name()).isEmpty());
    }

    @Test
    void linkSettingsCanBeChangedAndDetached() {
        bridge();
        kernel.host().createLink(LinkSpec.veth("veth-x", "veth-y", null));
        kernel.host().setLink(LinkChange.of("veth-x").master("br0").mtu(1300).group(7)
                .mac(MacAddress.parse("02:42:0a:01:00:07")).alias("weft:test:x").up());
        Link x = kernel.host().link("veth-x").orElseThrow();
        assertEquals(kernel.host().index("br0"), x.master());
        assertEquals(1300, x.mtu());
        assertEquals(7, x.group());
        assertEquals("02:42:0a:01:00:07", x.mac().toString());
        assertEquals("veth", x.kind());
        assertTrue(x.isUp());

        kernel.host().setLink(LinkChange.of(x.index()).noMaster().down().rename("veth-z"));
        Link z = kernel.host().link(x.index()).orElseThrow();
        assertEquals("veth-z", z.name());
        assertEquals(0, z.master());
        assertFalse(z.isUp());
        assertTrue(kernel.host().deleteLinkIfExists("veth-z"));
        assertFalse(kernel.host().deleteLinkIfExists("veth-z"));
        assertTrue(kernel.host().link("veth-y").isEmpty(), "deleting one end deletes the pair");
    }

    @Test
    void routesViaGatewayAndOnLinkCanBeAddedListedAndDeleted() {
        bridge();
        int br = kernel.host().index("br0");
        Route via = Route.via(IpPrefix.parse("10.9.0.0/16"), IpAddresses.parse("10.1.0.5")).withMetric(50);
        Route onLink = Route.via(IpPrefix.parse("10.8.0.0/16"), IpAddresses.parse("192.0.2.1")).onLink(br);
        Route direct = Route.direct(IpPrefix.parse("10.7.0.0/16"), br);
        kernel.host().batch().addRoute(via).addRoute(onLink).addRoute(direct).send();

        List<Route> routes = kernel.host().routes(2);
        assertTrue(routes.stream().anyMatch(r -> r.destination().toString().equals("10.9.0.0/16")
                && r.metric() == 50 && r.device() == br), "via route: " + routes);
        assertTrue(routes.stream().anyMatch(r -> r.destination().toString().equals("10.8.0.0/16") && r.onLink()),
                "onlink route: " + routes);
        assertTrue(routes.stream().anyMatch(r -> r.destination().toString().equals("10.7.0.0/16")
                && r.gateway() == null), "direct route: " + routes);

        kernel.host().batch().deleteRoute(via).deleteRoute(onLink).deleteRoute(direct).send();
        assertTrue(kernel.host().routes(2).stream().noneMatch(r -> r.destination().toString().startsWith("10.9.")
                || r.destination().toString().startsWith("10.8.") || r.destination().toString().startsWith("10.7.")));
    }

    @Test
    void errorsNameTheObjectAndLeaveNothingBehind() {
        bridge();
        List<String> before = names(kernel.host().links());

        KernelException exists = assertThrows(KernelException.class,
                () -> kernel.host().createLink(LinkSpec.bridge("br0").alias("weft:test:stolen")));
        assertEquals("cannot create link \"br0\": EEXIST (File exists)", exists.getMessage());
        assertEquals("weft:test:br0", kernel.host().link("br0").orElseThrow().alias(),
                "a failed create must not touch the existing link's alias");

        Path nope = Path.of("/run/netns", host.namespaceName("nope"));
        NetNamespace missing = new NetNamespace("nope", nope, 0, 0);
        KernelException noNs = assertThrows(KernelException.class,
                () -> kernel.host().createLink(LinkSpec.veth("veth-n", "eth0", missing)));
        assertTrue(noNs.getMessage().startsWith("cannot open network namespace \"" + nope + "\": ENOENT"),
                noNs.getMessage());

        KernelException dummy = assertThrows(KernelException.class,
                () -> kernel.host().createLink(LinkSpec.of("dummy", "dummy0")));
        assertEquals("EOPNOTSUPP", dummy.errnoName());
        assertTrue(dummy.getMessage().startsWith("cannot create link \"dummy0\": EOPNOTSUPP (Operation not supported)"),
                dummy.getMessage());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> InterfaceAddress.parse("10.0.0.300/24"));
        assertTrue(bad.getMessage().contains("10.0.0.300/24"), bad.getMessage());

        KernelException noDev = assertThrows(KernelException.class, () -> kernel.host().deleteLink("nosuch0"));
        assertTrue(noDev.isNotFound());
        assertTrue(noDev.getMessage().startsWith("cannot delete link \"nosuch0\": ENODEV"), noDev.getMessage());

        KernelException badRoute = assertThrows(KernelException.class,
                () -> kernel.host().addRoute(Route.defaultVia(IpAddresses.parse("10.200.0.1"))));
        assertTrue(badRoute.getMessage().startsWith("cannot add route \"default via 10.200.0.1\": ENETUNREACH"),
                badRoute.getMessage());

        assertEquals(before, names(kernel.host().links()), "a failed request must leave no link behind");
    }

    @Test
    void namedNamespacesAreCreatedListedAdoptedAndDeleted() throws Exception {
        // Named after the test's world, so the test kit's leak check knows its mounts for this test's.
        Path netnsDir = Files.createTempDirectory(Path.of("/run"), host.name() + "-netns-");
        try (Kernel k = Kernel.open(KernelConfig.defaults().withHostNamespace(host.path())
                .withNamespaceDirectory(netnsDir))) {
            namespacesInAPrivateDirectory(k, netnsDir);
        } finally {
            // create() made the directory a shared mount point of its own, as iproute2 does
            for (Path p : Files.list(netnsDir).toList()) {
                new ProcessBuilder("umount", "-l", p.toString()).start().waitFor();
                Files.deleteIfExists(p);
            }
            new ProcessBuilder("umount", "-l", netnsDir.toString()).start().waitFor();
            Files.deleteIfExists(netnsDir);
        }
    }

    private void namespacesInAPrivateDirectory(Kernel kernel, Path netnsDir) throws Exception {
        NetNamespace ns = kernel.namespaces().create("n1");
        assertEquals(List.of("n1"), kernel.namespaces().list().stream().map(NetNamespace::name).toList());
        assertEquals(ns.inode(), NamespaceProbe.inode(netnsDir.resolve("n1")));
        KernelException dup = assertThrows(KernelException.class, () -> kernel.namespaces().create("n1"));
        assertTrue(dup.isExists(), dup.getMessage());

        NetNamespace adopted = kernel.namespaces().adopt(netnsDir.resolve("n1"));
        assertTrue(adopted.sameAs(ns));
        assertThrows(KernelException.class, () -> kernel.namespaces().adopt(Path.of("/proc/self/status")));
        assertThrows(IllegalArgumentException.class, () -> kernel.namespaces().create("bad/name"));

        // Values this test sets, not the kernel's defaults: a new namespace inherits IPv4 settings
        // such as ip_forward from the machine's, which Docker or Weft's default bridge set to 1.
        kernel.namespaces().setSysctl(kernel.hostNamespace(), "net.ipv4.ip_forward", "0");
        kernel.namespaces().setSysctl(ns, "net.ipv4.ip_forward", "1");
        assertEquals("1", kernel.namespaces().getSysctl(ns, "net.ipv4.ip_forward"));
        assertEquals("0", kernel.namespaces().getSysctl(kernel.hostNamespace(), "net.ipv4.ip_forward"),
                "a sysctl is per namespace");
        kernel.namespaces().setSysctl(kernel.hostNamespace(), "net.ipv4.ip_forward", "1");
        kernel.namespaces().setSysctl(ns, "net.ipv4.ip_forward", "0");
        assertEquals("1", kernel.namespaces().getSysctl(kernel.hostNamespace(), "net.ipv4.ip_forward"));
        assertEquals("0", kernel.namespaces().getSysctl(ns, "net.ipv4.ip_forward"), "a sysctl is per namespace");

        List<Link> links = kernel.inNamespace(ns, Rtnetlink::links);
        assertEquals(List.of("lo"), names(links));

        kernel.namespaces().delete("n1");
        kernel.namespaces().delete("n1");
        assertTrue(kernel.namespaces().list().isEmpty());
        assertFalse(Files.exists(netnsDir.resolve("n1")));

        // empty again, the private directory is given back: no mount of it remains (purge's last step)
        assertTrue(mounted(netnsDir), "create() made " + netnsDir + " a mount point of its own");
        assertTrue(kernel.namespaces().releaseDirectory(), "releaseDirectory() of an empty private directory");
        assertFalse(mounted(netnsDir), netnsDir + " is still mounted after releaseDirectory()");
        assertFalse(kernel.namespaces().releaseDirectory(), "a second release finds nothing to unmount");
        NetNamespace again = kernel.namespaces().create("n2");   // prepared anew on the next create
        assertTrue(mounted(netnsDir));
        assertFalse(kernel.namespaces().releaseDirectory(), "a directory holding a namespace is left alone");
        assertTrue(kernel.namespaces().get("n2").orElseThrow().sameAs(again));
        kernel.namespaces().delete("n2");
        assertTrue(kernel.namespaces().releaseDirectory());
        assertFalse(mounted(netnsDir));
        try (Kernel defaults = Kernel.open(KernelConfig.defaults().withHostNamespace(host.path()))) {
            assertFalse(defaults.namespaces().releaseDirectory(), "/run/netns stays as ip netns leaves it");
        }
    }

    private static boolean mounted(Path dir) throws Exception {
        String target = dir.toAbsolutePath().normalize().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .anyMatch(target::equals);
    }

    @Test
    void namespacesInRunNetnsWorkWithIpNetnsExec() throws Exception {
        String name = host.adopt("ipx").name();
        NetNamespace ns = kernel.namespaces().create(name);
        kernel.inNamespace(ns, rt -> {
            rt.setLink(LinkChange.of("lo").up());
            return null;
        });
        String out = host.exec("ip", "netns", "exec", name, "ip", "-o", "link", "show", "lo");
        assertTrue(out.contains("UP"), out);
        kernel.namespaces().delete(name);
        assertFalse(Files.exists(Path.of("/run/netns", name)));
    }

    /**
     * {@link Rtnetlink#setDefaultRoutes}: adds a wanted default route via one of the given gateways,
     * deletes an unwanted one, leaves default routes via other gateways or other devices alone, and
     * sends nothing when all is as asked.
     */
    @Test
    void defaultRoutesThroughADeviceBecomeWhatIsAsked() {
        NetNamespace ns = kernel.namespaces().create(host.adopt("gw").name());
        kernel.host().createLink(LinkSpec.veth("gwh", "eth0", ns).up());
        kernel.inNamespace(ns, rt -> {
            int eth0 = rt.index("eth0");
            rt.batch().setLink(LinkChange.of(eth0).up()).addAddress(eth0, InterfaceAddress.parse("10.5.0.2/24"))
                    .addAddress(eth0, InterfaceAddress.parse("10.6.0.2/24")).send();
            var gw = IpAddresses.parse("10.5.0.1");
            var other = IpAddresses.parse("10.6.0.1");
            rt.addRoute(Route.defaultVia(other, eth0).withMetric(50)); // not ours to touch
            assertEquals(1, rt.setDefaultRoutes(eth0, List.of(gw), List.of(Route.defaultVia(gw, eth0).withMetric(10))));
            assertEquals(0, rt.setDefaultRoutes(eth0, List.of(gw), List.of(Route.defaultVia(gw, eth0).withMetric(10))),
                    "nothing to change the second time");
            List<Route> defaults = rt.routes(0).stream().filter(r -> r.destination().isDefault()).toList();
            assertEquals(2, defaults.size(), defaults::toString);
            assertTrue(defaults.stream().anyMatch(r -> gw.equals(r.gateway()) && r.metric() == 10), defaults::toString);
            assertEquals(1, rt.setDefaultRoutes(eth0, List.of(gw), List.of()));
            List<Route> left = rt.routes(0).stream().filter(r -> r.destination().isDefault()).toList();
            assertEquals(List.of(other), left.stream().map(Route::gateway).toList(), "only the other gateway's is left");
            return null;
        });
    }

    private static List<String> names(List<Link> links) {
        return links.stream().map(Link::name).sorted().toList();
    }
}
