package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.CommandResult;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sandbox side of an endpoint: its default route through an IPv6 link-local gateway, IPv6
 * off on IPv4-only interfaces, and a clear refusal when the sandbox's namespace already has the
 * interface's name.
 */
@ExtendWith(KernelTest.class)
class SandboxInterfaceKernelTest extends BridgeFixture.PerTest {
    @Test
    void theIpv6DefaultRouteViaALinkLocalGatewayCarriesTrafficAlsoAfterARestart() throws Exception {
        NetworkInfo n = f.controller().createNetwork(new NetworkSpec("ll", BridgeDriver.NAME, List.of(
                SubnetSpec.of(IpPrefix.parse("10.93.0.0/24")),
                new SubnetSpec(IpPrefix.parse("fd00:93::/64"), null, IpAddresses.parse("fe80::1"), Map.of())),
                true, false, Map.of(), Map.of()));
        String bridge = "br-" + n.id().substring(0, 12);
        assertEquals(IpAddresses.parse("fe80::1"), n.subnets().get(1).gateway());
        // the outside is reachable only through the host: the sandbox's default route
        TestSandbox lan = f.host.outside("lan", "fd00:99::1/64", "fd00:99::2/64");
        TestSandbox a = f.sandbox("a", "ll");
        assertTrue(a.ip("-6", "route").contains("default via fe80::1 dev eth0"), a.ip("-6", "route"));

        try (TcpListener l = lan.listenTcp(8080)) {
            assertEquals("fd00:99::1", a.connectTcp("fd00:99::2", 8080).peerSeenBy(l), "IPv6 egress through NAT");
        }
        try (TcpListener l = a.listenTcp(9090)) { // and back: the subnet is routed through the bridge
            assertNotNull(f.host.connectTcp(f.ipv6(a, "ll"), 9090).peerSeenBy(l));
        }
        String bridgeAddresses = f.host.ip("-6", "addr", "show", "dev", bridge);
        assertTrue(bridgeAddresses.contains("inet6 fe80::1/64"), bridgeAddresses);
        assertEquals(2, bridgeAddresses.lines().filter(l -> l.contains("inet6 fe80::")).count(),
                "fe80::1 beside the bridge's own link-local: " + bridgeAddresses);

        f.restart(); // replayed without asking IPAM for an address outside the pool; restore keeps the route
        try (TcpListener l = lan.listenTcp(8081)) {
            assertEquals("fd00:99::1", a.connectTcp("fd00:99::2", 8081).peerSeenBy(l));
        }
        f.controller().removeSandbox(a.name());
        f.controller().removeNetwork("ll");
        f.controller().createNetwork(new NetworkSpec("ll", BridgeDriver.NAME, List.of(
                new SubnetSpec(IpPrefix.parse("fd00:93::/64"), null, IpAddresses.parse("fe80::1"), Map.of())),
                true, false, Map.of(), Map.of()));
    }

    @Test
    void anIpv4OnlyInterfaceHasIpv6DisabledAndADualStackOneKeepsIt() throws Exception {
        f.network("four", "10.94.0.0/24", Map.of());
        f.network("dual", List.of("10.95.0.0/24", "fd00:95::/64"), true, false, Map.of());
        TestSandbox a = f.sandbox("a", "four");
        f.controller().connect("dual", a.name(), EndpointSpec.defaults()); // eth1
        TestSandbox b = f.sandbox("b", "dual");

        assertEquals("1", a.sysctl("net/ipv6/conf/eth0/disable_ipv6"));
        assertEquals("0", a.sysctl("net/ipv6/conf/eth1/disable_ipv6"));
        assertEquals("0", b.sysctl("net/ipv6/conf/eth0/disable_ipv6"));
        // by effect: eth0 takes no IPv6 address, so it carries no IPv6
        CommandResult added = a.tryIp("-6", "addr", "add", "fd00:94::9/64", "dev", "eth0", "nodad");
        assertFalse(added.succeeded(), "an IPv6 address on the IPv4-only eth0: " + added.describe());
        assertEquals("", a.ip("-6", "addr", "show", "dev", "eth0").strip());
        // eth1, dual stack, carries IPv6
        try (TcpListener l = b.listenTcp(8080)) {
            assertEquals(f.ipv6(a, "dual"), a.connectTcp(f.ipv6(b, "dual"), 8080).peerSeenBy(l));
        }
        try (TcpListener l = f.host.listenTcp("10.94.0.1", 7070)) { // and eth0 carries IPv4
            assertEquals(f.ipv4(a, "four"), a.connectTcp("10.94.0.1", 7070).peerSeenBy(l));
        }
    }

    @Test
    void adoptingANamespaceThatHasAnEth0NamesItAndWhereAndChangesNothing() throws Exception {
        f.network("adopt", "10.96.0.0/24", Map.of());
        TestSandbox theirs = f.host.sandbox("theirs");
        theirs.ip("link", "add", "eth0", "type", "veth", "peer", "name", "other0");
        String hostLinks = f.host.ip("-o", "link");
        String hostAddresses = f.host.ip("-o", "addr");
        String theirLinks = theirs.ip("-o", "link");
        Map<String, String> records = records();

        WeftException.Conflict e = assertThrows(WeftException.Conflict.class, () -> f.controller().createSandbox(
                new SandboxSpec("adopted", "adopt", EndpointSpec.defaults(), theirs.path())));
        assertTrue(e.getMessage().contains("sandbox \"adopted\": its namespace " + theirs.path()
                + " already has an interface named \"eth0\""), e.getMessage());
        assertTrue(e.getMessage().contains("remove or rename \"eth0\" in that namespace first"), e.getMessage());
        assertFalse(e.getMessage().contains("wtv"), "not the host-side name: " + e.getMessage());

        assertEquals(hostLinks, f.host.ip("-o", "link"));
        assertEquals(hostAddresses, f.host.ip("-o", "addr"));
        assertEquals(theirLinks, theirs.ip("-o", "link"));
        assertEquals(records, records(), "no record is left");
        assertTrue(f.controller().sandbox("adopted").isEmpty());

        // once eth0 is gone there, the same adoption works
        theirs.ip("link", "del", "eth0");
        f.controller().createSandbox(new SandboxSpec("adopted", "adopt", EndpointSpec.defaults(), theirs.path()));
        String address = IpAddresses.format(f.controller().sandbox("adopted").orElseThrow().endpoints().get(0).ipv4().address());
        try (TcpListener l = f.host.listenTcp("10.96.0.1", 7070)) {
            assertEquals(address, theirs.connectTcp("10.96.0.1", 7070).peerSeenBy(l));
        }
        f.controller().removeSandbox("adopted");
    }

    /** Every file under the fixture's directories with its content, except the test's resolv.conf. */
    private Map<String, String> records() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(f.dir)) {
            s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("resolv.conf")).forEach(p -> {
                try {
                    out.put(f.dir.relativize(p).toString(), Files.readString(p));
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            });
        }
        return out;
    }
}
