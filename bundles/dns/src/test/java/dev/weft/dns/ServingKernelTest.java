package dev.weft.dns;

import static dev.weft.dns.DnsFixture.data;
import static dev.weft.dns.DnsFixture.question;
import static dev.weft.dns.DnsFixture.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.NetworkInfo;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import dev.weft.testkit.UdpListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Where names are served and to whom: the guard against the LAN, a port taken, the service going and coming. */
@ExtendWith(KernelTest.class)
class ServingKernelTest extends DnsFixture.PerTest {

    @Test
    void aLanHostRoutingToTheGatewayGetsNothingWhileSandboxesAreServed() {
        NetworkInfo red = f.network("red", "10.51.0.0/24");
        TestSandbox a = f.sandbox("a", "red");
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        lan.ip("route", "add", "10.51.0.0/24", "via", "10.99.0.1");
        String gw = f.gateway("red");

        assertTrue(a.canConnectTcp(gw, 53, Duration.ofSeconds(1)), "a sandbox reaches TCP 53");
        assertFalse(lan.canConnectTcp(gw, 53, Duration.ofSeconds(1)), "the LAN does not: dropped by the guard");
        assertNull(udp(lan, gw, question(a.name(), Type.A), 500), "no UDP answer to the LAN");
        assertEquals(List.of(f.ipv4(a, "red")), data(udp(a, gw, a.name(), Type.A)));

        String table = f.nft("list", "table", "inet", "weft_dns");
        String bridge = f.host.exec("ip", "-o", "addr", "show", "to", gw).split("\\s+")[1];
        assertTrue(table.contains(gw + " . \"" + bridge + "\""), table);
        assertEquals("served at " + gw + ":53 (udp, tcp)", f.server.remark(red.id()).orElseThrow());
        assertEquals(List.of(DnsFixture.address(gw)), f.server.servers(red.id()));

        f.nft("flush", "set", "inet", "weft_dns", "gw4");
        assertTrue(lan.canConnectTcp(gw, 53, Duration.ofSeconds(1)), "without the guard's element the LAN would reach it");

        f.controller().removeSandbox(a.name());
        f.controller().removeNetwork("red");
        assertTrue(f.server.servers(red.id()).isEmpty());
        assertFalse(f.nft("list", "table", "inet", "weft_dns").contains(gw), "the network's elements went with it");
    }

    @Test
    void port53TakenOnTheGatewayIsAClearErrorOnThatNetwork() {
        try (UdpListener dnsmasq = f.host.listenUdp(53)) { // another program on [::]:53, as dnsmasq on 0.0.0.0:53
            NetworkInfo red = f.network("red", "10.52.0.0/24");
            String remark = f.server.remark(red.id()).orElseThrow();
            assertTrue(remark.startsWith("not served: 10.52.0.1:53 is in use by another program"), remark);
            assertTrue(f.server.servers(red.id()).isEmpty());
            TestSandbox a = f.sandbox("a", "red");
            String resolv = a.exec("cat", "/etc/resolv.conf");
            assertFalse(resolv.contains("nameserver 10.52.0.1"), "core does not name an unserved gateway: " + resolv);
        }
    }

    @Test
    void theServiceClosedAnswersNothingSandboxesStillTalkANewServiceBringsNamesBack() throws Exception {
        f.network("red", "10.53.0.0/24");
        TestSandbox a = f.sandbox("a", "red");
        TestSandbox b = f.sandbox("b", "red");
        String gw = f.gateway("red");
        assertEquals(List.of(f.ipv4(b, "red")), data(udp(a, gw, b.name(), Type.A)));

        f.stopServer();
        assertNull(udp(a, gw, question(b.name(), Type.A), 500), "nothing answers on :53");
        assertFalse(a.canConnectTcp(gw, 53, Duration.ofMillis(500)));
        assertFalse(f.nft("list", "tables").contains("weft_dns"), "the guard table is gone");
        try (TcpListener l = b.listenTcp(8080); TcpConnection c = a.connectTcp(f.ipv4(b, "red"), 8080)) {
            assertEquals(f.ipv4(a, "red"), c.peerSeenBy(l), "sandboxes still talk");
        }
        assertFalse(a.exec("cat", "/etc/resolv.conf").contains("nameserver " + gw), "core rewrote resolv.conf");

        f.startServer();
        assertEquals(List.of(f.ipv4(b, "red")), data(udp(a, gw, b.name(), Type.A)), "names back");
        assertEquals(f.ipv4(b, "red"), DnsFixture.getent(a, "hosts", b.name()).split("\\s+")[0]);
    }

    @Test
    void queriesFromAddressesThatAreNoSandboxOfTheNetworkGetNoAnswer() {
        f.network("red", "10.54.0.0/24");
        f.network("blue", "10.55.0.0/24");
        TestSandbox a = f.sandbox("a", "red");
        TestSandbox b = f.sandbox("b", "blue");
        // b asks red's gateway (routed through the host): not a sandbox of red
        assertNull(udp(b, f.gateway("red"), question(a.name(), Type.A), 500));
        assertEquals(Rcode.NXDOMAIN, udp(b, f.gateway("blue"), question(a.name(), Type.A), 2000).getRcode());
    }

    @Test
    void aNetworkWithoutAGatewayOnTheBridgeIsNotServedAndSaysSo() {
        NetworkInfo iso = f.controller().createNetwork(new dev.weft.api.NetworkSpec("iso", "bridge",
                List.of(dev.weft.api.SubnetSpec.of(dev.weft.net.IpPrefix.parse("10.56.0.0/24"))), false, true,
                java.util.Map.of("com.docker.network.bridge.gateway_mode_ipv4", "isolated"), java.util.Map.of()));
        String remark = f.server.remark(iso.id()).orElseThrow();
        assertTrue(remark.startsWith("not served"), remark);
        assertTrue(f.server.servers(iso.id()).isEmpty());
    }

    @Test
    void aSecondSubscriptionOfTheSameServerTakesTheSnapshotAsTheWholeTruth() {
        f.network("red", "10.57.0.0/24");
        NetworkInfo blue = f.network("blue", "10.58.0.0/24");
        TestSandbox a = f.sandbox("a", "red");
        TestSandbox gone = f.sandbox("gone", "red");
        f.runtime.removeListener(f.server);
        f.controller().removeSandbox(gone.name());
        f.controller().removeNetwork("blue");
        TestSandbox late = f.sandbox("late", "red");
        f.runtime.addListener(f.server);
        String gw = f.gateway("red");
        assertEquals(List.of(f.ipv4(late, "red")), data(udp(a, gw, late.name(), Type.A)));
        assertEquals(Rcode.NXDOMAIN, udp(a, gw, gone.name(), Type.A).getRcode());
        assertTrue(f.server.servers(blue.id()).isEmpty());
        assertFalse(f.nft("list", "table", "inet", "weft_dns").contains("10.58.0.1"));
    }
}
