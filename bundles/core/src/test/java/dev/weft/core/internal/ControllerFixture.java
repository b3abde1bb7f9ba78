package dev.weft.core.internal;

import dev.weft.core.internal.ipam.DefaultIpam;
import dev.weft.core.internal.ipam.DefaultPool;
import dev.weft.core.internal.store.Store;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.PerTestFixture;
import dev.weft.testkit.TestHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A controller on a throwaway host namespace with its own state, runtime and /etc/netns
 * directories; sandboxes are named {@code wt-<host id>-<name>} so the test kit removes their
 * namespaces whatever happens. {@link #restart()} makes a new controller on the same directories,
 * as a restarted runtime would. A test class that wants a new one for each test extends {@link PerTest}.
 */
final class ControllerFixture implements AutoCloseable {
    final TestHost host;
    final Path dir;
    final Path etcNetns;
    final Path resolvConf;
    Kernel kernel;
    DriverRegistry drivers;
    ControllerImpl controller;
    TestBridgeDriver testBridge;

    /** What a test class extends to get a new fixture for each test ({@link PerTestFixture}). */
    abstract static class PerTest extends PerTestFixture<ControllerFixture> {
        @Override
        protected ControllerFixture open() throws IOException {
            return new ControllerFixture();
        }
    }

    ControllerFixture() throws IOException {
        host = TestHost.create();
        try {
            dir = Files.createTempDirectory("weft-core-test-");
            etcNetns = Files.createDirectories(dir.resolve("etc-netns"));
            resolvConf = dir.resolve("resolv.conf");
            Files.writeString(resolvConf, "nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch example.test\n");
            start();
        } catch (RuntimeException | IOException e) {
            host.close();
            throw e;
        }
    }

    /** The name a sandbox gets so the kit cleans its namespace up: {@code wt-<id>-short}. */
    String sandboxName(String shortName) {
        return host.adopt(shortName).name();
    }

    void start() {
        Started st = startOn(host.path(), dir, etcNetns, resolvConf);
        kernel = st.kernel();
        drivers = st.drivers();
        testBridge = st.testBridge();
        controller = st.controller();
    }

    /** A running controller and what it was made of. */
    record Started(Kernel kernel, DriverRegistry drivers, TestBridgeDriver testBridge, ControllerImpl controller) {}

    /** Starts a controller on a host namespace and directories (also used by {@link CrashChild}). */
    static Started startOn(Path hostNs, Path dir, Path etcNetns, Path resolvConf) {
        Kernel kernel = Kernel.open(KernelConfig.defaults().withHostNamespace(hostNs));
        DriverRegistry drivers = new DriverRegistry();
        TestBridgeDriver testBridge = new TestBridgeDriver(kernel);
        drivers.add("null", "dev.weft.driver-null", "0.1.0", new dev.weft.spi.NoInterfaceDriver("null", "none",
                dev.weft.spi.SandboxMode.NO_INTERFACE) { }, "null");
        drivers.add("host", "dev.weft.driver-host", "0.1.0", new dev.weft.spi.NoInterfaceDriver("host", "host",
                dev.weft.spi.SandboxMode.HOST_NAMESPACE) { }, "host");
        drivers.add("testbridge", "test.bundle", "1.0.0", testBridge, "testbridge");
        IpamRegistry ipams = new IpamRegistry();
        ipams.addBuiltIns("0.1.0", new DefaultIpam(DefaultPool.defaults(), IpPrefix.parse("fd42:1:2::/48"),
                CoreRuntime.hostRoutes(new KernelHostSystem(kernel))), new dev.weft.core.internal.ipam.NullIpam());
        ControllerImpl controller = new ControllerImpl(new KernelHostSystem(kernel), new Store(dir.resolve("state"), dir.resolve("run")), ipams,
                drivers, etcNetns, resolvConf);
        controller.start();
        return new Started(kernel, drivers, testBridge, controller);
    }

    /** Stops the controller as a dying process would (sockets close, nothing else). */
    void stop() {
        controller.close();
        kernel.close();
    }

    /** Drops the controller (as kill -9 would: nothing is torn down) and starts a new one on the same directories. */
    void restart() {
        stop();
        start();
    }

    /** Records on disk, for "nothing changed" checks. */
    List<String> records() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (controller != null) {
                controller.close();
            }
            if (kernel != null) {
                kernel.close();
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
