package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The controller on the real kernel, inside a throwaway host namespace, proven by traffic. */
@ExtendWith(KernelTest.class)
class ControllerKernelTest extends ControllerFixture.PerTest {
    private NetworkInfo testNetwork(String name, String subnet) {
        return f.controller.createNetwork(new NetworkSpec(name, "testbridge", List.of(SubnetSpec.of(IpPrefix.parse(subnet))),
                false, false, Map.of(), Map.of()));
    }

    @Test
    void predefinedNetworksExistAndANoneSandboxHasOnlyLoopbackUp() throws Exception {
        assertEquals(List.of("host", "none"), f.controller.networks().stream().map(NetworkInfo::name).toList());
        assertTrue(f.controller.networks().stream().allMatch(n -> n.predefined() && n.available()));
        assertEquals(List.of("host", "null", "testbridge"),
                f.controller.drivers().stream().map(d -> d.name()).sorted().toList());

        String name = f.sandboxName("a");
        SandboxInfo s = f.controller.createSandbox(SandboxSpec.of(name, "none"));
        assertEquals(Path.of("/run/netns", name), s.namespace());
        String links = f.host.exec("ip", "netns", "exec", name, "ip", "-o", "link");
        assertEquals(1, links.strip().lines().count(), links);
        assertTrue(links.contains("lo:") && links.contains("UP"), links);
        String resolv = Files.readString(f.etcNetns.resolve(name).resolve("resolv.conf"));
        assertTrue(resolv.contains("nameserver 192.0.2.53") && !resolv.contains("127.0.0.53"), resolv);
        assertEquals(List.of(name), f.controller.network("none").orElseThrow().endpoints().stream()
                .map(EndpointInfo::sandbox).toList());

        f.controller.removeSandbox(name);
        assertTrue(f.controller.sandboxes().isEmpty());
        assertTrue(f.controller.network("none").orElseThrow().endpoints().isEmpty());
        f.controller.awaitRemovals(); // the namespace itself goes in the background
        assertFalse(Files.exists(Path.of("/run/netns", name)));
        assertFalse(Files.exists(f.etcNetns.resolve(name)));
    }

    @Test
    void anAdoptedNamespaceJoinsANetworkAndIsLeftInPlaceOnRemoval() {
        testNetwork("blue", "10.75.0.0/24");
        TestSandbox external = f.host.sandbox("ext"); // made by "another runtime"
        SandboxInfo s = f.controller.createSandbox(new SandboxSpec("adopted", "blue", EndpointSpec.defaults(),
                external.path()));
        assertEquals(SandboxInfo.Mode.ADOPTED, s.mode());
        String b = f.sandboxName("b");
        f.controller.createSandbox(SandboxSpec.of(b, "blue"));
        try (TcpListener l = external.listenTcp(9090);
             TcpConnection c = f.host.sandboxes().get(1).connectTcp("10.75.0.2", 9090)) {
            assertEquals("10.75.0.3", c.peerSeenBy(l));
        }
        f.controller.removeSandbox("adopted");
        assertTrue(Files.exists(external.path()), "an adopted namespace is not Weft's to delete");
        assertFalse(external.ip("-o", "link").contains("eth0"), "but Weft's interface in it is gone");
        assertMessage(WeftException.InvalidRequest.class, "no such file; give the path of a network namespace",
                () -> f.controller.createSandbox(new SandboxSpec("gone", "blue", EndpointSpec.defaults(),
                        Path.of("/run/netns", f.host.namespaceName("nope")))));
        assertTrue(f.controller.sandbox("gone").isEmpty());
    }

    @Test
    void aHostModeSandboxUsesTheHostNamespaceAndNothingElse() {
        testNetwork("blue", "10.76.0.0/24");
        SandboxInfo h = f.controller.createSandbox(SandboxSpec.of("hostly", "host"));
        assertEquals(SandboxInfo.Mode.HOST, h.mode());
        assertEquals(f.kernel.hostNamespace().path(), h.namespace());
        assertEquals(List.of("hostly"), f.controller.network("host").orElseThrow().endpoints().stream()
                .map(EndpointInfo::sandbox).toList());
        assertMessage(WeftException.Conflict.class, "uses the host's network stack",
                () -> f.controller.connect("blue", "hostly", EndpointSpec.defaults()));
        String x = f.sandboxName("x");
        f.controller.createSandbox(SandboxSpec.of(x, "blue"));
        assertMessage(WeftException.Conflict.class, "only a sandbox created with --network host",
                () -> f.controller.connect("host", x, EndpointSpec.defaults()));
        f.restart();
        assertEquals(f.kernel.hostNamespace().path(), f.controller.sandbox("hostly").orElseThrow().namespace());
        f.controller.removeSandbox("hostly");
        assertTrue(f.kernel.hostNamespace().stillThere(), "removing a host-mode sandbox leaves the host alone");
        assertTrue(f.controller.network("host").orElseThrow().endpoints().isEmpty());
    }

    @Test
    void sandboxesOnAUserNetworkTalkAndGetSuccessiveAddresses() throws Exception {
        testNetwork("blue", "10.77.0.0/24");
        String a = f.sandboxName("a"), b = f.sandboxName("b");
        SandboxInfo sa = f.controller.createSandbox(SandboxSpec.of(a, "blue"));
        SandboxInfo sb = f.controller.createSandbox(SandboxSpec.of(b, "blue"));
        assertEquals("10.77.0.2/24", sa.endpoints().get(0).ipv4().toString());
        assertEquals("10.77.0.3/24", sb.endpoints().get(0).ipv4().toString());
        assertEquals("eth0", sb.endpoints().get(0).interfaceName());

        TestSandbox ta = f.host.sandboxes().get(0), tb = f.host.sandboxes().get(1);
        try (TcpListener l = tb.listenTcp(8080); TcpConnection c = ta.connectTcp("10.77.0.3", 8080)) {
            assertEquals("10.77.0.2", c.peerSeenBy(l));
        }

        testNetwork("green", "10.78.0.0/24");
        EndpointInfo second = f.controller.connect("green", a, EndpointSpec.defaults());
        assertEquals("eth1", second.interfaceName());
        String routes = ta.ip("route");
        assertTrue(routes.contains("default via 10.77.0.1") && !routes.contains("default via 10.78.0.1"), routes);
        WeftException.Conflict busy = assertThrows(WeftException.Conflict.class, () -> f.controller.removeNetwork("green"));
        assertTrue(busy.getMessage().contains(a), busy.getMessage());
        f.controller.disconnect("green", a, false);
        f.controller.removeNetwork("green");
        assertFalse(ta.ip("link").contains("eth1"));

        f.controller.removeSandbox(b);
        String c = f.sandboxName("c");
        assertEquals("10.77.0.4/24", f.controller.createSandbox(SandboxSpec.of(c, "blue")).endpoints().get(0).ipv4().toString(),
                "a released address is not reused at once");
    }

    @Test
    void badInputIsRefusedWithOneLineAndChangesNothing() throws Exception {
        testNetwork("red", "10.1.0.0/24");
        String s = f.sandboxName("s");
        f.controller.createSandbox(SandboxSpec.of(s, "none"));
        List<String> records = f.records();
        String links = f.host.ip("-o", "link");

        assertMessage(WeftException.InvalidRequest.class, "network name \"bad name\" is not valid",
                () -> f.controller.createNetwork(NetworkSpec.of("bad name", "testbridge")));
        assertMessage(WeftException.InvalidRequest.class, "network name is empty",
                () -> f.controller.createNetwork(NetworkSpec.of("", "testbridge")));
        assertMessage(WeftException.InvalidRequest.class, "has 65 characters",
                () -> f.controller.createNetwork(NetworkSpec.of("x".repeat(65), "testbridge")));
        assertMessage(WeftException.InvalidRequest.class, "gateway 10.9.0.1 is not inside subnet 10.2.0.0/24",
                () -> f.controller.createNetwork(new NetworkSpec("n1", "testbridge", List.of(new SubnetSpec(
                        IpPrefix.parse("10.2.0.0/24"), null, IpAddresses.parse("10.9.0.1"), Map.of())), false, false, Map.of(), Map.of())));
        assertMessage(WeftException.InvalidRequest.class, "ip-range 10.3.1.0/24 is not inside subnet 10.2.0.0/24",
                () -> f.controller.createNetwork(new NetworkSpec("n1", "testbridge", List.of(new SubnetSpec(
                        IpPrefix.parse("10.2.0.0/24"), IpPrefix.parse("10.3.1.0/24"), null, Map.of())), false, false, Map.of(), Map.of())));
        assertMessage(WeftException.Conflict.class, "subnet 10.1.0.0/16 overlaps network \"red\" (10.1.0.0/24)",
                () -> testNetwork("blue", "10.1.0.0/16"));
        assertMessage(WeftException.Unavailable.class, "no network driver \"nosuch\" is installed; installed drivers: host, null, testbridge",
                () -> f.controller.createNetwork(NetworkSpec.of("n2", "nosuch")));
        assertMessage(WeftException.InvalidRequest.class, "has no option \"colour\"",
                () -> f.controller.createNetwork(new NetworkSpec("n3", "testbridge", List.of(), false, false,
                        Map.of("colour", "red"), Map.of())));
        assertMessage(WeftException.Conflict.class, "network \"red\" already exists", () -> testNetwork("red", "10.5.0.0/24"));
        assertMessage(WeftException.Conflict.class, "sandbox \"" + s + "\" already exists",
                () -> f.controller.createSandbox(SandboxSpec.of(s, "none")));
        assertMessage(WeftException.Conflict.class, "network \"host\" is predefined and cannot be removed",
                () -> f.controller.removeNetwork("host"));
        assertMessage(WeftException.Conflict.class, "network \"none\" is predefined",
                () -> f.controller.removeNetwork("none"));
        assertMessage(WeftException.NotFound.class, "sandbox \"ghost\" does not exist",
                () -> f.controller.connect("red", "ghost", EndpointSpec.defaults()));
        assertMessage(WeftException.Conflict.class, "only one network of driver \"null\" is allowed",
                () -> f.controller.createNetwork(NetworkSpec.of("another", "null")));
        assertMessage(WeftException.Unavailable.class, "needs the network driver \"container\"",
                () -> f.controller.createSandbox(SandboxSpec.of(f.sandboxName("c"), "container:" + s)));
        assertMessage(WeftException.InvalidRequest.class, "cannot publish ports",
                () -> f.controller.createSandbox(new SandboxSpec(f.sandboxName("p"), "none",
                        new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("8080:80"))), null)));
        assertMessage(WeftException.InvalidRequest.class, "address 10.9.9.9 is not in a subnet of network \"red\"",
                () -> f.controller.createSandbox(new SandboxSpec(f.sandboxName("q"), "red",
                        new EndpointSpec(IpAddresses.parse("10.9.9.9"), null, List.of(), List.of()), null)));

        assertEquals(records, f.records(), "a refused request must leave the records as they were");
        assertEquals(links, f.host.ip("-o", "link"), "a refused request must leave the kernel as it was");
        assertEquals(List.of(s), f.controller.sandboxes().stream().map(SandboxInfo::name).toList());
        assertFalse(Files.exists(Path.of("/run/netns", f.host.namespaceName("c"))));
        assertFalse(Files.exists(Path.of("/run/netns", f.host.namespaceName("p"))));
    }

    @Test
    void subnetsThatCannotWorkAndAnEmptyDriverNameAreRefusedBeforeAnythingIsAllocated() throws Exception {
        List<String> records = f.records();
        String links = f.host.ip("-o", "link");
        String addresses = f.host.ip("-o", "addr");

        assertMessage(WeftException.InvalidRequest.class, "network \"e\": driver name is empty; give one of the installed "
                + "drivers (host, null, testbridge, see driver:list) or omit -d for the default, bridge",
                () -> f.controller.createNetwork(new NetworkSpec("e", "", List.of(), false, false, Map.of(), Map.of())));
        assertMessage(WeftException.InvalidRequest.class, "driver name is empty",
                () -> f.controller.createNetwork(new NetworkSpec("e", " ", List.of(), false, false, Map.of(), Map.of())));
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("10.1.0.7/32", "subnet 10.1.0.7/32 is too small for a network with a gateway (it has 1 address and "
                + "the gateway takes one); the smallest accepted IPv4 subnet is a /30");
        refused.put("10.1.0.6/31", "subnet 10.1.0.6/31 is too small for a network with a gateway (it has 2 addresses and "
                + "the gateway takes one); the smallest accepted IPv4 subnet is a /30");
        refused.put("fd00:7::/128", "subnet fd00:7::/128 is too small for a network with a gateway (it has 1 address and "
                + "the gateway takes one); the smallest accepted IPv6 subnet is a /126");
        refused.put("fd00:7::/127", "subnet fd00:7::/127 is too small for a network with a gateway (it has 2 addresses and "
                + "the gateway takes one); the smallest accepted IPv6 subnet is a /126");
        refused.put("::/0", "subnet ::/0 has prefix length 0: it is every IPv6 address, loopback and multicast included; "
                + "give a subnet like fd00:1::/64");
        refused.put("0.0.0.0/0", "subnet 0.0.0.0/0 has prefix length 0: it is every IPv4 address, loopback and multicast "
                + "included; give a subnet like 10.1.0.0/24");
        // a subnet of the unspecified address asks for a size (Docker 29): too small a one is refused as such
        refused.put("::/127", "subnet ::/127 asks for a /127, too small for a network with a gateway (2 addresses); "
                + "ask for a /126 or shorter");
        refused.put("0.0.0.0/32", "subnet 0.0.0.0/32 asks for a /32, too small for a network with a gateway (1 address); "
                + "ask for a /30 or shorter");
        refused.put("ff05:1::/64", "subnet ff05:1::/64 holds multicast addresses (ff00::/8)");
        refused.put("127.1.0.0/24", "subnet 127.1.0.0/24 holds loopback addresses (127.0.0.0/8), which a network's "
                + "interfaces cannot use; give a subnet outside 127.0.0.0/8, like 10.1.0.0/24");
        refused.put("224.1.0.0/24", "subnet 224.1.0.0/24 holds multicast addresses (224.0.0.0/4)");
        for (Map.Entry<String, String> r : refused.entrySet()) {
            IpPrefix subnet = IpPrefix.parse(r.getKey());
            assertMessage(WeftException.InvalidRequest.class, "network \"small\": " + r.getValue(),
                    () -> f.controller.createNetwork(new NetworkSpec("small", "testbridge", List.of(SubnetSpec.of(subnet)),
                            !subnet.isIpv4(), false, Map.of(), Map.of())));
        }
        assertEquals(records, f.records(), "a refused request must leave the records as they were");
        assertEquals(links, f.host.ip("-o", "link"), "a refused request must leave the links as they were");
        assertEquals(addresses, f.host.ip("-o", "addr"), "a refused request must leave the addresses as they were");
        assertTrue(f.controller.network("small").isEmpty() && f.controller.network("e").isEmpty());

        // the smallest accepted subnets work: the gateway and one sandbox, which reaches it
        testNetwork("p30", "10.1.0.4/30");
        String s = f.sandboxName("s");
        EndpointInfo e = f.controller.createSandbox(SandboxSpec.of(s, "p30")).endpoints().get(0);
        assertEquals("10.1.0.6/30", e.ipv4().toString());
        try (TcpListener l = f.host.listenTcp("10.1.0.5", 7070);
             TcpConnection c = f.host.sandboxes().get(0).connectTcp("10.1.0.5", 7070)) {
            assertEquals("10.1.0.6", c.peerSeenBy(l));
        }
    }

    @Test
    void publishedHostPortsAreReservedInTheHostNamespace() throws Exception {
        testNetwork("pub", "10.79.0.0/24");
        String a = f.sandboxName("a");
        SandboxInfo s = f.controller.createSandbox(new SandboxSpec(a, "pub",
                new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("18080:80"), PortSpec.parse("80/udp"))), null));
        List<dev.weft.api.PortBinding> ports = s.endpoints().get(0).ports();
        assertEquals(2, ports.size());
        assertEquals(18080, ports.get(0).hostPort());
        assertTrue(ports.get(1).hostPort() > 0, "an omitted host port gets a free one: " + ports);
        assertEquals(ports, f.testBridge.published);
        assertThrows(RuntimeException.class, () -> f.host.listenTcp(18080), "a host process must not get a published port");
        // With no DNAT in force (this driver publishes nothing) an IPv4 client of the held port is
        // refused or reset at once (the port listens for the [::1] proxy, which resets IPv4 clients):
        // it is never served and no handshake hangs in a backlog.
        String ipv4Client = f.host.call(() -> {
            try (java.net.Socket sock = new java.net.Socket()) {
                sock.connect(new java.net.InetSocketAddress("127.0.0.1", 18080), 3000);
                sock.setSoTimeout(3000);
                return sock.getInputStream().read() < 0 ? "end of stream" : "served";
            } catch (java.net.SocketException e) {
                return "refused or reset"; // ConnectException (refused) or "Connection reset"
            }
        });
        assertTrue(ipv4Client.equals("refused or reset") || ipv4Client.equals("end of stream"),
                "expected a refused or reset connection, got " + ipv4Client);

        try (TcpListener taken = f.host.listenTcp(18081)) {
            String b = f.sandboxName("b");
            assertMessage(WeftException.Conflict.class, "host port 18081/tcp is not free: a host process holds it",
                    () -> f.controller.createSandbox(new SandboxSpec(b, "pub",
                            new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("18081:80"))), null)));
            assertTrue(f.controller.sandbox(b).isEmpty());
        }
        String c = f.sandboxName("c");
        assertMessage(WeftException.Conflict.class, "host port 18080/tcp is not free: published by " + a,
                () -> f.controller.createSandbox(new SandboxSpec(c, "pub",
                        new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("18080:80"))), null)));

        f.controller.removeSandbox(a);
        assertTrue(f.testBridge.published.isEmpty());
        try (TcpListener free = f.host.listenTcp(18080)) {
            assertEquals(18080, free.port(), "the port is free again once its sandbox is gone");
        }
    }

    @Test
    void afterARestartEverythingIsThereOnceAndLeasesContinue() throws Exception {
        testNetwork("blue", "10.80.0.0/24");
        String a = f.sandboxName("a"), b = f.sandboxName("b"), gone = f.sandboxName("gone");
        f.controller.createSandbox(new SandboxSpec(a, "blue",
                new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("18090:80"))), null));
        f.controller.createSandbox(SandboxSpec.of(b, "blue"));
        f.controller.createSandbox(SandboxSpec.of(gone, "blue"));
        List<String> networksBefore = f.controller.networks().stream().map(NetworkInfo::name).toList();
        String links = f.host.ip("-o", "link");

        f.host.exec("ip", "netns", "delete", gone); // vanishes while Weft is down
        f.restart();

        assertEquals(networksBefore, f.controller.networks().stream().map(NetworkInfo::name).toList());
        assertEquals(List.of(a, b), f.controller.sandboxes().stream().map(SandboxInfo::name).toList());
        assertEquals(List.of("blue"), f.testBridge.restored, "the driver re-adopts its network");
        assertEquals(links.lines().filter(l -> !l.contains("tv")).count(),
                f.host.ip("-o", "link").lines().filter(l -> !l.contains("tv")).count(), "nothing recreated or duplicated");
        assertThrows(RuntimeException.class, () -> f.host.listenTcp(18090), "published ports are reserved again");
        String c = f.sandboxName("c");
        String next = f.controller.createSandbox(SandboxSpec.of(c, "blue")).endpoints().get(0).ipv4().toString();
        assertEquals("10.80.0.4/24", next, "allocation goes on after the highest lease of the records");

        TestSandbox ta = f.host.sandboxes().get(0);
        try (TcpListener l = f.host.sandboxes().get(3).listenTcp(7070); TcpConnection conn = ta.connectTcp(
                next.substring(0, next.indexOf('/')), 7070)) {
            assertEquals("10.80.0.2", conn.peerSeenBy(l));
        }
    }

    private static <T extends Throwable> void assertMessage(Class<T> type, String fragment, Runnable r) {
        T e = assertThrows(type, r::run);
        assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
