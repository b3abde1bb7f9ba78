package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Milestone 2: masquerade, isolation, internal networks, firewall mode none; proven by traffic. */
@ExtendWith(KernelTest.class)
class FirewallKernelTest {
    private static final Duration SHORT = Duration.ofMillis(700);
    /** Positive checks may wait long (they return at once on success): load must not fail them. */
    private static final Duration REACHABLE = Duration.ofSeconds(5);
    private BridgeFixture f;

    @AfterEach
    void tearDown() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aSandboxReachesTheOutsideMasqueradedToTheHostAddress() throws Exception {
        f = new BridgeFixture();
        TestSandbox lan = f.lanWithDefaultRoute();
        f.network("blue", "10.81.0.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "blue");
        try (TcpListener l = lan.listenTcp(9000)) {
            assertEquals("10.99.0.1", a.connectTcp("10.99.0.2", 9000).peerSeenBy(l));
        }
        assertTrue(f.nft("list", "table", "inet", "weft").contains("ip saddr 10.81.0.0/24 oifname != \"br-"));
    }

    @Test
    void withMasqueradeOffOrRoutedTheOutsideSeesTheSandboxAddress() throws Exception {
        f = new BridgeFixture();
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        lan.ip("route", "add", "10.81.0.0/23", "via", "10.99.0.1");
        f.network("plain", "10.81.0.0/24", Map.of(BridgeOptions.ENABLE_IP_MASQUERADE, "false"));
        f.network("routed", "10.81.1.0/24", Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "routed"));
        TestSandbox a = f.sandbox("a", "plain");
        TestSandbox b = f.sandbox("b", "routed");
        try (TcpListener l = lan.listenTcp(9000)) {
            assertEquals(f.ipv4(a, "plain"), a.connectTcp("10.99.0.2", 9000).peerSeenBy(l));
            assertEquals(f.ipv4(b, "routed"), b.connectTcp("10.99.0.2", 9000).peerSeenBy(l));
        }
    }

    @Test
    void networksAreIsolatedAndARoutedHostReachesNothingUnpublished() throws Exception {
        f = new BridgeFixture();
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        lan.ip("route", "add", "10.81.0.0/16", "via", "10.99.0.1");
        f.network("red", "10.81.1.0/24", Map.of());
        f.network("green", "10.81.2.0/24", Map.of());
        TestSandbox r = f.sandbox("r", "red");
        TestSandbox r2 = f.sandbox("r2", "red");
        TestSandbox g = f.sandbox("g", "green");
        try (TcpListener lr = r.listenTcp(80); TcpListener lg = g.listenTcp(80)) {
            assertFalse(g.canConnectTcp(f.ipv4(r, "red"), 80, SHORT), "green -> red");
            assertFalse(r.canConnectTcp(f.ipv4(g, "green"), 80, SHORT), "red -> green");
            assertFalse(lan.canConnectTcp(f.ipv4(r, "red"), 80, SHORT), "routed LAN host -> red");
            assertTrue(r2.canConnectTcp(f.ipv4(r, "red"), 80, REACHABLE), "same network");
            assertTrue(lr.port() > 0 && lg.port() > 0);
        }
    }

    @Test
    void anInternalNetworkHasNoRouteOut() throws Exception {
        f = new BridgeFixture();
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        lan.ip("route", "add", "10.81.0.0/24", "via", "10.99.0.1");
        f.network("closed", List.of("10.81.0.0/24"), false, true, Map.of());
        TestSandbox a = f.sandbox("a", "closed");
        TestSandbox b = f.sandbox("b", "closed");
        assertFalse(a.ip("route").contains("default"), a.ip("route"));
        // even with a route added by hand, nothing leaves the bridge
        a.ip("route", "add", "default", "via", "10.81.0.1");
        try (TcpListener l = lan.listenTcp(9000); TcpListener lb = b.listenTcp(80)) {
            assertFalse(a.canConnectTcp("10.99.0.2", 9000, SHORT));
            assertFalse(lan.canConnectTcp(f.ipv4(a, "closed"), 80, SHORT));
            assertTrue(a.canConnectTcp(f.ipv4(b, "closed"), 80, REACHABLE));
            assertTrue(l.port() > 0 && lb.port() > 0);
        }
    }

    @Test
    void firewallModeNoneTouchesNoFirewall() throws Exception {
        f = new BridgeFixture(DriverContext.FirewallMode.NONE);
        f.network("blue", "10.81.0.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "blue");
        TestSandbox b = f.sandbox("b", "blue");
        try (TcpListener l = b.listenTcp(80)) {
            assertTrue(a.canConnectTcp(f.ipv4(b, "blue"), 80, REACHABLE));
        }
        assertEquals("", f.nft("list", "ruleset").strip());
    }

    @Test
    void firewallModeNoneRefusesPublishedPortsAndLeavesNothingOfTheAttempt() throws Exception {
        f = new BridgeFixture(DriverContext.FirewallMode.NONE);
        f.network("blue", "10.81.0.0/24", Map.of());
        List<String> links = linkNames();
        WeftException.InvalidRequest e = assertThrows(WeftException.InvalidRequest.class, () -> f.sandbox("web", "blue", "8080:80"));
        assertTrue(e.getMessage().contains("network \"blue\": the firewall mode is none, so ports cannot be published; "
                + "set the firewall mode to nftables or drop -p"), e.getMessage());
        assertTrue(f.controller().sandboxes().isEmpty(), "no sandbox left");
        f.driver.drain();
        assertEquals(links, linkNames(), "no veth left");
        try (TcpListener free = f.host.listenTcp(8080)) {
            assertEquals(8080, free.port(), "the host port is free again");
        }
        assertEquals("", f.nft("list", "ruleset").strip());
    }

    @Test
    void theTablesGoWithTheLastNetwork() throws Exception {
        f = new BridgeFixture();
        f.network("blue", "10.81.0.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "blue");
        assertTrue(f.nft("list", "tables").contains("table bridge weft"));
        f.controller().removeSandbox(a.name());
        f.controller().removeNetwork("blue");
        assertEquals("", f.nft("list", "ruleset").strip());
    }

    /** The names of the host namespace's links. */
    private List<String> linkNames() {
        return f.host.ip("-o", "link").lines().map(l -> l.split(":\\s+")[1].split("@")[0]).sorted().toList();
    }
}
