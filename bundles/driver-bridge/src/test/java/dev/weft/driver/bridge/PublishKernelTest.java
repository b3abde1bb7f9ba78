package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.PortBinding;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import dev.weft.testkit.UdpListener;
import dev.weft.testkit.UdpSender;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Milestone 3: published ports, proven by traffic from every side the issue names. */
@ExtendWith(KernelTest.class)
class PublishKernelTest extends BridgeFixture.PerTest {
    private static final Duration SHORT = Duration.ofMillis(700);
    private static final Duration WAIT = Duration.ofSeconds(2);
    private TestSandbox lan;

    @BeforeEach
    void setUp() throws Exception {
        lan = f.lanWithDefaultRoute();
        f.network("blue", "10.81.0.0/24", Map.of());
    }

    @Test
    void aPublishedPortIsReachableFromOutsideTheHostAndASandboxOfTheSameNetwork() throws Exception {
        TestSandbox web = f.sandbox("web", "blue", "8080:80", "8053:53/udp");
        TestSandbox peer = f.sandbox("peer", "blue");
        try (TcpListener l = web.listenTcp(80); UdpListener u = web.listenUdp(53)) {
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l), "from the LAN");
            lan.sendUdp("10.99.0.1", 8053, "lan");
            assertEquals("lan", u.awaitDatagram(WAIT).payload());
            assertTrue(f.host.canConnectTcp("127.0.0.1", 8080, WAIT), "host via 127.0.0.1");
            assertTrue(f.host.canConnectTcp("10.99.0.1", 8080, WAIT), "host via its own address");
            assertEquals("10.81.0.1", peer.connectTcp("10.99.0.1", 8080).peerSeenBy(l), "hairpin from the same network");
            assertTrue(web.canConnectTcp("10.99.0.1", 8080, WAIT), "a sandbox reaching its own published port");
        }
        // unpublished with the sandbox: nothing answers any more
        f.controller().removeSandbox(web.name());
        assertFalse(lan.canConnectTcp("10.99.0.1", 8080, SHORT));
    }

    @Test
    void aSandboxOfAnotherNetworkReachesAPublishedPortThroughTheHostAddress() throws Exception {
        f.network("green", "10.81.1.0/24", Map.of());
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        TestSandbox other = f.sandbox("other", "green");
        try (TcpListener l = web.listenTcp(80)) {
            assertTrue(other.canConnectTcp("10.99.0.1", 8080, WAIT));
            assertFalse(other.canConnectTcp(f.ipv4(web, "blue"), 80, SHORT), "not directly");
            assertTrue(l.port() > 0);
        }
    }

    @Test
    void aRangeAndAnEphemeralPortArePublished() throws Exception {
        TestSandbox web = f.sandbox("web", "blue", "9000-9002:7000-7002", "80");
        List<PortBinding> ports = f.endpoint(web, "blue").ports();
        int ephemeral = ports.stream().filter(p -> p.containerPort() == 80).findFirst().orElseThrow().hostPort();
        assertTrue(ephemeral > 0, ports.toString());
        try (TcpListener l0 = web.listenTcp(7000); TcpListener l2 = web.listenTcp(7002); TcpListener l = web.listenTcp(80)) {
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 9000).peerSeenBy(l0));
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 9002).peerSeenBy(l2));
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", ephemeral).peerSeenBy(l));
        }
    }

    @Test
    void aLoopbackBindingIsReachableFromTheHostOnlyNotFromANamespaceRoutingLoopbackToTheHost() throws Exception {
        TestSandbox web = f.sandbox("web", "blue", "127.0.0.1:8081:81");
        try (TcpListener l = web.listenTcp(81)) {
            assertTrue(f.host.canConnectTcp("127.0.0.1", 8081, WAIT), "the host itself");
            assertFalse(f.host.canConnectTcp("10.99.0.1", 8081, SHORT), "not on the host's other addresses");
            // the attack of CVE-2020-8558: a neighbour routes 127.0.0.0/8 to the host
            lan.sysctl("net.ipv4.conf.all.route_localnet", "1");
            lan.sysctl("net.ipv4.conf.eth0.route_localnet", "1");
            lan.ip("addr", "del", "127.0.0.1/8", "dev", "lo");
            lan.ip("route", "add", "127.0.0.0/8", "via", "10.99.0.1");
            assertFalse(lan.canConnectTcp("127.0.0.1", 8081, SHORT), "from the LAN");
            assertTrue(l.port() > 0);
        }
    }

    @Test
    void aUdpFlowFollowsAPortRepublishedToAnotherSandbox() throws Exception {
        TestSandbox one = f.sandbox("one", "blue", "8053:53/udp");
        TestSandbox two = f.sandbox("two", "blue");
        try (UdpListener u1 = one.listenUdp(53); UdpListener u2 = two.listenUdp(53); UdpSender s = lan.udpSender(40000)) {
            s.send("10.99.0.1", 8053, "first");
            assertEquals("first", u1.awaitDatagram(WAIT).payload());
            f.controller().removeSandbox(one.name()); // unpublishes, deletes the flow's conntrack entry
            f.controller().disconnect("blue", two.name(), false);
            f.controller().connect("blue", two.name(), new EndpointSpec(null, null, List.of(),
                    List.of(PortSpec.parse("8053:53/udp"))));
            s.send("10.99.0.1", 8053, "second");
            assertEquals("second", u2.awaitDatagram(WAIT).payload());
        }
    }

    @Test
    void portsOnAnInternalNetworkAreRefusedAndLeaveNothing() throws Exception {
        f.network("closed", List.of("10.81.5.0/24"), false, true, Map.of());
        String name = f.host.namespaceName("x");
        var e = assertThrows(WeftException.class, () -> f.controller().createSandbox(new SandboxSpec(name, "closed",
                new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("8080:80"))), null)));
        assertTrue(e.getMessage().contains("internal"), e.getMessage());
        assertTrue(f.controller().sandboxes().isEmpty());
    }

    @Test
    void anIpv6PublishedPortIsReachableAndUplinksKeepAcceptingRouterAdvertisements() throws Exception {
        String uplink = f.host.exec("ip", "-o", "-4", "addr", "show", "to", "10.99.0.1").split("\\s+")[1];
        f.host.ip("addr", "add", "fd00:99::1/64", "dev", uplink, "nodad");
        lan.ip("addr", "add", "fd00:99::2/64", "dev", "eth0", "nodad");
        f.host.ip("-6", "route", "add", "default", "via", "fd00:99::2");
        f.host.sysctl("net.ipv6.conf." + uplink + ".accept_ra", "1");
        f.network("six", List.of("10.81.6.0/24", "fd00:81:6::/64"), true, false, Map.of());
        assertEquals("2", f.host.sysctl("net.ipv6.conf." + uplink + ".accept_ra"), "set before forwarding went on");
        assertEquals("1", f.host.sysctl("net.ipv6.conf.all.forwarding"));
        TestSandbox web = f.sandbox("web", "six", "8080:80");
        try (TcpListener l = web.listenTcp(80); TcpListener out = lan.listenTcp(9000)) {
            assertEquals("fd00:99::2", lan.connectTcp("fd00:99::1", 8080).peerSeenBy(l));
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
            assertEquals("fd00:99::1", web.connectTcp("fd00:99::2", 9000).peerSeenBy(out), "IPv6 masquerade");
            assertTrue(f.host.canConnectTcp("fd00:99::1", 8080, WAIT), "the host through its own IPv6 address");
            TestSandbox peer = f.sandbox("peer", "six");
            assertEquals("fd00:81:6::1", peer.connectTcp("fd00:99::1", 8080).peerSeenBy(l), "IPv6 hairpin");
        }
    }

    @Test
    void aHostPortHeldByAHostProcessOrAnotherSandboxIsRefusedAndNothingIsLeft() throws Exception {
        f.sandbox("web", "blue", "8080:80");
        try (TcpListener hostProcess = f.host.listenTcp(8090)) {
            for (String port : List.of("8080:80", "8090:80")) {
                String name = f.host.namespaceName("late" + port.substring(0, 4));
                var e = assertThrows(WeftException.class, () -> f.controller().createSandbox(new SandboxSpec(name, "blue",
                        new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse(port))), null)));
                assertTrue(e.getMessage().contains(port.substring(0, 4)), e.getMessage());
            }
            assertTrue(hostProcess.port() > 0);
        }
        assertEquals(1, f.controller().sandboxes().size());
        f.driver.drain(); // the refused joins' veths were detached at once and are deleted off the user's path
        assertEquals(1, f.host.ip("-o", "link", "show", "type", "veth").lines().filter(x -> x.contains("wtv")).count());
        assertEquals(1, f.nft("list", "map", "inet", "weft", "pub_any").lines().filter(x -> x.contains(" . 80")).count());
    }

    /**
     * A connect refused for its host port (published by another sandbox, or held by a host
     * process) changes nothing in the kernel at any moment: a link monitor running in the host
     * namespace sees no veth come and go, and none waits for the background deleter afterwards.
     */
    @Test
    void aRefusedConnectMakesNoInterfaceAtAnyMoment() throws Exception {
        f.network("green", "10.81.1.0/24", Map.of());
        f.sandbox("web", "blue", "8080:80");
        TestSandbox late = f.sandbox("late", "green");
        String linksBefore = f.host.ip("-o", "link", "show", "type", "veth");
        java.nio.file.Path events = f.dir.resolve("link-events");
        Process monitor = f.host.spawn("sh", "-c", "exec ip -o monitor link > " + events);
        try (TcpListener hostProcess = f.host.listenTcp(8090)) {
            Thread.sleep(300); // the monitor has subscribed
            for (String port : List.of("8080:80", "8090:80")) {
                var e = assertThrows(WeftException.class, () -> f.controller().connect("blue", late.name(),
                        new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse(port)))));
                assertTrue(e.getMessage().contains(port.substring(0, 4)), e.getMessage());
                assertEquals(linksBefore, f.host.ip("-o", "link", "show", "type", "veth"),
                        "no veth is left for the background deleter after refusing " + port);
            }
            assertTrue(hostProcess.port() > 0);
            Thread.sleep(200);
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        String seen = java.nio.file.Files.readString(events);
        assertFalse(seen.contains("wtv"), "a refused connect made and removed a veth:\n" + seen);
        assertEquals(1, f.controller().sandbox(late.name()).orElseThrow().endpoints().size(), "still on green only");
    }

    @Test
    void sandboxesJoiningConcurrentlyAllGetTheirPorts() throws Exception {
        f.network("green", "10.81.1.0/24", Map.of(BridgeOptions.ENABLE_ICC, "false"));
        int n = 12;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<TestSandbox>> made = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                made.add(pool.submit(() -> f.sandbox("c" + k, k % 2 == 0 ? "blue" : "green", (8100 + k) + ":80")));
            }
            for (int i = 0; i < n; i++) {
                TestSandbox s = made.get(i).get();
                try (TcpListener l = s.listenTcp(80)) {
                    assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8100 + i).peerSeenBy(l), "sandbox " + i);
                }
            }
            assertEquals(n / 2, f.nft("list", "set", "bridge", "weft", "icc_off_ports").split("\"wtv", -1).length - 1);
            List<java.util.concurrent.Future<?>> gone = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = f.host.namespaceName("c" + i);
                gone.add(pool.submit(() -> f.controller().removeSandbox(name)));
            }
            for (var g : gone) {
                g.get();
            }
        } finally {
            pool.shutdownNow();
        }
        f.driver.drain();
        String any = f.nft("list", "map", "inet", "weft", "pub_any");
        assertFalse(any.contains("elements"), any);
        assertFalse(f.nft("list", "set", "bridge", "weft", "icc_off_ports").contains("elements"));
    }

    @Test
    void theRulesetDoesNotGrowWithPorts() throws Exception {
        int before = f.nft("list", "chain", "inet", "weft", "publish").lines().toList().size();
        f.sandbox("web", "blue", "8080:80", "8081:81/udp", "127.0.0.1:8082:82");
        assertEquals(before, f.nft("list", "chain", "inet", "weft", "publish").lines().toList().size());
        String maps = f.nft("list", "map", "inet", "weft", "pub_any");
        assertTrue(maps.contains("tcp . 8080 : 10.81.0.2 . 80") && maps.contains("udp . 8081 : 10.81.0.2 . 81"), maps);
        assertTrue(f.nft("list", "map", "inet", "weft", "pub_addr").contains("127.0.0.1 . tcp . 8082 : 10.81.0.2 . 82"));
    }
}
