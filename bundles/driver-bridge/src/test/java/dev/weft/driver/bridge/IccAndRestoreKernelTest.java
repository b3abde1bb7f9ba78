package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Milestone 4: ICC off, reapply after a flush, restart with nothing duplicated. */
@ExtendWith(KernelTest.class)
class IccAndRestoreKernelTest extends BridgeFixture.PerTest {
    private static final Duration SHORT = Duration.ofMillis(700);
    private static final Duration WAIT = Duration.ofSeconds(2);
    private TestSandbox lan;

    @BeforeEach
    void setUp() throws Exception {
        lan = f.lanWithDefaultRoute();
    }

    @Test
    void iccOffBlocksSandboxesOfOneNetworkButNotPublishedPortsOrTheOutside() throws Exception {
        for (String brnf : new String[] {"1", "0"}) {
            f.host.sysctl("net.bridge.bridge-nf-call-iptables", brnf);
            String net = "quiet" + brnf;
            f.network(net, "10.81." + brnf + ".0/24", Map.of(BridgeOptions.ENABLE_ICC, "false"));
            TestSandbox a = f.sandbox("a" + brnf, net, (8080 + Integer.parseInt(brnf)) + ":80");
            TestSandbox b = f.sandbox("b" + brnf, net);
            try (TcpListener la = a.listenTcp(80); TcpListener lb = b.listenTcp(80); TcpListener out = lan.listenTcp(9000)) {
                assertFalse(b.canConnectTcp(f.ipv4(a, net), 80, SHORT), "b -> a, br_nf=" + brnf);
                assertFalse(a.canConnectTcp(f.ipv4(b, net), 80, SHORT), "a -> b, br_nf=" + brnf);
                assertTrue(b.canConnectTcp("10.99.0.1", 8080 + Integer.parseInt(brnf), WAIT), "published, br_nf=" + brnf);
                assertEquals("10.99.0.1", a.connectTcp("10.99.0.2", 9000).peerSeenBy(out));
                assertTrue(la.port() + lb.port() > 0);
            }
        }
        f.controller().removeSandbox(f.host.namespaceName("a1"));
        assertFalse(f.nft("list", "set", "bridge", "weft", "icc_off_ports").contains("wtv" + "x"));
    }

    @Test
    void reapplyRestoresTheRulesetAfterAFlush() throws Exception {
        f.network("blue", "10.81.0.0/24", Map.of());
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        TestSandbox a = f.sandbox("a", "blue");
        try (TcpListener l = web.listenTcp(80); TcpListener out = lan.listenTcp(9000)) {
            assertTrue(lan.canConnectTcp("10.99.0.1", 8080, WAIT));
            f.nft("flush", "ruleset");
            // (a connection would now reach the controller's reservation socket, not the sandbox)
            assertEquals("", f.nft("list", "ruleset").strip());
            f.driver.reapply();
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
            assertEquals("10.99.0.1", a.connectTcp("10.99.0.2", 9000).peerSeenBy(out));
        }
    }

    @Test
    void aRestartKeepsConnectivityAndDuplicatesNothing() throws Exception {
        f.network("blue", "10.81.0.0/24", Map.of());
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        TestSandbox a = f.sandbox("a", "blue");
        String rulesBefore = f.nft("list", "ruleset");
        String linksBefore = links();
        f.restart();
        assertEquals(linksBefore, links());
        assertEquals(rulesBefore, f.nft("list", "ruleset"));
        try (TcpListener l = web.listenTcp(80)) {
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
            assertEquals("10.81.0.1", a.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
        }
        // after a flush while Weft was down, the start writes the tables again
        f.stop();
        f.nft("flush", "ruleset");
        f.start();
        assertEquals(rulesBefore, f.nft("list", "ruleset"));
        try (TcpListener l = web.listenTcp(80)) {
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
        }
    }

    @Test
    void anIptablesForwardDropPolicyIsAnsweredWithNarrowAcceptsRemovedWithTheNetwork() throws Exception {
        // What `iptables -P FORWARD DROP` (iptables-nft) leaves; iptables itself is not installed here.
        f.nft("add", "table", "ip", "filter");
        f.nft("add", "chain", "ip", "filter", "FORWARD", "{ type filter hook forward priority filter; policy drop; }");
        f.network("blue", "10.81.0.0/24", Map.of());
        String bridge = f.driver.bridgeName(f.controller().network("blue").map(n -> new dev.weft.spi.NetworkConfig(n.id(),
                n.name(), false, false, List.of(), Map.of(), false)).orElseThrow(), BridgeOptions.defaults());
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        TestSandbox a = f.sandbox("a", "blue");
        String rules = f.nft("list", "chain", "ip", "filter", "FORWARD");
        assertTrue(rules.contains("iifname \"" + bridge + "\" accept") && rules.contains("oifname \"" + bridge + "\" accept"), rules);
        try (TcpListener l = web.listenTcp(80); TcpListener out = lan.listenTcp(9000)) {
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
            assertEquals("10.99.0.1", a.connectTcp("10.99.0.2", 9000).peerSeenBy(out));
            assertEquals(f.ipv4(a, "blue"), a.connectTcp(f.ipv4(web, "blue"), 80).peerSeenBy(l));
            lan.ip("route", "add", "10.81.0.0/24", "via", "10.99.0.1");
            assertFalse(lan.canConnectTcp(f.ipv4(web, "blue"), 80, SHORT), "still nothing unpublished");
        }
        f.controller().removeSandbox(web.name());
        f.controller().removeSandbox(a.name());
        f.controller().removeNetwork("blue");
        rules = f.nft("list", "chain", "ip", "filter", "FORWARD");
        assertFalse(rules.contains("accept"), rules);
        assertTrue(rules.contains("policy drop"), rules);
    }

    @Test
    void aBridgeDeletedWhileWeftWasDownIsMadeAgainWithItsPortsAtRestore() throws Exception {
        f.network("blue", "10.81.0.0/24", Map.of());
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        TestSandbox a = f.sandbox("a", "blue");
        String bridge = f.host.ip("-o", "link", "show", "type", "bridge").split(":")[1].strip();
        f.stop();
        f.host.ip("link", "del", bridge);
        f.start();
        try (TcpListener l = web.listenTcp(80)) {
            assertEquals(f.ipv4(a, "blue"), a.connectTcp(f.ipv4(web, "blue"), 80).peerSeenBy(l));
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
        }
    }

    @Test
    void aVethWhoseDeleteACrashInterruptedIsRemovedAtRestore() throws Exception {
        f.network("blue", "10.81.0.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "blue");
        f.sandbox("b", "blue");
        String hostEnd = f.endpointHostEnd(a, "blue");
        // as if the runtime died between the detach and the delete: the veth is detached and down
        f.host.ip("link", "set", hostEnd, "nomaster", "down");
        f.stop();
        // the controller's records still claim it, so restore re-attaches it rather than deleting it
        f.start();
        assertTrue(f.host.ip("-d", "link", "show", hostEnd).contains("master br-"), f.host.ip("-d", "link", "show", hostEnd));
        // an unclaimed marked veth (the endpoint is gone from the records) is removed
        String id = f.controller().network("blue").orElseThrow().id();
        f.host.ip("link", "add", "wtvdeadbeef0", "type", "veth", "peer", "name", "wtvdeadbeef1");
        f.host.ip("link", "set", "wtvdeadbeef0", "alias", "weft:test:" + id + "/" + "0".repeat(64));
        f.restart();
        assertFalse(f.host.tryIp("link", "show", "wtvdeadbeef0").succeeded());
    }

    /**
     * Elements no endpoint explains (a crash between an element batch and its record leaves them)
     * are removed at restore, whatever the order of core and driver: port mappings into the
     * network's subnet and ICC members of veths that are gone. A live sandbox's port and ICC member
     * stay, and so does its traffic; a sandbox later given the stale target address receives none.
     */
    @Test
    void elementsNoEndpointExplainsAreRemovedAtRestoreAndWithTheirNetwork() throws Exception {
        f.network("blue", "10.81.0.0/24", Map.of(BridgeOptions.ENABLE_ICC, "false"));
        f.network("green", "10.81.1.0/24", Map.of());
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        String webEnd = f.endpointHostEnd(web, "blue");
        f.stop();
        f.nft("add", "element", "inet", "weft", "pub_any", "{ tcp . 9090 : 10.81.0.77 . 80 }");
        f.nft("add", "element", "inet", "weft", "pub_addr", "{ 10.99.0.1 . udp . 9091 : 10.81.0.78 . 53 }");
        f.nft("add", "element", "inet", "weft", "pub_any", "{ tcp . 9092 : 10.81.1.79 . 80 }");
        f.nft("add", "element", "bridge", "weft", "icc_off_ports", "{ \"wtvdeadbeef0\" }");
        f.start();

        String any = f.nft("list", "map", "inet", "weft", "pub_any");
        assertFalse(any.contains("9090") || any.contains("9092"), "stale port elements removed:\n" + any);
        assertTrue(any.contains("tcp . 8080 : " + f.ipv4(web, "blue") + " . 80"), "the live one kept:\n" + any);
        assertFalse(f.nft("list", "map", "inet", "weft", "pub_addr").contains("9091"));
        String icc = f.nft("list", "set", "bridge", "weft", "icc_off_ports");
        assertFalse(icc.contains("wtvdeadbeef0"), icc);
        assertTrue(icc.contains(webEnd), "the live member kept:\n" + icc);
        try (TcpListener l = web.listenTcp(80)) {
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
        }
        f.controller().createSandbox(new dev.weft.api.SandboxSpec(f.host.namespaceName("late"), "blue",
                new dev.weft.api.EndpointSpec(dev.weft.net.IpAddresses.parse("10.81.0.77"), null, List.of(), List.of()),
                null));
        TestSandbox late = f.host.adopt("late");
        try (TcpListener l = late.listenTcp(80)) {
            assertFalse(lan.canConnectTcp("10.99.0.1", 9090, SHORT), "the stale port must not reach " + late.name());
        }

        // an element into a network's subnet goes with the network, even one restore never saw
        f.nft("add", "element", "inet", "weft", "pub_any", "{ tcp . 9093 : 10.81.1.80 . 80 }");
        f.controller().removeNetwork("green");
        assertFalse(f.nft("list", "map", "inet", "weft", "pub_any").contains("9093"));
    }

    /**
     * The host's links, without their operational state: the kernel updates it in a worker a
     * moment after a carrier change (a bridge shows UNKNOWN, then UP), so it says nothing about
     * what a restart kept or duplicated.
     */
    private String links() {
        return f.host.ip("-o", "link").replaceAll(" state [A-Z]+ ", " ");
    }
}
