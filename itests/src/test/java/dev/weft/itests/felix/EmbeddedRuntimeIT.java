package dev.weft.itests.felix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import dev.weft.itests.felix.WeftInstance.Sandbox;
import dev.weft.spi.ControllerListener;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Weft embedded in a plain Felix (Pax Exam native container): the runtime comes up from its
 * configuration, drivers plug in through the whiteboard, and a third-party driver bundle (sample)
 * can be uninstalled and installed again while its network keeps carrying traffic. Each test runs
 * its own runtime on a throwaway host namespace ({@link WeftInstance}) and ends with the kit's
 * check that nothing it made remains.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EmbeddedRuntimeIT {
    private static final int PORT = 8080;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    private WeftInstance weft;

    @Configuration
    public Option[] config() {
        return FelixSetup.provisioning();
    }

    @Before
    public void startWeft() throws Exception {
        weft = WeftInstance.start(context, configAdmin);
    }

    @After
    public void stopWeft() {
        weft.close();
    }

    @Test
    public void controllerComesUpWithPredefinedNetworksAndDrivers() {
        Controller c = weft.controller();
        assertEquals(List.of("host", "none"), c.networks().stream().map(NetworkInfo::name).sorted().toList());
        assertTrue(c.networks().stream().allMatch(n -> n.predefined() && n.available()));
        Map<String, DriverInfo> drivers = drivers(c);
        assertEquals(List.of("host", "null", "sample"), drivers.keySet().stream().sorted().toList());
        assertTrue(drivers.values().stream().allMatch(DriverInfo::available));
        assertEquals("dev.weft.driver-sample", drivers.get("sample").bundle());
        assertEquals(List.of("none"), drivers.get("null").networks());
    }

    @Test
    public void sandboxesOnASampleNetworkTalk() {
        NetworkInfo blue = weft.sampleNetwork("blue", "10.88.0.0/24", Map.of("mtu", "1400"));
        String bridge = WeftInstance.bridgeOf(blue);
        String link = weft.host().ip("-d", "-o", "link", "show", "dev", bridge);
        assertTrue(link, link.contains("mtu 1400") && link.contains("alias " + weft.ownershipMark(blue.id())));
        assertTrue(weft.host().ip("-o", "addr", "show", "dev", bridge).contains("inet 10.88.0.1/24"));

        Sandbox a = weft.sandbox("a", "blue"), b = weft.sandbox("b", "blue");
        assertEquals("10.88.0.2", a.ipv4());
        assertEquals("10.88.0.3", b.ipv4());
        String routes = a.ns().ip("route");
        assertTrue(routes, routes.contains("default via 10.88.0.1 dev eth0"));
        assertEquals(2, weft.portsOf(bridge).size());
        assertTalk(a, b);
        assertTalk(b, a);

        weft.controller().removeSandbox(a.name());
        weft.controller().removeSandbox(b.name());
        assertEquals(List.of(bridge), weft.ownLinks());
        weft.controller().removeNetwork("blue");
        assertEquals(List.of(), weft.ownLinks());
    }

    /**
     * A bundle follows the controller by registering a ControllerListener service (whiteboard): it
     * gets the state at once, then each change before the operation that made it returns.
     */
    @Test
    public void aListenerServiceFollowsTheController() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.osgi.framework.ServiceRegistration<ControllerListener> registration = context.registerService(
                ControllerListener.class, new ControllerListener() {
                    @Override
                    public void snapshot(List<NetworkInfo> networks, List<dev.weft.api.SandboxInfo> sandboxes) {
                        seen.add("snapshot " + networks.stream().map(NetworkInfo::name).sorted().toList());
                    }

                    @Override
                    public void networkCreated(NetworkInfo network) {
                        seen.add("created " + network.name());
                    }

                    @Override
                    public void endpointJoined(dev.weft.api.EndpointInfo endpoint) {
                        seen.add("joined " + endpoint.network() + " " + endpoint.ipv4());
                    }

                    @Override
                    public void endpointLeft(dev.weft.api.EndpointInfo endpoint) {
                        seen.add("left " + endpoint.network());
                    }
                }, null);
        try {
            assertEquals(List.of("snapshot [host, none]"), seen);
            weft.sampleNetwork("blue", "10.88.0.0/24", Map.of());
            assertEquals("created blue", seen.get(seen.size() - 1));
            Sandbox a = weft.sandbox("a", "blue");
            assertEquals("joined blue 10.88.0.2/24", seen.get(seen.size() - 1));
            weft.controller().removeSandbox(a.name());
            assertEquals("left blue", seen.get(seen.size() - 1));
        } finally {
            registration.unregister();
        }
    }

    @Test
    public void uninstalledDriverLeavesItsNetworkInPlaceAndWorking() throws Exception {
        NetworkInfo blue = weft.sampleNetwork("blue", "10.88.0.0/24", Map.of());
        String bridge = WeftInstance.bridgeOf(blue);
        Sandbox a = weft.sandbox("a", "blue"), b = weft.sandbox("b", "blue");
        int bridgeIndex = weft.linkIndex(bridge);
        List<String> ports = weft.portsOf(bridge);

        weft.uninstallSample();

        Controller c = weft.controller();
        NetworkInfo after = c.network("blue").orElseThrow();
        assertFalse("network reported unavailable", after.available());
        assertEquals(2, after.endpoints().size());
        DriverInfo sample = drivers(c).get("sample");
        assertFalse("driver reported unavailable", sample.available());
        assertEquals(List.of("blue"), sample.networks());
        assertEquals("the bridge is kept", bridgeIndex, weft.linkIndex(bridge));
        assertEquals("its veths are kept", ports, weft.portsOf(bridge));
        assertTalk(a, b);

        TestSandbox c3 = weft.host().adopt("c");
        WeftException.Unavailable refused = assertThrows(WeftException.Unavailable.class,
                () -> c.createSandbox(SandboxSpec.of(c3.name(), "blue")));
        assertTrue(refused.getMessage(), refused.getMessage().contains("driver \"sample\""));
        assertFalse("nothing made for the refused sandbox", Files.exists(Path.of("/run/netns", c3.name())));
        assertEquals(2, c.sandboxes().size());
    }

    @Test
    public void reinstalledDriverReadoptsItsBridge() throws Exception {
        NetworkInfo blue = weft.sampleNetwork("blue", "10.88.0.0/24", Map.of());
        String bridge = WeftInstance.bridgeOf(blue);
        Sandbox a = weft.sandbox("a", "blue"), b = weft.sandbox("b", "blue");
        int bridgeIndex = weft.linkIndex(bridge);
        List<String> before = weft.ownLinks();

        List<String> ports = weft.portsOf(bridge);

        weft.uninstallSample();
        // Meanwhile: a port marked by this instance that no endpoint claims (a leave a crash cut
        // short) and someone else's port, unmarked.
        weft.host().ip("link", "add", "wivdeadbeef00", "type", "veth", "peer", "name", "stray-peer");
        weft.host().ip("link", "set", "wivdeadbeef00", "master", bridge, "alias", weft.ownershipMark("deadbeef00"));
        weft.host().ip("link", "add", "user-port", "type", "veth", "peer", "name", "user-peer");
        weft.host().ip("link", "set", "user-port", "master", bridge);
        weft.installSample();

        assertTrue(weft.controller().network("blue").orElseThrow().available());
        assertEquals("the same bridge", bridgeIndex, weft.linkIndex(bridge));
        assertEquals("no second bridge, the marked stray removed", before, weft.ownLinks());
        assertEquals("the unmarked port left alone", concat(ports, "user-port"), weft.portsOf(bridge));
        Sandbox c = weft.sandbox("c", "blue");
        assertEquals("10.88.0.4", c.ipv4());
        assertTalk(c, a);
        assertTalk(b, c);

        for (Sandbox s : List.of(a, b, c)) {
            weft.controller().removeSandbox(s.name());
        }
        weft.controller().removeNetwork("blue");
        assertEquals(List.of(), weft.ownLinks());
    }

    @Test
    public void reinstalledDriverRecreatesAMissingBridge() throws Exception {
        NetworkInfo blue = weft.sampleNetwork("blue", "10.88.0.0/24", Map.of());
        String bridge = WeftInstance.bridgeOf(blue);
        Sandbox a = weft.sandbox("a", "blue"), b = weft.sandbox("b", "blue");
        int oldIndex = weft.linkIndex(bridge);
        List<String> ports = weft.portsOf(bridge);

        weft.uninstallSample();
        weft.host().ip("link", "del", bridge); // lost while the driver was away: its ports fall off it
        try (TcpListener listener = b.ns().listenTcp(PORT)) {
            assertFalse("no traffic without the bridge", a.ns().canConnectTcp(b.ipv4(), PORT, Duration.ofMillis(300)));
            assertEquals(List.of(), listener.remoteAddresses());
        }
        weft.installSample();

        int newIndex = weft.linkIndex(bridge);
        assertTrue("bridge made again", newIndex > 0);
        assertNotEquals(oldIndex, newIndex);
        assertEquals("the same veths, on the new bridge", ports, weft.portsOf(bridge));
        assertTrue(weft.host().ip("-o", "addr", "show", "dev", bridge).contains("inet 10.88.0.1/24"));
        assertTalk(a, b);
    }

    /** A TCP connection from one sandbox reaches a listener in the other, which sees the sender's address. */
    private static void assertTalk(Sandbox from, Sandbox to) {
        try (TcpListener listener = to.ns().listenTcp(PORT);
             TcpConnection connection = from.ns().connectTcp(to.ipv4(), PORT)) {
            assertEquals(from.ipv4(), connection.peerSeenBy(listener));
        }
    }

    private static List<String> concat(List<String> names, String name) {
        return java.util.stream.Stream.concat(names.stream(), java.util.stream.Stream.of(name)).sorted().toList();
    }

    private static Map<String, DriverInfo> drivers(Controller c) {
        return c.drivers().stream().collect(Collectors.toMap(DriverInfo::name, Function.identity()));
    }
}
