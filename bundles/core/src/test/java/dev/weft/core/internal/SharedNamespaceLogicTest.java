package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import dev.weft.spi.NoInterfaceDriver;
import dev.weft.spi.SandboxMode;
import dev.weft.spi.SharedNamespaceDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Docker's {@code --network container:NAME} through the whole controller without root
 * ({@link FakeHostSystem}, where a second name of a namespace is a hard link: the same inode): the
 * share, chains, the host's namespace, every refusal (which changes nothing), removal with and
 * without force, a restart, the driver gone and back. The kernel's side (a bind mount, traffic
 * through the other's published port) is {@code ContainerModeKernelTest}'s in driver-container.
 */
class SharedNamespaceLogicTest {
    private Path dir;
    private FakeHostSystem system;
    private DriverRegistry drivers;
    private ControllerImpl controller;
    private final Object containerKey = new Object();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-shared-namespace-test-");
        Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.53\nsearch example.test\n");
        start();
        controller.createNetwork(new NetworkSpec("blue", "rec", List.of(SubnetSpec.of(IpPrefix.parse("10.91.0.0/24"))),
                false, false, Map.of(), Map.of()));
        controller.createSandbox(SandboxSpec.of("web", "blue"));
    }

    private void start() {
        system = new FakeHostSystem(dir);
        drivers = new DriverRegistry();
        drivers.add("rec", "test.rec", "1.0.0", new EndpointOptionsLogicTest.Recording(), "rec");
        drivers.add("host", "test.host", "1.0.0", new NoInterfaceDriver("host", "host", SandboxMode.HOST_NAMESPACE) { },
                "host");
        drivers.add("container", "test.container", "1.0.0", new SharedNamespaceDriver("container") { }, containerKey);
        controller = FakeRuntime.start(dir, system, drivers, new IpamRegistry(), IpPrefix.parse("fd42:7:9::/48"));
    }

    private void restart() {
        controller.close();
        start();
    }

    @AfterEach
    void tearDown() throws IOException {
        FakeRuntime.stop(controller, dir);
    }

    private SandboxInfo share(String name, String target) {
        return controller.createSandbox(SandboxSpec.of(name, "container:" + target));
    }

    private NetNamespace ns(String name) {
        return NetNamespace.at(name, system.namespaceDirectory().resolve(name));
    }

    private SandboxInfo info(String name) {
        return controller.sandbox(name).orElseThrow(() -> new AssertionError("no sandbox " + name));
    }

    @Test
    void aSharerHasTheSameNamespaceAndNoEndpoints() throws IOException {
        SandboxInfo app = share("app", "web");
        assertEquals(SandboxInfo.Mode.SHARED, app.mode());
        assertEquals("container:web", app.networkMode());
        assertEquals(List.of(), app.endpoints());
        assertTrue(ns("app").sameAs(ns("web")), "app's name pins web's namespace");
        assertEquals(List.of("app"), info("web").sharedBy());
        assertEquals("blue", info("web").networkMode());
        assertEquals(Files.readString(dir.resolve("etc-netns/web/resolv.conf")),
                Files.readString(dir.resolve("etc-netns/app/resolv.conf")), "app sees web's resolv.conf");
        // by id as well as by name, as Docker takes container:ID
        SandboxInfo byId = share("app2", info("web").id());
        assertEquals("container:web", byId.networkMode());
    }

    /** Docker's NetworkMode is the network a sandbox was created on, also after it left it. */
    @Test
    void theNetworkModeIsTheFirstNetworkForGood() {
        controller.createNetwork(new NetworkSpec("green", "rec", List.of(SubnetSpec.of(IpPrefix.parse("10.92.0.0/24"))),
                false, false, Map.of(), Map.of()));
        controller.connect("green", "web", EndpointSpec.defaults());
        controller.disconnect("blue", "web", false);
        assertEquals("blue", info("web").networkMode());
        restart();
        assertEquals("blue", info("web").networkMode(), "recorded");
    }

    @Test
    void aChainResolvesToTheSandboxThatHasTheNamespace() {
        share("b", "web");
        SandboxInfo c = share("c", "b");
        assertEquals("container:web", c.networkMode(), "c shares b, which shares web: c shares web's");
        assertTrue(ns("c").sameAs(ns("web")));
        assertEquals(List.of("b", "c"), info("web").sharedBy());
        controller.removeSandbox("b");
        assertTrue(ns("c").sameAs(ns("web")), "removing b leaves c on web's namespace");
    }

    @Test
    void theHostsNamespaceCanBeShared() {
        controller.createSandbox(SandboxSpec.of("h", "host"));
        SandboxInfo s = share("hs", "h");
        assertEquals("container:h", s.networkMode());
        assertTrue(ns("hs").sameAs(system.hostNamespace()), "hs is the host's namespace under a name of its own");
    }

    /** The request is refused with a message containing every {@code words}, and nothing is left of it. */
    private void refused(Class<? extends WeftException> type, Runnable request, String... words) throws IOException {
        List<String> namespaces = system.namespaceNames();
        List<SandboxInfo> before = controller.sandboxes();
        List<String> records = records();
        List<String> etc = etcNetns();
        WeftException e = assertThrows(WeftException.class, request::run);
        assertInstanceOf(type, e, e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "\"" + w + "\" not in: " + e.getMessage());
        }
        assertEquals(namespaces, system.namespaceNames(), "no namespace made or lost");
        assertEquals(before, controller.sandboxes(), "no sandbox made or lost");
        assertEquals(records, records(), "no record made or lost");
        assertEquals(etc, etcNetns(), "no /etc/netns directory made or lost");
    }

    private List<String> etcNetns() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("etc-netns"))) {
            return s.map(Path::toString).sorted().toList();
        }
    }

    private List<String> records() throws IOException {
        Path d = dir.resolve("run/sandboxes");
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void create(String network, EndpointSpec e, Path netns) {
        controller.createSandbox(new SandboxSpec("app", network, e, netns));
    }

    @Test
    void refusals() throws IOException {
        Supplier<EndpointSpec> d = EndpointSpec::defaults;
        String shared = "cannot have networks of its own";
        refused(WeftException.InvalidRequest.class, () -> create("container:web", new EndpointSpec(null, null, List.of(),
                List.of(PortSpec.parse("8080:80"))), null), "--publish", shared);
        refused(WeftException.InvalidRequest.class, () -> create("container:web", new EndpointSpec(
                IpAddresses.parse("10.91.0.9"), null, List.of(), List.of()), null), "--ip", shared);
        refused(WeftException.InvalidRequest.class, () -> create("container:web", new EndpointSpec(
                null, IpAddresses.parse("fd00::9"), List.of(), List.of()), null), "--ip6", shared);
        refused(WeftException.InvalidRequest.class, () -> create("container:web", new EndpointSpec(
                null, null, List.of("db"), List.of()), null), "--alias", shared);
        refused(WeftException.InvalidRequest.class, () -> create("container:web",
                d.get().withMac(MacAddress.parse("02:00:00:00:00:09")), null), "--mac-address", shared);
        refused(WeftException.InvalidRequest.class, () -> create("container:web", d.get().withGwPriority(5), null),
                "--gw-priority", shared);
        refused(WeftException.InvalidRequest.class, () -> create("container:web", d.get(), dir.resolve("resolv.conf")),
                "--netns", shared);
        refused(WeftException.InvalidRequest.class, () -> share("app", "app"), "cannot share its own");
        refused(WeftException.NotFound.class, () -> share("app", "nosuch"), "no sandbox \"nosuch\"");
        refused(WeftException.InvalidRequest.class, () -> share("app", ""), "name the sandbox");
        refused(WeftException.InvalidRequest.class, () -> create("rec:web", d.get(), null),
                "driver \"rec\" does not share");
        refused(WeftException.Unavailable.class, () -> create("nosuchdriver:web", d.get(), null),
                "\"nosuchdriver\", which is not installed");
        refused(WeftException.InvalidRequest.class, () -> controller.createNetwork(new NetworkSpec("c", "container",
                List.of(), false, false, Map.of(), Map.of())), "makes no networks");

        share("app0", "web");
        List<String> ns = system.namespaceNames();
        WeftException connect = assertThrows(WeftException.Conflict.class,
                () -> controller.connect("blue", "app0", EndpointSpec.defaults()));
        assertTrue(connect.getMessage().contains("cannot have networks of its own")
                && connect.getMessage().contains("container:web"), connect.getMessage());
        WeftException disconnect = assertThrows(WeftException.Conflict.class,
                () -> controller.disconnect("blue", "app0", false));
        assertTrue(disconnect.getMessage().contains("cannot have networks of its own"), disconnect.getMessage());
        assertEquals(List.of(), info("app0").endpoints());
        assertEquals(ns, system.namespaceNames());
    }

    @Test
    void removal() {
        share("app", "web");
        share("app2", "web");
        WeftException e = assertThrows(WeftException.Conflict.class, () -> controller.removeSandbox("web"));
        assertTrue(e.getMessage().contains("shared by app, app2") && e.getMessage().contains("--force"), e.getMessage());
        assertTrue(ns("web").stillThere() && ns("app").stillThere(), "a refused removal changes nothing");

        controller.removeSandbox("app2");
        controller.awaitRemoval("app2");
        assertTrue(ns("web").stillThere(), "removing a sharer leaves the namespace");
        assertFalse(Files.exists(system.namespaceDirectory().resolve("app2")), "only the sharer's name goes");
        assertEquals(List.of("app"), info("web").sharedBy());
        assertEquals(1, info("web").endpoints().size(), "web keeps its endpoint");

        controller.removeSandbox("web", true);
        controller.awaitRemoval("web");
        controller.awaitRemoval("app");
        assertEquals(List.of(), controller.sandboxes().stream().map(SandboxInfo::name).toList());
        assertEquals(List.of(), system.namespaceNames());
        assertFalse(Files.exists(dir.resolve("etc-netns/app")));
    }

    @Test
    void aSharerBeingRemovedNoLongerHoldsItsSandbox() {
        share("app", "web");
        controller.removeSandbox("app"); // its name goes in the background
        assertEquals(List.of(), info("web").sharedBy());
        controller.removeSandbox("web"); // at once, without force
        controller.awaitRemoval("web");
        controller.awaitRemoval("app");
        assertEquals(List.of(), system.namespaceNames());
    }

    @Test
    void restartKeepsShares() {
        share("app", "web");
        share("c", "app");
        restart();
        assertEquals("container:web", info("app").networkMode());
        assertEquals("container:web", info("c").networkMode());
        assertEquals(List.of("app", "c"), info("web").sharedBy());
        assertTrue(ns("app").sameAs(ns("web")));
        assertThrows(WeftException.Conflict.class, () -> controller.removeSandbox("web"));
    }

    @Test
    void aSharerOfAVanishedSandboxGoesAtTheNextStart() throws IOException {
        share("app", "web");
        controller.close();
        Files.delete(system.namespaceDirectory().resolve("web")); // `ip netns del web` while Weft is down
        start();
        assertTrue(controller.sandbox("web").isEmpty());
        assertTrue(controller.sandbox("app").isEmpty(), "app shared web's namespace, which Weft no longer knows");
        assertFalse(Files.exists(system.namespaceDirectory().resolve("app")));
    }

    @Test
    void withoutTheDriverSharesStayAndNewOnesAreRefused() throws IOException {
        share("app", "web");
        drivers.remove(containerKey);
        refused(WeftException.Unavailable.class, () -> share("app3", "web"),
                "needs the network driver \"container\", which is not installed");
        assertEquals("container:web", info("app").networkMode());
        controller.removeSandbox("app");
        controller.awaitRemoval("app");
        assertTrue(controller.sandbox("app").isEmpty(), "a sharer is removed without its driver");
        drivers.add("container", "test.container", "1.0.0", new SharedNamespaceDriver("container") { }, containerKey);
        assertTrue(ns(share("app", "web").name()).sameAs(ns("web")));
    }
}
