package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.DnsSettings;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxLink;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetInfo;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.NameService;
import dev.weft.spi.PredefinedNetworks;
import dev.weft.spi.SharedNamespaceDriver;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Names through the whole controller without root: the resolver files core writes for
 * {@code ip netns exec} (resolv.conf naming the name service where it serves names, the host's
 * resolvers or {@code --dns} elsewhere; hosts with the sandbox's own names and its links), their
 * rewriting when networks, links and the name service change, Docker's DNSNames, and every
 * refusal of a bad name (which changes nothing). The server itself is tested in bundle dev.weft.dns.
 */
class NamesLogicTest {
    private Path dir;
    private ControllerImpl controller;
    private DriverRegistry drivers;
    private final Names names = new Names();

    /** A driver whose predefined network is the default one, as the bridge driver's {@code bridge}. */
    static final class DefaultNetworkDriver extends EndpointOptionsLogicTest.Recording implements PredefinedNetworks {
        @Override
        public List<Predefined> predefinedNetworks() {
            return List.of(new Predefined(new NetworkSpec("bridge", "def", List.of(SubnetSpec.of(
                    IpPrefix.parse("10.92.0.0/24"))), false, false, Map.of(), Map.of()), true));
        }
    }

    /** A name service serving each user network at its gateway, as the DNS bundle does. */
    static class Names implements NameService {
        final Map<String, InetAddress> served = new ConcurrentHashMap<>();

        @Override
        public void snapshot(List<NetworkInfo> networks, List<SandboxInfo> sandboxes) {
            networks.forEach(this::networkCreated);
        }

        @Override
        public void networkCreated(NetworkInfo n) {
            if (!n.predefined() && !n.subnets().isEmpty()) {
                SubnetInfo s = n.subnets().get(0);
                served.put(n.id(), s.gateway());
            }
        }

        @Override
        public List<InetAddress> servers(String networkId) {
            return Optional.ofNullable(served.get(networkId)).map(List::of).orElse(List.of());
        }

        @Override
        public Optional<String> remark(String networkId) {
            return served.containsKey(networkId) ? Optional.of("served at " + served.get(networkId).getHostAddress())
                    : Optional.empty();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-names-test-");
        Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.53\nnameserver 192.0.2.53\n"
                + "search example.test\noptions edns0\n");
        drivers = new DriverRegistry();
        drivers.add("rec", "test.rec", "1.0.0", new EndpointOptionsLogicTest.Recording(), "rec");
        drivers.add("def", "test.def", "1.0.0", new DefaultNetworkDriver(), "def");
        drivers.add("container", "test.container", "1.0.0", new SharedNamespaceDriver("container") { }, "container");
        controller = FakeRuntime.start(dir, new FakeHostSystem(dir), drivers, new IpamRegistry(),
                IpPrefix.parse("fd42:7:9::/48"));
        for (String[] n : new String[][] {{"blue", "10.91.0.0/24"}, {"green", "10.93.0.0/24"}}) {
            controller.createNetwork(new NetworkSpec(n[0], "rec", List.of(SubnetSpec.of(IpPrefix.parse(n[1]))), false,
                    false, Map.of(), Map.of()));
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        FakeRuntime.stop(controller, dir);
    }

    private String file(String sandbox, String name) throws IOException {
        return Files.readString(dir.resolve("etc-netns").resolve(sandbox).resolve(name));
    }

    private List<String> lines(String sandbox, String name, String prefix) throws IOException {
        return file(sandbox, name).lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void withoutANameServiceSandboxesGetTheHostsResolversButNotItsLoopbackOnes() throws IOException {
        controller.createSandbox(SandboxSpec.of("web", "blue"));
        assertEquals(List.of("nameserver 192.0.2.53"), lines("web", "resolv.conf", "nameserver"));
        assertEquals(List.of("search example.test"), lines("web", "resolv.conf", "search"));
        assertEquals(List.of("options edns0"), lines("web", "resolv.conf", "options"));
        assertEquals(List.of("10.91.0.2\tweb"), lines("web", "hosts", "10.91."));
        assertTrue(file("web", "hosts").contains("127.0.0.1\tlocalhost\n"), file("web", "hosts"));
    }

    @Test
    void aNameServiceIsNamedWhereItServesAndTheFilesFollowItComingAndGoing() throws IOException {
        controller.createSandbox(SandboxSpec.of("web", "blue"));
        controller.createSandbox(SandboxSpec.of("plain", "bridge"));
        controller.addListener(names);
        assertEquals(List.of("nameserver 10.91.0.1"), lines("web", "resolv.conf", "nameserver"),
                "a sandbox made before the service came names it once it is there");
        assertEquals(List.of("search weft.internal example.test"), lines("web", "resolv.conf", "search"));
        assertEquals(List.of("nameserver 192.0.2.53"), lines("plain", "resolv.conf", "nameserver"),
                "the default network has no names: the host's resolvers");

        controller.connect("green", "web", EndpointSpec.defaults());
        assertEquals(List.of("nameserver 10.91.0.1", "nameserver 10.93.0.1"), lines("web", "resolv.conf", "nameserver"));
        controller.disconnect("blue", "web", false);
        assertEquals(List.of("nameserver 10.93.0.1"), lines("web", "resolv.conf", "nameserver"));
        assertEquals("served at 10.93.0.1", controller.network("green").orElseThrow().remarks().get("NameResolution"));

        controller.removeListener(names);
        assertEquals(List.of("nameserver 192.0.2.53"), lines("web", "resolv.conf", "nameserver"),
                "the service gone: back to the host's resolvers");
        assertFalse(controller.network("green").orElseThrow().remarks().containsKey("NameResolution"));
    }

    @Test
    void ownDnsSettingsReplaceTheHostsAndAreForwardedToWhereNamesAreServed() throws IOException {
        controller.addListener(names);
        DnsSettings own = new DnsSettings(List.of(IpAddresses.parse("198.51.100.53")), List.of("corp.test"),
                List.of("ndots:2"));
        controller.createSandbox(SandboxSpec.of("web", "blue").withDns(own).withHostname("www"));
        controller.createSandbox(SandboxSpec.of("plain", "bridge").withDns(own));
        assertEquals(List.of("nameserver 10.91.0.1"), lines("web", "resolv.conf", "nameserver"));
        assertEquals(List.of("search weft.internal corp.test"), lines("web", "resolv.conf", "search"));
        assertEquals(List.of("options ndots:2"), lines("web", "resolv.conf", "options"));
        assertEquals(List.of("nameserver 198.51.100.53"), lines("plain", "resolv.conf", "nameserver"),
                "where names are not served, its own servers go into its resolv.conf");
        assertEquals(List.of("search corp.test"), lines("plain", "resolv.conf", "search"));
        SandboxInfo web = controller.sandbox("web").orElseThrow();
        assertEquals("www", web.hostname());
        assertEquals(own, web.dns());
        assertEquals(List.of("10.91.0.2\twww"), lines("web", "hosts", "10.91."));
        assertEquals(file("web", "resolv.conf"), controller.resolverFiles("web").get("resolv.conf"));
    }

    @Test
    void aDriverArrivingAgainMakesItsNetworksAvailableToListenersAndRewritesTheirSandboxesFiles() throws IOException {
        controller.createSandbox(SandboxSpec.of("web", "blue"));
        List<String> available = new java.util.concurrent.CopyOnWriteArrayList<>();
        Names late = new Names() { // serves a network only once its driver is there, as the DNS bundle
            @Override
            public void networkCreated(NetworkInfo n) {
                if (n.available()) {
                    super.networkCreated(n);
                }
            }

            @Override
            public void networkAvailable(NetworkInfo n) {
                available.add(n.name());
                super.networkCreated(n);
            }
        };
        drivers.remove("rec");
        controller.addListener(late);
        assertEquals(List.of("nameserver 192.0.2.53"), lines("web", "resolv.conf", "nameserver"),
                "its network's driver is away: not served yet");
        drivers.add("rec", "test.rec", "1.0.0", new EndpointOptionsLogicTest.Recording(), "rec");
        assertEquals(List.of("blue", "green"), available.stream().sorted().toList(), "one event per network of the driver");
        assertEquals(List.of("nameserver 10.91.0.1"), lines("web", "resolv.conf", "nameserver"),
                "core rewrote the sandbox's files once the service served its network");
    }

    @Test
    void behindALoopbackStubTheResolversSystemdResolvedListsAreTakenAndFollowed() throws IOException {
        Path host = Files.writeString(dir.resolve("stub-resolv.conf"), "nameserver 127.0.0.53\nsearch corp.test\n");
        Path systemd = Files.writeString(dir.resolve("systemd-resolv.conf"), "nameserver 192.0.2.1\nnameserver 192.0.2.2\n");
        ResolverFiles files = new ResolverFiles(new Inventory(new dev.weft.core.internal.store.Store(dir.resolve("s2"),
                dir.resolve("r2"))), dir.resolve("etc2"), host, systemd);
        assertEquals(List.of("192.0.2.1", "192.0.2.2"), files.hostConf().nameservers(), "Docker's rule for systemd-resolved");
        assertEquals(List.of("corp.test"), files.hostConf().search());
        Files.writeString(systemd, "nameserver 198.51.100.9\n");
        assertEquals(List.of("198.51.100.9"), files.hostConf().nameservers(), "its changes are followed");
        ResolverFiles without = new ResolverFiles(new Inventory(new dev.weft.core.internal.store.Store(dir.resolve("s3"),
                dir.resolve("r3"))), dir.resolve("etc3"), host, null);
        assertEquals(List.of(), without.hostConf().nameservers());
        assertTrue(without.hostConf().loopbackOnly());
    }

    @Test
    void anAdoptedNamespaceGetsNoFilesWrittenButItsOwnerIsToldWhatToInstall() throws IOException {
        controller.addListener(names);
        Path theirs = Files.createFile(dir.resolve("their-netns"));
        controller.createSandbox(new SandboxSpec("adopted", "blue", EndpointSpec.defaults(), theirs).withHostname("own"));
        assertFalse(Files.exists(dir.resolve("etc-netns").resolve("adopted")), "Weft writes nothing for a namespace it "
                + "does not own");
        Map<String, String> files = controller.resolverFiles("adopted");
        assertTrue(files.get("resolv.conf").contains("nameserver 10.91.0.1\n"), files.toString());
        assertTrue(files.get("hosts").contains("10.91.0.2\town\n"), files.toString());
    }

    @Test
    void dnsNamesAreNameAliasesShortIdAndHostnameOnUserNetworksOnly() {
        SandboxInfo web = controller.createSandbox(new SandboxSpec("web", "blue",
                new EndpointSpec(null, null, List.of("api", "www"), List.of()), null).withHostname("www"));
        EndpointInfo e = web.endpoints().get(0);
        assertEquals(List.of("web", "api", "www", web.id().substring(0, 12)), e.dnsNames());
        SandboxInfo plain = controller.createSandbox(SandboxSpec.of("plain", "bridge"));
        assertEquals(List.of(), plain.endpoints().get(0).dnsNames(), "Docker's default network has no names");
        EndpointInfo green = controller.connect("green", "web", new EndpointSpec(null, null, List.of("g"), List.of()));
        assertEquals(List.of("web", "g", web.id().substring(0, 12), "www"), green.dnsNames());
    }

    @Test
    void linksPutTheLinkedSandboxInTheHostsFileAndFollowIt() throws IOException {
        controller.createSandbox(SandboxSpec.of("db", "bridge"));
        controller.createSandbox(SandboxSpec.of("app", "bridge").withLinks(List.of(SandboxLink.parse("db:database"))));
        assertEquals(List.of("10.92.0.2\tdatabase db"), lines("app", "hosts", "10.92.0.2"));
        assertEquals(List.of(new SandboxLink("db", "database")), controller.sandbox("app").orElseThrow().links());

        controller.removeSandbox("db");
        controller.awaitRemovals();
        assertEquals(List.of(), lines("app", "hosts", "10.92.0.2"), "the linked sandbox went: its entry too");
        controller.createSandbox(new SandboxSpec("db", "bridge", new EndpointSpec(IpAddresses.parse("10.92.0.9"), null,
                List.of(), List.of()), null));
        assertEquals(List.of("10.92.0.9\tdatabase db"), lines("app", "hosts", "10.92.0.9"),
                "a sandbox of that name came back: the link follows it to its new address");
    }

    @Test
    void badNamesAreRefusedNamingTheValueAndChangeNothing() throws IOException {
        controller.createSandbox(SandboxSpec.of("db", "bridge"));
        controller.createSandbox(SandboxSpec.of("web", "blue"));
        List<SandboxInfo> before = controller.sandboxes();
        record Case(SandboxSpec spec, String expected) {}
        List<Case> cases = List.of(
                new Case(SandboxSpec.of("a", "blue").withHostname("-bad-"), "--hostname \"-bad-\" is not a host name"),
                new Case(SandboxSpec.of("a", "blue").withHostname("a_b"), "--hostname \"a_b\""),
                new Case(new SandboxSpec("a", "blue", new EndpointSpec(null, null, List.of("ok", "b c"), List.of()), null),
                        "--alias \"b c\" is not a DNS name"),
                new Case(new SandboxSpec("a", "blue", new EndpointSpec(null, null, List.of("x", "X"), List.of()), null),
                        "--alias \"X\" is given twice"),
                new Case(new SandboxSpec("a", "bridge", new EndpointSpec(null, null, List.of("x"), List.of()), null),
                        "network \"bridge\" has no names"),
                new Case(SandboxSpec.of("a", "bridge").withLinks(List.of(SandboxLink.parse("nosuch"))),
                        "no sandbox \"nosuch\""),
                new Case(SandboxSpec.of("a", "blue").withLinks(List.of(SandboxLink.parse("web"))),
                        "links are for the default network"),
                new Case(SandboxSpec.of("a", "bridge").withLinks(List.of(SandboxLink.parse("web"))),
                        "sandbox \"web\" is not on network \"bridge\""),
                new Case(SandboxSpec.of("a", "bridge").withLinks(List.of(SandboxLink.parse("a"))), "cannot link to itself"),
                new Case(SandboxSpec.of("a", "bridge").withLinks(List.of(SandboxLink.parse("db:x"),
                        new SandboxLink("db", "x"))), "\"x\" is given twice"),
                new Case(SandboxSpec.of("a", "blue").withDns(new DnsSettings(List.of(IpAddresses.parse("0.0.0.0")),
                        List.of(), List.of())), "--dns 0.0.0.0 is not a name server's address"),
                new Case(SandboxSpec.of("a", "container:web").withHostname("h"), "--hostname"),
                new Case(SandboxSpec.of("a", "container:web").withDns(new DnsSettings(List.of(), List.of("x.test"),
                        List.of())), "--dns-search"));
        for (Case c : cases) {
            WeftException e = assertThrows(WeftException.class, () -> controller.createSandbox(c.spec()), c.expected());
            assertTrue(e.getMessage().contains(c.expected()), "expected \"" + c.expected() + "\" in: " + e.getMessage());
        }
        assertEquals(before, controller.sandboxes(), "a refusal changes nothing");
        assertFalse(Files.exists(dir.resolve("etc-netns").resolve("a")), "no files for a refused sandbox");
        WeftException connect = assertThrows(WeftException.class, () -> controller.connect("green", "web",
                new EndpointSpec(null, null, List.of("dup", "dup"), List.of())));
        assertTrue(connect.getMessage().contains("--alias \"dup\" is given twice"), connect.getMessage());
        assertEquals(1, controller.sandbox("web").orElseThrow().endpoints().size());
        WeftException search = assertThrows(WeftException.class, () -> new DnsSettings(List.of(), List.of("bad domain"),
                List.of()));
        assertTrue(search.getMessage().contains("\"bad domain\""), search.getMessage());
    }

    @Test
    void aSharersFilesFollowTheOwnersAndRecordsKeepTheSettingsAcrossARestart() throws IOException {
        controller.addListener(names);
        controller.createSandbox(SandboxSpec.of("web", "blue").withHostname("www"));
        controller.createSandbox(SandboxSpec.of("side", "container:web"));
        controller.connect("green", "web", EndpointSpec.defaults());
        assertEquals(file("web", "resolv.conf"), file("side", "resolv.conf"));
        assertEquals(file("web", "hosts"), file("side", "hosts"));
        assertEquals(controller.resolverFiles("web"), controller.resolverFiles("side"));

        controller.close();
        DriverRegistry drivers = new DriverRegistry();
        drivers.add("rec", "test.rec", "1.0.0", new EndpointOptionsLogicTest.Recording(), "rec");
        drivers.add("def", "test.def", "1.0.0", new DefaultNetworkDriver(), "def");
        drivers.add("container", "test.container", "1.0.0", new SharedNamespaceDriver("container") { }, "container");
        controller = FakeRuntime.start(dir, new FakeHostSystem(dir), drivers, new IpamRegistry(),
                IpPrefix.parse("fd42:7:9::/48"));
        assertEquals("www", controller.sandbox("web").orElseThrow().hostname(), "the hostname is recorded");
    }
}
