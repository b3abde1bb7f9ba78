package dev.weft.dns;

import static dev.weft.dns.DnsFixture.data;
import static dev.weft.dns.DnsFixture.getent;
import static dev.weft.dns.DnsFixture.question;
import static dev.weft.dns.DnsFixture.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Other names go to the host's resolvers (a stand-in on the host namespace's loopback, as
 * systemd-resolved's 127.0.0.53, or one reached through a route), or to the sandbox's own.
 */
@ExtendWith(KernelTest.class)
class ForwardingKernelTest extends DnsFixture.PerTest {

    @Test
    void toAnUpstreamOnTheHostsLoopbackThatTheSandboxCannotReach() throws Exception {
        try (Upstream up = new Upstream(f.host, "127.0.0.53", "198.51.100.7")) {
            f.network("red", "10.41.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            assertEquals("198.51.100.7", getent(a, "hosts", "example.org").split("\\s+")[0]);
            assertTrue(up.asked.contains("example.org"));
            assertFalse(up.asked.stream().anyMatch(n -> n.startsWith(a.name())), "local names are never forwarded");
            getent(a, "hosts", "nosuch");
            assertFalse(up.asked.contains("nosuch"), "single-label names are never forwarded: " + up.asked);
            Message m = udp(a, f.gateway("red"), "www.example.org", Type.A);
            assertEquals(List.of("198.51.100.7"), data(m));
            assertEquals(60, m.getSection(org.xbill.DNS.Section.ANSWER).get(0).getTTL(), "relayed unchanged");
        }
    }

    @Test
    void toAnUpstreamThroughARouteAndTheHostsResolvConfIsFollowed() throws Exception {
        TestSandbox far = f.host.outside("far", "10.98.0.1/24", "10.98.0.2/24");
        far.ip("addr", "add", "192.0.2.53/32", "dev", "lo");
        f.host.ip("route", "add", "192.0.2.53/32", "via", "10.98.0.2");
        try (Upstream local = new Upstream(f.host, "127.0.0.53", "198.51.100.7");
             Upstream routed = new Upstream(far, "192.0.2.53", "198.51.100.8")) {
            f.network("red", "10.42.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            assertEquals(List.of("198.51.100.7"), data(udp(a, f.gateway("red"), "example.org", Type.A)));
            Files.writeString(f.resolvConf, "nameserver 192.0.2.53\n");
            Thread.sleep(300);
            assertEquals(List.of("198.51.100.8"), data(udp(a, f.gateway("red"), "example.org", Type.A)),
                    "the host's resolv.conf changed: the new upstream is used");
            assertTrue(routed.asked.contains("example.org"));
        }
    }

    @Test
    void theSandboxsOwnDnsServersOverrideTheHosts() throws Exception {
        TestSandbox far = f.host.outside("far", "10.98.0.1/24", "10.98.0.2/24");
        try (Upstream local = new Upstream(f.host, "127.0.0.53", "198.51.100.7");
             Upstream own = new Upstream(far, "10.98.0.2", "198.51.100.9")) {
            f.network("red", "10.43.0.0/24");
            TestSandbox a = f.sandbox(f.spec("a", "red").withDns(DnsFixture.dns("10.98.0.2")), "a");
            TestSandbox b = f.sandbox("b", "red");
            assertEquals(List.of("198.51.100.9"), data(udp(a, f.gateway("red"), "example.org", Type.A)));
            assertEquals(List.of("198.51.100.7"), data(udp(b, f.gateway("red"), "example.org", Type.A)));
            assertEquals(List.of(f.ipv4(b, "red")), data(udp(a, f.gateway("red"), b.name(), Type.A)),
                    "local names stay local with --dns");
        }
    }

    @Test
    void onlyInternalNetworksGetNoForwardingButTheirOwnServersAndAnExternalNetworkDo() throws Exception {
        TestSandbox far = f.host.outside("far", "10.98.0.1/24", "10.98.0.2/24");
        try (Upstream local = new Upstream(f.host, "127.0.0.53", "198.51.100.7");
             Upstream own = new Upstream(far, "10.98.0.2", "198.51.100.9")) {
            f.network("int", List.of("10.44.0.0/24"), false, true);
            f.network("ext", "10.45.0.0/24");
            TestSandbox in = f.sandbox("in", "int");
            TestSandbox both = f.sandbox("both", "int");
            f.controller().connect("ext", both.name(), EndpointSpec.defaults());
            TestSandbox withDns = f.sandbox(f.spec("wd", "int").withDns(DnsFixture.dns("10.98.0.2")), "wd");

            Message refused = udp(in, f.gateway("int"), "example.org", Type.A);
            assertEquals(Rcode.REFUSED, refused.getRcode(), "all its networks are internal: no forwarding");
            assertEquals(List.of(f.ipv4(both, "int")), data(udp(in, f.gateway("int"), both.name(), Type.A)),
                    "names on the internal network still resolve");
            assertEquals(List.of("198.51.100.7"), data(udp(both, f.gateway("int"), "example.org", Type.A)),
                    "on an external network too: forwarded");
            assertEquals(List.of("198.51.100.9"), data(udp(withDns, f.gateway("int"), "example.org", Type.A)),
                    "its own --dns servers are still tried");
            assertFalse(local.asked.isEmpty());
        }
    }

    @Test
    void aSlowUpstreamIsAnsweredServfailWithinTheTimeout() throws Exception {
        try (Upstream up = new Upstream(f.host, "127.0.0.53", "198.51.100.7")) {
            f.network("red", "10.46.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            long t0 = System.nanoTime();
            Message m = udp(a, f.gateway("red"), question("slow.example.org", Type.A), 3000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertNotNull(m, "an answer, not silence");
            assertEquals(Rcode.SERVFAIL, m.getRcode());
            assertTrue(ms >= 350 && ms < 1500, "SERVFAIL after the 400 ms timeout, took " + ms + " ms");
            Message tcp = DnsFixture.tcp(a, f.gateway("red"), question("slow.example.org", Type.A), 3000);
            assertEquals(Rcode.SERVFAIL, tcp.getRcode(), "over TCP as well");
        }
    }

    @Test
    void noUpstreamAtAllIsServfail() {
        f.network("red", "10.47.0.0/24");
        TestSandbox a = f.sandbox("a", "red");
        Message m = udp(a, f.gateway("red"), question("example.org", Type.A), 3000);
        assertEquals(Rcode.SERVFAIL, m.getRcode());
    }

    @Test
    void aResponseOver512BytesComesTruncatedOverUdpAndWholeOverTcp() throws Exception {
        try (Upstream up = new Upstream(f.host, "127.0.0.53", "198.51.100.7")) {
            f.network("red", "10.48.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            Message overUdp = udp(a, f.gateway("red"), "big.example.org", Type.A);
            assertTrue(overUdp.getHeader().getFlag(Flags.TC), "the upstream's TC relayed");
            Message overTcp = DnsFixture.tcp(a, f.gateway("red"), question("big.example.org", Type.A), 3000);
            assertEquals(60, data(overTcp).size());
            assertTrue(overTcp.toWire().length > 512);
            String all = getent(a, "ahostsv4", "big.example.org");
            assertEquals(60, all.lines().map(l -> l.split("\\s+")[0]).distinct().count(), "libc retried over TCP: " + all);
        }
    }

    @Test
    void aLinkLocalIpv6UpstreamWithItsInterfaceScope() throws Exception {
        TestSandbox far = f.host.outside("far6", "fe80::1/64", "fe80::53/64");
        String hostEnd = f.host.exec("ip", "-o", "-6", "addr", "show", "to", "fe80::1/128").split("\\s+")[1];
        try (Upstream up = new Upstream(far, "::", "198.51.100.6")) {
            java.nio.file.Files.writeString(f.resolvConf, "nameserver fe80::53%" + hostEnd + "\n");
            f.network("red", "10.49.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            assertEquals(List.of("198.51.100.6"), data(udp(a, f.gateway("red"), "example.org", Type.A)));
            assertTrue(up.asked.contains("example.org"));
        }
    }

    @Test
    void overTheBoundOfConcurrentForwardsTheAnswerIsServfailAtOnce() throws Exception {
        try (DnsFixture g = new DnsFixture(DnsConfig.defaults().withUpstreamTimeoutMillis(1500).withMaxConcurrentForwards(1));
             Upstream up = new Upstream(g.host, "127.0.0.53", "198.51.100.7")) {
            g.network("red", "10.50.0.0/24");
            TestSandbox a = g.sandbox("a", "red");
            String gw = g.gateway("red");
            Thread slow = new Thread(() -> udp(a, gw, question("slow.example.org", Type.A), 3000));
            slow.start();
            Thread.sleep(300); // the one slot is taken by the slow forward
            long t0 = System.nanoTime();
            Message m = udp(a, gw, question("example.org", Type.A), 3000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Rcode.SERVFAIL, m.getRcode());
            assertTrue(ms < 500, "at once, took " + ms + " ms");
            assertEquals(1, g.server.overloadCount());
            slow.join();
            assertEquals(List.of("198.51.100.7"), data(udp(a, gw, "example.org", Type.A)), "the slot is free again");
        }
    }
}
