package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortBinding;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.ExternalConnectivity;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.NoInterfaceDriver;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.SandboxMode;
import dev.weft.spi.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole controller, without root and without a kernel: {@link FakeHostSystem} in place of the
 * narrowed kernel interface ({@link HostSystem}), drivers that only record what they are told.
 * What is tested is the controller's logic: order of steps, refusals that change nothing, one
 * winner of races, names and addresses free again, what a restart finds.
 */
class ControllerLogicTest {
    private Path dir;
    private FakeHostSystem system;
    private DriverRegistry drivers;
    private Recording driver;
    private ControllerImpl controller;

    /** A network driver with ports, recording its calls and what the store held at each. */
    final class Recording implements NetworkDriver<Map<String, String>>, ExternalConnectivity<Map<String, String>> {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public Scope scope() {
            return Scope.LOCAL;
        }

        @Override
        public Map<String, String> parseOptions(Map<String, String> options) {
            return options;
        }

        /** Option {@code no_default_route=true}: its endpoints give no default route (netavark's). */
        @Override
        public boolean givesDefaultRoutes(Map<String, String> options) {
            return !"true".equals(options.get("no_default_route"));
        }

        @Override
        public void createNetwork(NetworkConfig network, Map<String, String> options) {
            calls.add("createNetwork " + network.name());
        }

        @Override
        public void deleteNetwork(NetworkConfig network, Map<String, String> options) {
            calls.add("deleteNetwork " + network.name());
        }

        @Override
        public JoinInfo join(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                             SandboxConfig sandbox) {
            calls.add("join " + sandbox.name() + " " + endpoint.ipv4() + " record holds ports " + recordedPorts(endpoint));
            return new JoinInfo(endpoint.interfaceName(), null);
        }

        @Override
        public void leave(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                          SandboxConfig sandbox) {
            calls.add("leave " + sandbox.name() + (sandbox.removing() ? " (sandbox going)" : ""));
        }

        @Override
        public void publish(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                            List<PortBinding> ports) {
            calls.add("publish " + ports.stream().map(PortBinding::hostPort).toList());
        }

        @Override
        public void unpublish(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                              List<PortBinding> ports) {
            calls.add("unpublish " + ports.stream().map(PortBinding::hostPort).toList());
        }

        private String recordedPorts(EndpointConfig endpoint) {
            try {
                return Files.readString(dir.resolve("run/endpoints/" + endpoint.id() + ".json")).contains("\"hostPort\"")
                        ? "yes" : "no";
            } catch (IOException e) {
                return "no record";
            }
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-logic-test-");
        start();
    }

    private void start() {
        system = new FakeHostSystem(dir);
        drivers = new DriverRegistry();
        driver = new Recording();
        drivers.add("host", "dev.weft.driver-host", "0.1.0", new NoInterfaceDriver("host", "host",
                SandboxMode.HOST_NAMESPACE) { }, "host");
        drivers.add("rec", "test.rec", "1.0.0", driver, "rec");
        controller = FakeRuntime.start(dir, system, drivers, new IpamRegistry(), IpPrefix.parse("fd42:7:7::/48"));
    }

    @AfterEach
    void tearDown() throws IOException {
        FakeRuntime.stop(controller, dir);
    }

    private void blue() {
        controller.createNetwork(new NetworkSpec("blue", "rec", List.of(SubnetSpec.of(IpPrefix.parse("10.70.0.0/24"))),
                false, false, Map.of(), Map.of()));
    }

    private SandboxInfo sandbox(String name, String ip, String... ports) {
        return controller.createSandbox(new SandboxSpec(name, "blue", new EndpointSpec(ip == null ? null
                : IpAddresses.parse(ip), null, List.of(), Stream.of(ports).map(PortSpec::parse).toList()), null));
    }

    @Test
    void aSandboxGetsANamespaceAndAnAddressAndBothAreFreeAgainAfterItsRemoval() {
        blue();
        SandboxInfo a = sandbox("a", "10.70.0.50");
        assertEquals(List.of("a"), system.namespaceNames());
        assertEquals(SandboxInfo.Mode.CREATED, a.mode());
        assertEquals("10.70.0.50/24", a.endpoints().get(0).ipv4().toString());

        controller.removeSandbox("a");
        assertTrue(controller.sandbox("a").isEmpty(), "gone from the listings at once");
        SandboxInfo again = sandbox("a", "10.70.0.50"); // the name and the static address, at once
        assertEquals("10.70.0.50/24", again.endpoints().get(0).ipv4().toString());
        assertEquals(List.of("a"), system.namespaceNames());
        assertTrue(driver.calls.contains("leave a (sandbox going)"), driver.calls.toString());
    }

    @Test
    void aRefusedHostPortReachesNoDriverAndTheRecordExplainsPortsBeforeTheDriverActs() {
        blue();
        system.holdAsHostProcess("tcp", 8090);
        WeftException e = assertThrows(WeftException.class, () -> sandbox("x", null, "127.0.0.1:8090:80"));
        assertTrue(e.getMessage().contains("8090"), e.getMessage());
        assertFalse(driver.calls.stream().anyMatch(c -> c.startsWith("join")), "no driver call for a refusal: " + driver.calls);
        assertEquals(List.of(), system.namespaceNames(), "its namespace is gone again");
        assertTrue(controller.sandboxes().isEmpty());

        sandbox("web", null, "127.0.0.1:8080:80");
        // allocation goes on after the last address handed out (as Docker's IPAM does), so .3
        assertEquals(List.of("createNetwork blue", "join web 10.70.0.3/24 record holds ports yes", "publish [8080]"),
                driver.calls, "ports are in the record (CREATING) before the driver joins and publishes");
        controller.removeSandbox("web");
        assertTrue(driver.calls.contains("unpublish [8080]"), driver.calls.toString());
        assertEquals("10.70.0.2/24", sandbox("y", "10.70.0.2").endpoints().get(0).ipv4().toString(),
                "the refused sandbox's address is free again");
    }

    @Test
    void ofEightConcurrentRemovalsExactlyOneWinsEveryTime() throws Exception {
        blue();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                String name = "r" + round;
                sandbox(name, null);
                CyclicBarrier start = new CyclicBarrier(8);
                List<Future<String>> outcomes = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    outcomes.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        try {
                            controller.removeSandbox(name);
                            return "removed";
                        } catch (WeftException.NotFound e) {
                            return "already";
                        }
                    }));
                }
                int removed = 0;
                for (Future<String> o : outcomes) {
                    removed += o.get(30, TimeUnit.SECONDS).equals("removed") ? 1 : 0;
                }
                assertEquals(1, removed, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void hostModeAndTheDefaultNetworkFollowTheDriversDeclarations() {
        SandboxInfo h = controller.createSandbox(SandboxSpec.of("h", "host"));
        assertEquals(SandboxInfo.Mode.HOST, h.mode());
        assertEquals(system.hostNamespace().path(), h.namespace());
        assertEquals(List.of(), system.namespaceNames(), "no namespace of its own");
        SandboxInfo d = controller.createSandbox(new SandboxSpec("d", null, EndpointSpec.defaults(), null));
        assertEquals("none", d.endpoints().get(0).network(), "no default declared: the loopback-only network");
        assertEquals(List.of("d"), system.namespaceNames());
    }

    @Test
    void aRestartFindsEverythingOnceAndLeasesGoOn() {
        blue();
        sandbox("a", null);
        sandbox("b", null);
        controller.removeSandbox("b");
        controller.awaitRemovals();
        controller.close();
        start();
        assertEquals(List.of("a"), controller.sandboxes().stream().map(SandboxInfo::name).toList());
        assertEquals("10.70.0.2/24", controller.sandbox("a").orElseThrow().endpoints().get(0).ipv4().toString());
        assertEquals("10.70.0.3/24", sandbox("c", null).endpoints().get(0).ipv4().toString(),
                "after the highest address a record holds (the records keep no order of what was given)");
        assertEquals(List.of("a", "c"), system.namespaceNames());
    }

    @Test
    void anEndpointOfANetworkThatGivesNoDefaultRouteIsNeverChosenAndTheRecordKeepsItAcrossARestart() throws IOException {
        controller.createNetwork(new NetworkSpec("quiet", "rec", List.of(SubnetSpec.of(IpPrefix.parse("10.71.0.0/24"))),
                false, false, Map.of("no_default_route", "true"), Map.of()));
        controller.createNetwork(new NetworkSpec("loud", "rec", List.of(SubnetSpec.of(IpPrefix.parse("10.72.0.0/24"))),
                false, false, Map.of(), Map.of()));
        controller.createSandbox(new SandboxSpec("s", "quiet", EndpointSpec.defaults().withGwPriority(100), null));
        assertEquals(List.of(), givers("s"), "the only network gives none, whatever its priority");
        controller.connect("loud", "s", EndpointSpec.defaults().withGwPriority(-5));
        assertEquals(List.of("loud"), givers("s"), "a lower priority that can give it gives it");
        String record;
        try (Stream<Path> files = Files.list(dir.resolve("state/networks"))) {
            record = files.map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).filter(t -> t.contains("\"quiet\"")).findFirst().orElseThrow();
        }
        assertTrue(record.contains("\"noDefaultRoutes\": true"), record);

        controller.close();
        start();
        assertEquals(List.of("loud"), givers("s"));
        controller.createSandbox(new SandboxSpec("t", "quiet", EndpointSpec.defaults().withGwPriority(100), null));
        controller.connect("loud", "t", EndpointSpec.defaults().withGwPriority(-5));
        assertEquals(List.of("loud"), givers("t"), "known after a restart, from the record");
    }

    private List<String> givers(String sandbox) {
        return controller.sandbox(sandbox).orElseThrow().endpoints().stream()
                .filter(e -> e.defaultRoute4() || e.defaultRoute6()).map(e -> e.network()).toList();
    }
}
