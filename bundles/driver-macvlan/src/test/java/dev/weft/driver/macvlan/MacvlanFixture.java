package dev.weft.driver.macvlan;

import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.PerTestFixture;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A controller ({@link Standalone}) with the macvlan driver on a throwaway host namespace and
 * private directories, and a LAN: the host's {@code p0} is one end of a veth pair (it plays the
 * parent NIC), the other end is {@code eth0} of the namespace {@link #lan}, which holds the
 * gateway addresses {@value #GW4} and {@value #GW6} of the subnets {@value #SUBNET4} and
 * {@value #SUBNET6} and plays the rest of the LAN. {@link #restart()} drops controller and driver
 * (as kill -9 would: kernel state stays) and starts new ones on the same directories.
 */
final class MacvlanFixture implements AutoCloseable {
    static final String PARENT = "p0";
    static final String SUBNET4 = "10.70.0.0/24";
    static final String GW4 = "10.70.0.1";
    static final String SUBNET6 = "fd00:70::/64";
    static final String GW6 = "fd00:70::1";
    static final String BUNDLE = "dev.weft.driver-macvlan";

    final TestHost host;
    final Path dir;
    final TestSandbox lan;
    Standalone runtime;
    MacvlanDriver driver;

    /** What a test class extends to get a new fixture for each test ({@link PerTestFixture}). */
    abstract static class PerTest extends PerTestFixture<MacvlanFixture> {
        @Override
        protected MacvlanFixture open() throws IOException {
            return new MacvlanFixture();
        }
    }

    MacvlanFixture() throws IOException {
        host = TestHost.create();
        try {
            lan = host.sandbox("lan");
            host.link(PARENT, null, lan, "eth0", GW4 + "/24");
            lan.addAddress("eth0", GW6 + "/64");
            dir = Files.createTempDirectory("weft-macvlan-test-");
            Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.53\n");
            start();
        } catch (RuntimeException | IOException e) {
            host.close();
            throw e;
        }
    }

    void start() {
        runtime = Standalone.builder().hostNamespace(host.path()).directories(dir).resolvConf(dir.resolve("resolv.conf"))
                .build();
        addDriver();
    }

    /** A new driver instance registered with the running controller (as a bundle's return). */
    void addDriver() {
        driver = new MacvlanDriver(runtime.driverContext("test", "wt", "weft", DriverContext.FirewallMode.NONE, 0,
                Map.of("defaultBridgeSubnet", "none")), runtime.kernel());
        runtime.addDriver(MacvlanDriver.NAME, BUNDLE, "0.1.0", driver);
    }

    /** Unregisters the driver as a stopping bundle would; its networks stay, unavailable. */
    void removeDriver() {
        runtime.removeDriver(MacvlanDriver.NAME, BUNDLE);
    }

    /** Drops controller and driver as a dying process would, and starts new ones. */
    void restart() {
        runtime.close();
        start();
    }

    Controller controller() {
        return runtime.controller();
    }

    /** A macvlan network on {@link #PARENT} with {@code subnet} and {@code gateway} (null: none) and more options. */
    NetworkInfo network(String name, String subnet, String gateway, Map<String, String> options) {
        return network(name, subnet, gateway, null, null, false, options);
    }

    NetworkInfo network(String name, String subnet, String gateway, String subnet6, String gateway6, boolean internal,
                        Map<String, String> options) {
        List<SubnetSpec> subnets = new ArrayList<>();
        subnets.add(subnet(subnet, gateway));
        if (subnet6 != null) {
            subnets.add(subnet(subnet6, gateway6));
        }
        Map<String, String> all = new java.util.HashMap<>(Map.of(MacvlanOptions.PARENT, PARENT));
        all.putAll(options);
        return controller().createNetwork(new NetworkSpec(name, MacvlanDriver.NAME, subnets, subnet6 != null, internal,
                all, Map.of()));
    }

    private static SubnetSpec subnet(String subnet, String gateway) {
        return new SubnetSpec(IpPrefix.parse(subnet), null, gateway == null ? null : IpAddresses.parse(gateway), Map.of());
    }

    /** A sandbox created by the controller on {@code network}. */
    TestSandbox sandbox(String shortName, String network) {
        return sandbox(shortName, network, EndpointSpec.defaults());
    }

    TestSandbox sandbox(String shortName, String network, EndpointSpec endpoint) {
        controller().createSandbox(new SandboxSpec(host.namespaceName(shortName), network, endpoint, null));
        return host.adopt(shortName);
    }

    EndpointInfo endpoint(TestSandbox sandbox, String network) {
        return controller().sandbox(sandbox.name()).orElseThrow().endpoints().stream()
                .filter(e -> e.network().equals(network)).findFirst().orElseThrow();
    }

    String ipv4(TestSandbox sandbox, String network) {
        return IpAddresses.format(endpoint(sandbox, network).ipv4().address());
    }

    String ipv6(TestSandbox sandbox, String network) {
        return IpAddresses.format(endpoint(sandbox, network).ipv6().address());
    }

    /** The host namespace's links, one per line, without their state (what a test compares before and after). */
    String hostLinks() {
        return host.ip("-o", "link").replaceAll(" state [A-Z]+ ", " ").replaceAll("<[^>]*>", "");
    }

    @Override
    public void close() throws IOException {
        try {
            if (runtime != null) {
                runtime.close();
            }
        } finally {
            try {
                host.close();
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
