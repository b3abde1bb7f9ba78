package dev.weft.dockerplugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.testkit.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Plugins that hang, answer garbage, an HTTP error or a refusal: the user's command fails within the
 * configured timeout with an error naming the plugin and the call, and leaves nothing: no network or
 * sandbox record, no lease in the IPAM plugin, no network or endpoint in the network plugin, no link
 * in the host namespace, no sandbox namespace.
 */
@ExtendWith(KernelTest.class)
class PluginFailuresKernelTest {
    /** The timeout, plus what a create costs besides on this VM. */
    private static final Duration WITHIN = PluginFixture.TIMEOUT.plus(Duration.ofMillis(1500));

    private static PluginFixture withPlugins(String... netArgs) throws Exception {
        PluginFixture f = new PluginFixture();
        try {
            f.startPlugin("ipamplug", "ipam");
            f.startPlugin("badnet", "net", netArgs);
            PluginFixture.await("badnet and ipamplug listed", Duration.ofSeconds(5),
                    () -> f.driverListed("badnet") && f.ipamListed("ipamplug"));
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    private static NetworkSpec network(String name) {
        return new NetworkSpec(name, "badnet", List.of(), false, false, Map.of(), Map.of(), "ipamplug", Map.of());
    }

    /** Runs {@code work}, which must fail within {@link #WITHIN}; returns the message. */
    private static String failsQuickly(Runnable work) {
        long start = System.nanoTime();
        RuntimeException e = assertThrows(RuntimeException.class, work::run);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(WITHIN) < 0, "failed after " + took.toMillis() + " ms, expected under "
                + WITHIN.toMillis() + ": " + e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "\"" + p + "\" not in: " + message);
        }
    }

    @Test
    void aCreateNetworkThatHangsFailsWithinTheTimeoutAndLeavesNothing() throws Exception {
        try (PluginFixture f = withPlugins("--hang", "NetworkDriver.CreateNetwork")) {
            List<String> links = f.hostLinks();
            String m = failsQuickly(() -> f.controller().createNetwork(network("hn")));
            assertContains(m, "\"badnet\"", "NetworkDriver.CreateNetwork", "did not answer within 1500 ms");
            assertTrue(f.controller().network("hn").isEmpty(), "no network record");
            assertEquals(Map.of(), f.leases("ipamplug"), "the IPAM plugin holds no pool");
            assertEquals(links, f.hostLinks(), "no link in the host namespace");
        }
    }

    @Test
    void aCreateNetworkAnsweredWithGarbageIsUndoneInThePlugin() throws Exception {
        try (PluginFixture f = withPlugins("--garbage", "NetworkDriver.CreateNetwork")) {
            List<String> links = f.hostLinks();
            String m = failsQuickly(() -> f.controller().createNetwork(network("gn")));
            assertContains(m, "\"badnet\"", "NetworkDriver.CreateNetwork", "not JSON", "this is not JSON");
            assertTrue(f.controller().network("gn").isEmpty(), "no network record");
            assertEquals(Map.of(), f.leases("ipamplug"), "the IPAM plugin holds no pool");
            assertTrue(f.stateOf("badnet").getAsJsonObject("networks").isEmpty(), "DeleteNetwork undid the plugin's "
                    + "network: " + f.stateOf("badnet").get("calls"));
            assertEquals(links, f.hostLinks(), "the plugin's bridge is gone from the host namespace");
        }
    }

    @Test
    void aJoinThatHangsFailsWithinTheTimeoutAndLeavesNothing() throws Exception {
        try (PluginFixture f = withPlugins("--hang", "NetworkDriver.Join")) {
            f.controller().createNetwork(network("hj"));
            assertNothingLeftAfterFailedConnect(f, "hj", "x", "NetworkDriver.Join", "did not answer within 1500 ms");
        }
    }

    @Test
    void aJoinAnsweredWithGarbageIsUndoneAndItsInterfaceDeleted() throws Exception {
        try (PluginFixture f = withPlugins("--garbage", "NetworkDriver.Join")) {
            f.controller().createNetwork(network("gj"));
            assertNothingLeftAfterFailedConnect(f, "gj", "y", "NetworkDriver.Join", "not JSON");
            assertTrue(f.stateOf("badnet").get("calls").toString().contains("NetworkDriver.Leave"),
                    "the plugin was told Leave after its garbage Join");
        }
    }

    @Test
    void aCreateEndpointAnsweredWithAnHttpErrorFails() throws Exception {
        try (PluginFixture f = withPlugins("--http-error", "NetworkDriver.CreateEndpoint")) {
            f.controller().createNetwork(network("he"));
            assertNothingLeftAfterFailedConnect(f, "he", "z", "NetworkDriver.CreateEndpoint", "HTTP 500",
                    "internal trouble, sorry");
        }
    }

    @Test
    void aRefusalCarriesThePluginsWords() throws Exception {
        try (PluginFixture f = withPlugins("--refuse", "NetworkDriver.CreateNetwork")) {
            String m = failsQuickly(() -> f.controller().createNetwork(network("rn")));
            assertContains(m, "\"badnet\"", "NetworkDriver.CreateNetwork", "refused",
                    "the test plugin refuses NetworkDriver.CreateNetwork");
            assertTrue(f.controller().network("rn").isEmpty());
            assertEquals(Map.of(), f.leases("ipamplug"));
        }
    }

    @Test
    void aJoinThatHandsOverAnInterfaceNotItsOwnIsRefused() throws Exception {
        try (PluginFixture f = withPlugins("--srcname", "lo")) {
            f.controller().createNetwork(network("lo"));
            assertNothingLeftAfterFailedConnect(f, "lo", "w", "its Join named the interface \"lo\"", "the loopback");
            assertTrue(f.host.ip("-o", "link", "show", "lo").contains("LOOPBACK"), "lo stays in the host namespace");
        }
    }

    @Test
    void aPluginWhoseSocketStopsAnsweringIsDropped() throws Exception {
        try (PluginFixture f = withPlugins()) {
            f.controller().createNetwork(network("dn"));
            f.killPluginKeepingItsSocket("badnet");
            PluginFixture.await("badnet dropped though its socket file is there", Duration.ofSeconds(5),
                    () -> !f.driverListed("badnet"));
            assertTrue(Files.exists(f.pluginDir.resolve("badnet.sock")));
            assertFalse(f.controller().network("dn").orElseThrow().available(), "dn is reported unavailable");
        }
    }

    /**
     * A sandbox created on {@code network} fails naming the plugin and {@code call}; afterwards the
     * network is as before: no sandbox, no endpoint in the plugin, only the gateway leased, no veth
     * in the host namespace, the sandbox's namespace gone.
     */
    private static void assertNothingLeftAfterFailedConnect(PluginFixture f, String network, String shortName,
                                                            String call, String... what) {
        List<String> links = f.hostLinks();
        Map<String, List<String>> leases = f.leases("ipamplug");
        String name = f.host.namespaceName(shortName);
        String m = failsQuickly(() -> f.controller().createSandbox(new SandboxSpec(name, network,
                EndpointSpec.defaults(), null)));
        assertContains(m, "\"badnet\"", call);
        assertContains(m, what);
        f.runtime.awaitRemovals();
        assertTrue(f.controller().sandbox(name).isEmpty(), "no sandbox record");
        assertEquals(1, leases.size(), leases.toString());
        assertEquals(leases, f.leases("ipamplug"), "only the gateway stays leased");
        PluginFixture.await("the plugin's endpoints gone", Duration.ofSeconds(3),
                () -> f.stateOf("badnet").getAsJsonObject("endpoints").isEmpty());
        assertEquals(links, f.hostLinks(), "no veth left in the host namespace");
        assertFalse(Files.exists(Path.of("/run/netns", name)), "the sandbox's namespace is gone");
        assertTrue(f.controller().network(network).orElseThrow().endpoints().isEmpty());
    }
}
