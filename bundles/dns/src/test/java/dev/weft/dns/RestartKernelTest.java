package dev.weft.dns;

import static dev.weft.dns.DnsFixture.data;
import static dev.weft.dns.DnsFixture.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.NetworkInfo;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TestSandbox;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.Type;

/** A restart serves the same names again; firewall mode none writes no table and says so. */
@ExtendWith(KernelTest.class)
class RestartKernelTest {

    @Test
    void afterARestartTheSameNamesAreServedAndAStaleGuardTableIsReplaced() throws Exception {
        try (DnsFixture f = new DnsFixture(DnsConfig.defaults())) {
            f.network("red", "10.61.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            TestSandbox b = f.sandbox("b", "red");
            String gw = f.gateway("red");
            f.restart(() -> {
                // what a killed server leaves: its table, with an element of a network long gone
                f.nft("add", "table", "inet", "weft_dns");
                f.nft("add", "set", "inet", "weft_dns", "gw4", "{ type ipv4_addr; }");
                f.nft("add", "element", "inet", "weft_dns", "gw4", "{ 10.200.0.1 }");
            });
            long t0 = System.nanoTime();
            assertEquals(List.of(f.ipv4(b, "red")), data(udp(a, gw, b.name(), Type.A)), "served again after the restart");
            String table = f.nft("list", "table", "inet", "weft_dns");
            assertTrue(table.contains(gw), table);
            assertFalse(table.contains("10.200.0.1"), "the stale table was replaced: " + table);
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000);
        }
    }

    @Test
    void aServerThatStartsBeforeTheDriverServesTheKernelsBridgeAtOnceAndKeepsServingWhenTheDriverComes()
            throws Exception {
        try (DnsFixture f = new DnsFixture(DnsConfig.defaults())) {
            NetworkInfo red = f.network("red", "10.65.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            TestSandbox b = f.sandbox("b", "red");
            String gw = f.gateway("red");
            f.restartServerFirst(() -> {
                // the bridge driver is not there: served from the kernel's bridge, so that core's
                // rewrite of the resolv.conf (the name service came) names the server
                assertEquals("served at " + gw + ":53 (udp, tcp)", f.server.remark(red.id()).orElseThrow());
                assertEquals(f.ipv4(b, "red"), DnsFixture.getent(a, "hosts", b.name()).split("\\s+")[0],
                        "before the driver: " + a.exec("cat", "/etc/resolv.conf"));
            });
            assertEquals(List.of(DnsFixture.address(gw)), f.server.servers(red.id()), f.server.remark(red.id()).orElse(""));
            assertEquals(List.of(f.ipv4(b, "red")), data(udp(a, gw, b.name(), Type.A)));
            assertEquals(f.ipv4(b, "red"), DnsFixture.getent(a, "hosts", b.name()).split("\\s+")[0],
                    "the sandbox's resolv.conf names the server: " + a.exec("cat", "/etc/resolv.conf"));
        }
    }

    @Test
    void aNetworkWithoutItsBridgeAddressIsServedWhenItsDriverComesAndRestoresIt() throws Exception {
        try (DnsFixture f = new DnsFixture(DnsConfig.defaults())) {
            NetworkInfo red = f.network("red", "10.66.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            TestSandbox b = f.sandbox("b", "red");
            String gw = f.gateway("red");
            String bridge = f.host.exec("ip", "-o", "addr", "show", "to", gw).split("\\s+")[1];
            f.restartServerFirst(() -> f.host.ip("addr", "del", gw + "/24", "dev", bridge), () -> {
                String remark = f.server.remark(red.id()).orElseThrow();
                assertTrue(remark.startsWith("not served yet: driver bridge is not installed"), remark);
            });
            // the driver restored the bridge's address, then core told the server (networkAvailable)
            assertEquals(List.of(DnsFixture.address(gw)), f.server.servers(red.id()), f.server.remark(red.id()).orElse(""));
            assertEquals(f.ipv4(b, "red"), DnsFixture.getent(a, "hosts", b.name()).split("\\s+")[0],
                    "core rewrote the resolv.conf after networkAvailable: " + a.exec("cat", "/etc/resolv.conf"));
        }
    }

    @Test
    void firewallModeNoneWritesNoTableAndSaysSo() throws Exception {
        try (DnsFixture f = new DnsFixture(DnsConfig.defaults(), DriverContext.FirewallMode.NONE)) {
            NetworkInfo red = f.network("red", "10.62.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            TestSandbox b = f.sandbox("b", "red");
            assertEquals(List.of(f.ipv4(b, "red")), data(udp(a, f.gateway("red"), b.name(), Type.A)));
            assertFalse(f.nft("list", "tables").contains("weft_dns"));
            String remark = f.server.remark(red.id()).orElseThrow();
            assertTrue(remark.startsWith("served at 10.62.0.1:53 (udp, tcp); no guard rules (firewall mode none)"), remark);
        }
    }
}
