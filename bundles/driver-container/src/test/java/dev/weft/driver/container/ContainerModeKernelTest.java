package dev.weft.driver.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.Controller;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.core.internal.Standalone;
import dev.weft.driver.bridge.BridgeDriver;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code --network container:NAME} on the kernel, with the bridge driver: the sharer's name pins the
 * very namespace of the sandbox it shares (same inode, {@code ip netns exec} sees the same
 * interfaces), a listener started in the sharer answers on the other's published port from the
 * LAN, and that survives a restart of the runtime (kernel state and records stay, as after kill -9)
 * and the driver's departure; removal of the shared sandbox is refused until forced, and then
 * leaves no name behind.
 */
@ExtendWith(KernelTest.class)
class ContainerModeKernelTest {
    private static final Duration WAIT = Duration.ofSeconds(2);
    private static final Duration SHORT = Duration.ofMillis(700);

    private TestHost host;
    private Path dir;
    private Standalone runtime;
    private BridgeDriver bridge;
    private TestSandbox lan;

    @BeforeEach
    void setUp() throws IOException {
        host = TestHost.create();
        dir = Files.createTempDirectory("weft-container-test-");
        Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.53\nsearch example.test\n");
        start();
        lan = host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        controller().createNetwork(new NetworkSpec("blue", BridgeDriver.NAME,
                List.of(SubnetSpec.of(IpPrefix.parse("10.82.0.0/24"))), false, false, Map.of(), Map.of()));
    }

    private void start() {
        runtime = Standalone.builder().hostNamespace(host.path()).directories(dir).resolvConf(dir.resolve("resolv.conf"))
                .build();
        bridge = new BridgeDriver(runtime.driverContext("test", "wt", "weft", DriverContext.FirewallMode.NFTABLES, 0,
                Map.of(BridgeDriver.DEFAULT_SUBNET_SETTING, "none")), runtime.kernel());
        runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "0.1.0", bridge);
        runtime.addDriver(ContainerDriver.NAME, "dev.weft.driver-container", "0.1.0", new ContainerDriver());
    }

    /** Drops the runtime as kill -9 would (kernel state and records stay) and starts a new one. */
    private void restart() {
        bridge.close();
        runtime.close();
        start();
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            bridge.close();
            runtime.close();
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

    private Controller controller() {
        return runtime.controller();
    }

    private TestSandbox web() {
        controller().createSandbox(new SandboxSpec(host.namespaceName("web"), "blue",
                new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("8080:80"))), null));
        return host.adopt("web");
    }

    private TestSandbox share(String shortName, String target) {
        controller().createSandbox(SandboxSpec.of(host.namespaceName(shortName), "container:" + host.namespaceName(target)));
        return host.adopt(shortName);
    }

    private static long inode(TestSandbox s) throws IOException {
        return ((Number) Files.getAttribute(s.path(), "unix:ino")).longValue();
    }

    /** A listener in {@code in} is reached from the LAN through the published port 8080, and sees the LAN's address. */
    private void reachedThroughThePublishedPort(TestSandbox in) {
        try (TcpListener l = in.listenTcp(80)) {
            assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
        }
    }

    @Test
    void theSharerIsTheSameNamespace() throws Exception {
        TestSandbox web = web();
        TestSandbox app = share("app", "web");
        assertEquals(inode(web), inode(app), "one namespace under two names");
        String addresses = host.exec("ip", "netns", "exec", app.name(), "ip", "-o", "-4", "addr", "show", "eth0");
        assertTrue(addresses.contains("10.82.0.2/24"), "ip netns exec app sees web's eth0: " + addresses);
        reachedThroughThePublishedPort(app);

        SandboxInfo info = controller().sandbox(app.name()).orElseThrow();
        assertEquals("container:" + web.name(), info.networkMode());
        assertEquals(List.of(), info.endpoints());
        assertEquals(Files.readString(dir.resolve("etc-netns").resolve(web.name()).resolve("resolv.conf")),
                Files.readString(dir.resolve("etc-netns").resolve(app.name()).resolve("resolv.conf")));
    }

    @Test
    void removingTheSharerLeavesTheNamespace() throws Exception {
        TestSandbox web = web();
        TestSandbox app = share("app", "web");
        controller().removeSandbox(app.name());
        controller().awaitRemoval(app.name());
        assertFalse(Files.exists(app.path()), "the sharer's name is gone");
        reachedThroughThePublishedPort(web);
    }

    @Test
    void removingTheSharedSandboxIsRefusedUntilForced() throws Exception {
        TestSandbox web = web();
        TestSandbox app = share("app", "web");
        TestSandbox app2 = share("app2", "app"); // a chain: app2 shares web's
        assertEquals(inode(web), inode(app2));
        WeftException e = assertThrows(WeftException.class, () -> controller().removeSandbox(web.name()));
        assertInstanceOf(WeftException.Conflict.class, e);
        assertTrue(e.getMessage().contains(app.name() + ", " + app2.name()), e.getMessage());
        reachedThroughThePublishedPort(app2);

        controller().removeSandbox(web.name(), true);
        controller().awaitRemoval(web.name());
        controller().awaitRemoval(app.name());
        controller().awaitRemoval(app2.name());
        assertEquals(List.of(), controller().sandboxes());
        for (TestSandbox s : List.of(web, app, app2)) {
            assertFalse(Files.exists(s.path()), s.name() + " is gone");
        }
        assertFalse(lan.canConnectTcp("10.99.0.1", 8080, SHORT), "the port went with web");
    }

    @Test
    void aRestartKeepsEveryShare() throws Exception {
        TestSandbox web = web();
        TestSandbox app = share("app", "web");
        restart();
        assertEquals("container:" + web.name(), controller().sandbox(app.name()).orElseThrow().networkMode());
        assertEquals(inode(web), inode(app));
        reachedThroughThePublishedPort(app);
        assertThrows(WeftException.Conflict.class, () -> controller().removeSandbox(web.name()));
    }

    @Test
    void withoutTheDriverSharesKeepWorkingAndNewOnesWait() throws Exception {
        web();
        TestSandbox app = share("app", "web");
        runtime.removeDriver(ContainerDriver.NAME, "dev.weft.driver-container");
        WeftException e = assertThrows(WeftException.Unavailable.class, () -> share("app2", "web"));
        assertTrue(e.getMessage().contains("needs the network driver \"container\", which is not installed"), e.getMessage());
        assertFalse(Files.exists(host.path().resolveSibling(host.namespaceName("app2"))), "no name made");
        reachedThroughThePublishedPort(app);
        runtime.addDriver(ContainerDriver.NAME, "dev.weft.driver-container", "0.1.0", new ContainerDriver());
        reachedThroughThePublishedPort(share("app2", "web"));
    }
}
