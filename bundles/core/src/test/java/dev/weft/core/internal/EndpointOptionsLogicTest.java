package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --mac-address} and {@code --driver-opt} through the whole controller without root
 * ({@link FakeHostSystem}): what the driver is told, what is recorded and shown and kept at a restart,
 * and the refusals that change nothing (no namespace, endpoint, lease or record).
 */
class EndpointOptionsLogicTest {
    private static final String IFNAME = "com.docker.network.endpoint.ifname";
    private static final String SYSCTLS = "com.docker.network.endpoint.sysctls";

    private Path dir;
    private FakeHostSystem system;
    private Recording driver;
    private ControllerImpl controller;

    /** A driver that knows the endpoint option {@code color} and records the endpoints it joins. */
    static class Recording implements NetworkDriver<Map<String, String>> {
        final List<EndpointConfig> joined = new CopyOnWriteArrayList<>();

        @Override
        public Scope scope() {
            return Scope.LOCAL;
        }

        @Override
        public Map<String, String> parseOptions(Map<String, String> options) {
            return options;
        }

        @Override
        public void validateEndpoint(NetworkConfig network, Map<String, String> options, Map<String, String> opts) {
            opts.keySet().stream().filter(k -> !k.equals("color")).findFirst().ifPresent(k -> {
                throw new WeftException.InvalidRequest("unknown endpoint driver option " + k + "; known: color");
            });
        }

        @Override
        public void createNetwork(NetworkConfig network, Map<String, String> options) {}

        @Override
        public void deleteNetwork(NetworkConfig network, Map<String, String> options) {}

        @Override
        public JoinInfo join(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                             SandboxConfig sandbox) {
            joined.add(endpoint);
            return new JoinInfo(endpoint.interfaceName(), endpoint.mac() != null ? endpoint.mac()
                    : MacAddress.parse("0a:00:00:00:00:99"));
        }

        @Override
        public void leave(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                          SandboxConfig sandbox) {}
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-endpoint-options-test-");
        start();
        for (String[] n : new String[][] {{"blue", "10.71.0.0/24"}, {"green", "10.72.0.0/24"}}) {
            controller.createNetwork(new NetworkSpec(n[0], "rec", List.of(SubnetSpec.of(IpPrefix.parse(n[1]))), false,
                    false, Map.of(), Map.of()));
        }
    }

    private void start() {
        system = new FakeHostSystem(dir);
        DriverRegistry drivers = new DriverRegistry();
        driver = new Recording();
        drivers.add("rec", "test.rec", "1.0.0", driver, "rec");
        controller = FakeRuntime.start(dir, system, drivers, new IpamRegistry(), IpPrefix.parse("fd42:7:7::/48"));
    }

    @AfterEach
    void tearDown() throws IOException {
        FakeRuntime.stop(controller, dir);
    }

    private static EndpointSpec spec(String mac, String... options) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < options.length; i += 2) {
            m.put(options[i], options[i + 1]);
        }
        return EndpointSpec.defaults().withMac(mac == null ? null : MacAddress.parse(mac)).withDriverOptions(m);
    }

    private SandboxInfo sandbox(String name, EndpointSpec spec) {
        return controller.createSandbox(new SandboxSpec(name, "blue", spec, null));
    }

    private long endpointRecords() throws IOException {
        Path d = dir.resolve("run/endpoints");
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    /** The request is refused with {@code message} and nothing is left of it. */
    private void refusedWithNothingChanged(Class<? extends WeftException> type, String message, Runnable request)
            throws IOException {
        List<String> namespaces = system.namespaceNames();
        List<SandboxInfo> sandboxes = controller.sandboxes();
        long records = endpointRecords();
        int joins = driver.joined.size();
        WeftException e = assertThrows(WeftException.class, request::run);
        assertInstanceOf(type, e, e.getMessage());
        assertEquals(message, e.getMessage());
        assertEquals(namespaces, system.namespaceNames(), "no namespace left");
        assertEquals(sandboxes, controller.sandboxes(), "no sandbox or endpoint added");
        assertEquals(records, endpointRecords(), "no endpoint record");
        assertEquals(joins, driver.joined.size(), "no driver call");
    }

    @Test
    void theDriverGetsTheMacTheNameTheSysctlsAndItsOwnOptionsAndAllIsShownAndKept() {
        SandboxInfo web = sandbox("web", spec("02:42:ac:11:00:02", IFNAME, "front0", SYSCTLS,
                "net.ipv4.conf.IFNAME.log_martians=1,net.ipv6.conf.IFNAME.accept_ra=0", "color", "red")
                .withGwPriority(3));
        EndpointConfig c = driver.joined.get(0);
        assertEquals(MacAddress.parse("02:42:ac:11:00:02"), c.mac(), "exactly the MAC given");
        assertEquals("front0", c.interfaceName());
        assertEquals(Map.of("color", "red"), c.driverOptions(), "the driver's own options only");
        assertEquals(List.of("net/ipv4/conf/front0/log_martians", "net/ipv6/conf/front0/accept_ra"),
                List.copyOf(c.sysctls().keySet()), "with the interface's real name, in the order given");
        assertEquals(List.of("1", "0"), List.copyOf(c.sysctls().values()));

        EndpointInfo e = web.endpoints().get(0);
        assertEquals("front0", e.interfaceName());
        assertEquals(MacAddress.parse("02:42:ac:11:00:02"), e.mac());
        assertEquals(3, e.gwPriority());
        assertEquals(List.of(IFNAME, SYSCTLS, "color"), List.copyOf(e.driverOptions().keySet()));

        controller.connect("green", "web", spec(null).withGwPriority(9));
        EndpointInfo green = controller.sandbox("web").orElseThrow().endpoints().get(1);
        assertEquals("eth0", green.interfaceName(), "the next free ethN: front0 took none");
        assertEquals(MacAddress.parse("0a:00:00:00:00:99"), green.mac(), "the driver's choice, as reported");
        assertEquals(9, green.gwPriority(), "gw-priority together with the new options");

        controller.close();
        start();
        EndpointInfo kept = controller.sandbox("web").orElseThrow().endpoints().get(0);
        assertEquals(e, kept, "name, MAC and options kept at a restart");
    }

    @Test
    void twoEndpointsOnOneNetworkMayHaveTheSameMacAsInDocker() {
        sandbox("a", spec("02:00:00:00:00:0a"));
        SandboxInfo b = sandbox("b", spec("02:00:00:00:00:0a"));
        assertEquals(MacAddress.parse("02:00:00:00:00:0a"), b.endpoints().get(0).mac());
    }

    @Test
    void aNameTheSandboxAlreadyHasIsRefusedWithNothingChanged() throws IOException {
        sandbox("web", spec(null, IFNAME, "eth1"));
        controller.connect("green", "web", spec(null)); // eth0: eth1 is taken
        refusedWithNothingChanged(WeftException.Conflict.class, "driver option " + IFNAME + "=eth0: sandbox \"web\" "
                + "already has an interface named eth0 (its endpoint on network \"green\"); choose another name",
                () -> controller.connect("blue", "web", spec(null, IFNAME, "eth0")));
        assertEquals(List.of("eth1", "eth0"), controller.sandbox("web").orElseThrow().endpoints().stream()
                .map(EndpointInfo::interfaceName).toList());
    }

    @Test
    void anUnknownDriverOptionIsRefusedByTheDriverWithNothingChanged() throws IOException {
        refusedWithNothingChanged(WeftException.InvalidRequest.class,
                "unknown endpoint driver option com.example.speed; known: color",
                () -> sandbox("web", spec(null, "color", "red", "com.example.speed", "fast")));
        sandbox("web", spec(null));
        refusedWithNothingChanged(WeftException.InvalidRequest.class,
                "unknown endpoint driver option com.example.speed; known: color",
                () -> controller.connect("green", "web", spec(null, "com.example.speed", "fast")));
        assertEquals("10.71.0.2/24", controller.sandbox("web").orElseThrow().endpoints().get(0).ipv4().toString(),
                "the refused sandbox took no address");
    }

    @Test
    void aDriverWithoutOptionsRefusesEveryOneNamingThem() throws IOException {
        refusedWithNothingChanged(WeftException.InvalidRequest.class, "network \"none\": unknown endpoint driver option "
                + "x; its driver takes none (the controller's own: " + IFNAME + ", " + SYSCTLS + ")",
                () -> controller.createSandbox(new SandboxSpec("lo", "none", spec(null, "x", "1"), null)));
    }

    @Test
    void interfaceSettingsOnANetworkWithoutInterfaceAreRefusedWithNothingChanged() throws IOException {
        refusedWithNothingChanged(WeftException.InvalidRequest.class, "network \"none\" (driver \"null\") gives its "
                + "sandboxes no interface of their own, so --mac-address and driver option " + IFNAME + " cannot apply: "
                + "drop them", () -> controller.createSandbox(new SandboxSpec("lo", "none",
                        spec("02:00:00:00:00:01", IFNAME, "x0"), null)));
    }

    @Test
    void malformedValuesAreRefusedBeforeAnyRequest() {
        WeftException multicast = assertThrows(WeftException.InvalidRequest.class, () -> spec("33:33:00:00:00:01"));
        assertEquals("MAC address 33:33:00:00:00:01: a multicast MAC cannot be an interface's address (the lowest bit "
                + "of the first octet is set); expected a unicast address like 02:42:ac:11:00:02", multicast.getMessage());
        assertThrows(WeftException.InvalidRequest.class, () -> spec(null, SYSCTLS, "net.ipv4.ip_forward=1"));
        assertThrows(WeftException.InvalidRequest.class, () -> spec(null, IFNAME, "a b"));
    }
}
