package dev.weft.driver.bridge;

import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.PerTestFixture;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A controller ({@link Standalone}) with the bridge driver on a throwaway host namespace and
 * private directories. Sandboxes are named {@code wt-<host id>-<short>} and adopted by the test
 * kit, so they go with the host whatever happens. {@link #restart()} drops the controller and the
 * driver (as kill -9 would: kernel state stays) and starts new ones on the same directories. A
 * test class that wants a new one (firewall mode nftables) for each test extends {@link PerTest}.
 */
final class BridgeFixture implements AutoCloseable {
    static final String TABLE = "weft";
    final TestHost host;
    final Path dir;
    final DriverContext.FirewallMode mode;
    Standalone runtime;
    BridgeDriver driver;

    /** What a test class extends to get a new fixture (nftables) for each test ({@link PerTestFixture}). */
    abstract static class PerTest extends PerTestFixture<BridgeFixture> {
        @Override
        protected BridgeFixture open() throws IOException {
            return new BridgeFixture();
        }
    }

    BridgeFixture() throws IOException {
        this(DriverContext.FirewallMode.NFTABLES);
    }

    BridgeFixture(DriverContext.FirewallMode mode) throws IOException {
        this.mode = mode;
        host = TestHost.create();
        try {
            dir = Files.createTempDirectory("weft-bridge-test-");
            Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.53\n");
            start();
        } catch (RuntimeException | IOException e) {
            host.close();
            throw e;
        }
    }

    /** The instance settings the bridge sees in tests: no predefined bridge network unless one asks for it. */
    static DriverContext context(Standalone runtime, DriverContext.FirewallMode mode) {
        return runtime.driverContext("test", "wt", TABLE, mode, 0, Map.of(BridgeDriver.DEFAULT_SUBNET_SETTING, "none"));
    }

    void start() {
        runtime = Standalone.builder().hostNamespace(host.path()).directories(dir).resolvConf(dir.resolve("resolv.conf"))
                .build();
        driver = new BridgeDriver(context(runtime, mode), runtime.kernel());
        runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "0.1.0", driver);
    }

    /** Drops controller and driver as a dying process would, and starts new ones. */
    void restart() {
        stop();
        start();
    }

    void stop() {
        driver.close();
        runtime.close();
    }

    Controller controller() {
        return runtime.controller();
    }

    NetworkInfo network(String name, String subnet, Map<String, String> options) {
        return controller().createNetwork(new NetworkSpec(name, BridgeDriver.NAME,
                List.of(SubnetSpec.of(IpPrefix.parse(subnet))), false, false, options, Map.of()));
    }

    NetworkInfo network(String name, List<String> subnets, boolean ipv6, boolean internal, Map<String, String> options) {
        return controller().createNetwork(new NetworkSpec(name, BridgeDriver.NAME,
                subnets.stream().map(s -> SubnetSpec.of(IpPrefix.parse(s))).toList(), ipv6, internal, options, Map.of()));
    }

    /** A sandbox created by the controller on {@code network}, publishing {@code ports} (Docker syntax). */
    TestSandbox sandbox(String shortName, String network, String... ports) {
        List<PortSpec> specs = Arrays.stream(ports).map(PortSpec::parse).toList();
        controller().createSandbox(new SandboxSpec(host.namespaceName(shortName), network,
                new EndpointSpec(null, null, List.of(), specs), null));
        return host.adopt(shortName);
    }

    /**
     * The host's LAN ({@link TestHost#outside}): a neighbour at 10.99.0.2, the host at 10.99.0.1,
     * and the host's default route through the neighbour.
     */
    TestSandbox lanWithDefaultRoute() {
        TestSandbox lan = host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        host.ip("route", "add", "default", "via", "10.99.0.2");
        return lan;
    }

    EndpointInfo endpoint(TestSandbox sandbox, String network) {
        return controller().sandbox(sandbox.name()).orElseThrow().endpoints().stream()
                .filter(e -> e.network().equals(network)).findFirst().orElseThrow();
    }

    String ipv4(TestSandbox sandbox, String network) {
        return dev.weft.net.IpAddresses.format(endpoint(sandbox, network).ipv4().address());
    }

    String ipv6(TestSandbox sandbox, String network) {
        return dev.weft.net.IpAddresses.format(endpoint(sandbox, network).ipv6().address());
    }

    /** The host-side veth of a sandbox's endpoint on a network. */
    String endpointHostEnd(TestSandbox sandbox, String network) {
        return "wt" + "v" + endpoint(sandbox, network).id().substring(0, 10);
    }

    String nft(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "nft";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return host.exec(cmd);
    }

    @Override
    public void close() throws IOException {
        try {
            if (runtime != null) {
                stop();
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
