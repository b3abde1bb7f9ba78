package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.MacAddress;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.NamespaceProbe;
import dev.weft.testkit.TestSandbox;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-endpoint settings on the bridge, read from inside the sandbox's namespace: the MAC and the
 * interface name as given, the sysctls applied (and again when a restore plumbs the interface in
 * anew), and the announcement after a join that tells a neighbour a reused address's new MAC
 * without any traffic of its own.
 */
@ExtendWith(KernelTest.class)
class EndpointSettingsKernelTest extends BridgeFixture.PerTest {
    private static final String IFNAME = "com.docker.network.endpoint.ifname";
    private static final String SYSCTLS = "com.docker.network.endpoint.sysctls";

    private TestSandbox sandbox(String shortName, String network, EndpointSpec spec) {
        f.controller().createSandbox(new SandboxSpec(f.host.namespaceName(shortName), network, spec, null));
        return f.host.adopt(shortName);
    }

    private static EndpointSpec spec(String ip, String ip6, String mac, String... options) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < options.length; i += 2) {
            m.put(options[i], options[i + 1]);
        }
        return new EndpointSpec(ip == null ? null : IpAddresses.parse(ip), ip6 == null ? null : IpAddresses.parse(ip6),
                List.of(), List.of(), 0, mac == null ? null : MacAddress.parse(mac), m);
    }

    @Test
    void theMacTheNameAndTheSysctlsAreAsGivenAndARestoreAppliesThemAgain() throws Exception {
        f.network("front", List.of("10.93.0.0/24", "fd93::/64"), true, false, Map.of());
        f.network("back", "10.94.0.0/24", Map.of());
        TestSandbox a = sandbox("a", "front", spec(null, null, "02:aa:bb:cc:dd:01", IFNAME, "front0", SYSCTLS,
                "net.ipv4.conf.IFNAME.log_martians=1,net.ipv6.conf.IFNAME.accept_ra=0,net.ipv4.conf.IFNAME.arp_ignore=2"));
        f.controller().connect("back", a.name(), spec(null, null, null, IFNAME, "back0", SYSCTLS,
                "net.ipv4.conf.IFNAME.rp_filter=2").withGwPriority(5));

        assertTrue(a.ip("-o", "link", "show", "dev", "front0").contains("link/ether 02:aa:bb:cc:dd:01 "),
                a.ip("-o", "link"));
        assertEquals("1", a.sysctl("net.ipv4.conf.front0.log_martians"));
        assertEquals("0", a.sysctl("net.ipv6.conf.front0.accept_ra"));
        assertEquals("2", a.sysctl("net.ipv4.conf.front0.arp_ignore"));
        assertEquals("2", a.sysctl("net.ipv4.conf.back0.rp_filter"), "the other interface's own");
        assertEquals("0", a.sysctl("net.ipv4.conf.front0.rp_filter"), "not the other's");
        assertFalse(a.tryIp("link", "show", "dev", "eth0").succeeded(), "no eth0: both interfaces are named");
        assertTrue(a.ip("route").contains("default via 10.94.0.1 dev back0"), "gw-priority 5 wins: " + a.ip("route"));

        EndpointInfo back = f.endpoint(a, "back");
        assertEquals("back0", back.interfaceName());
        assertEquals(5, back.gwPriority());
        assertTrue(back.mac().isLocalUnicast(), "random, locally administered: " + back.mac());
        assertTrue(a.ip("-o", "link", "show", "dev", "back0").contains("link/ether " + back.mac() + " "));

        // the veth is lost while Weft is down: the restore plumbs it in again as it was
        f.stop();
        f.host.ip("link", "del", f.endpointHostEnd(a, "back"));
        f.start();
        assertTrue(a.ip("-o", "link", "show", "dev", "back0").contains("link/ether " + back.mac() + " "),
                "the recorded MAC, kept: " + a.ip("-o", "link"));
        assertEquals("2", a.sysctl("net.ipv4.conf.back0.rp_filter"), "the sysctls written again");
        assertEquals(back, f.endpoint(a, "back"));
    }

    @Test
    void aSysctlTheKernelDoesNotHaveFailsTheJoinAndLeavesNothing() {
        f.network("front", "10.95.0.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "front");
        f.network("back", "10.96.0.0/24", Map.of());
        String links = f.host.ip("-o", "link", "show", "type", "veth");
        WeftException e = assertThrows(WeftException.class, () -> f.controller().connect("back", a.name(),
                spec(null, null, null, SYSCTLS, "net.ipv4.conf.IFNAME.no_such_key=1")));
        assertTrue(e.getMessage().contains("net/ipv4/conf/eth1/no_such_key"), e.getMessage());
        assertEquals(links, f.host.ip("-o", "link", "show", "type", "veth"), "no veth left on the host");
        assertFalse(a.tryIp("link", "show", "dev", "eth1").succeeded(), "none in the sandbox");
        assertEquals(1, f.controller().sandbox(a.name()).orElseThrow().endpoints().size());
        f.controller().connect("back", a.name(), spec("10.96.0.2", null, null)); // the refused one's, asked for again
        assertEquals("10.96.0.2/24", f.endpoint(a, "back").ipv4().toString(), "the refused endpoint's address is free");
        assertEquals("eth1", f.endpoint(a, "back").interfaceName());
    }

    @Test
    void aNeighbourLearnsTheNewMacOfAReusedAddressAtOnce() throws Exception {
        f.network("garp", List.of("10.97.0.0/24", "fd97::/64"), true, false, Map.of());
        TestSandbox n = sandbox("n", "garp", spec(null, null, null));
        TestSandbox old = sandbox("old", "garp", spec("10.97.0.50", "fd97::50", null));
        String m1 = f.endpoint(old, "garp").mac().toString();
        n.exec("ping", "-c", "1", "-W", "2", "10.97.0.50");
        n.exec("ping", "-c", "1", "-W", "2", "fd97::50");
        assertTrue(neighbour(n, "10.97.0.50").contains("lladdr " + m1), neighbour(n, "10.97.0.50"));
        assertTrue(neighbour(n, "fd97::50").contains("lladdr " + m1), neighbour(n, "fd97::50"));

        String oldEnd = f.endpointHostEnd(old, "garp");
        f.controller().removeSandbox(old.name());
        assertTrue(NamespaceProbe.waitUntilGone(f.host, oldEnd, Duration.ofSeconds(10)));
        TestSandbox fresh = sandbox("fresh", "garp", spec("10.97.0.50", "fd97::50", null));
        String m2 = f.endpoint(fresh, "garp").mac().toString();
        assertNotEquals(m1, m2, "a new endpoint, a new random MAC");

        // no traffic from n: only the announcement can have told it
        String v4 = awaitNeighbour(n, "10.97.0.50", m2);
        assertTrue(v4.contains("lladdr " + m2), "gratuitous ARP: " + v4);
        String v6 = awaitNeighbour(n, "fd97::50", m2);
        assertTrue(v6.contains("lladdr " + m2), "unsolicited neighbour advertisement: " + v6);
        assertEquals("1", fresh.sysctl("net.ipv4.conf.eth0.arp_notify"));
        assertEquals("1", fresh.sysctl("net.ipv6.conf.eth0.ndisc_notify"));
    }

    private static String neighbour(TestSandbox s, String address) {
        return s.ip("neigh", "show", address).strip();
    }

    /** The neighbour entry once it shows {@code mac}, or as it is after 2 s (the announcement is sent off the join's path, within milliseconds). */
    private static String awaitNeighbour(TestSandbox s, String address, String mac) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        String entry = neighbour(s, address);
        while (!entry.contains("lladdr " + mac) && System.nanoTime() < end) {
            Thread.sleep(10);
            entry = neighbour(s, address);
        }
        return entry;
    }
}
