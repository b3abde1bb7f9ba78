package dev.weft.itests.felix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.itests.felix.WeftInstance.Sandbox;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * A third-party IPAM driver plugs in (SPI step 5): the bundle {@code ipam-sample} registers the
 * IPAM driver {@code fixed}, which hands out the addresses of a list given as an IPAM option. Two
 * sandboxes on a network of it get exactly those addresses, in the list's order, and talk (sockets
 * in both namespaces). Uninstalled, its network keeps working but takes no new sandbox; installed
 * again, it gets the leases back before it serves, so the next sandbox gets the next free address
 * of the list. And the built-in {@code null} IPAM driver gives a network without addresses. The
 * network driver is {@code sample} (a bridge per network); each test ends with the kit's check that
 * nothing it made remains.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ThirdPartyIpamIT {
    private static final int PORT = 8080;
    private static final String LIST = "10.87.0.50,10.87.0.40,10.87.0.60";

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
        Await.until("IPAM driver fixed registered", () -> weft.availableIpamDrivers().contains("fixed"));
    }

    @After
    public void stopWeft() {
        weft.close();
    }

    private NetworkInfo lab() {
        return weft.controller().createNetwork(new NetworkSpec("lab", "sample",
                List.of(SubnetSpec.of(IpPrefix.parse("10.87.0.0/24"))), false, false, Map.of(), Map.of(), "fixed",
                Map.of("addresses", LIST)));
    }

    @Test
    public void sandboxesGetTheListsAddressesInItsOrderAndTalk() {
        Controller c = weft.controller();
        DriverInfo fixed = c.ipamDrivers().stream().filter(d -> d.name().equals("fixed")).findFirst().orElseThrow();
        assertEquals(FelixSetup.IPAM_SAMPLE, fixed.bundle());
        assertEquals(List.of("default", "fixed", "null"), c.ipamDrivers().stream().map(DriverInfo::name).sorted().toList());

        NetworkInfo lab = lab();
        assertEquals("fixed", lab.ipamDriver());
        assertEquals(Map.of("addresses", LIST), lab.ipamOptions());
        String bridge = WeftInstance.bridgeOf(lab);
        String gateway = weft.host().ip("-o", "-4", "addr", "show", "dev", bridge);
        assertTrue(gateway, gateway.contains("inet 10.87.0.1/24"));

        Sandbox a = weft.sandbox("a", "lab"), b = weft.sandbox("b", "lab");
        assertEquals("10.87.0.50", a.ipv4());
        assertEquals("10.87.0.40", b.ipv4());
        String inA = a.ns().ip("-o", "-4", "addr", "show", "dev", "eth0");
        assertTrue(inA, inA.contains("inet 10.87.0.50/24"));
        assertTalk(a, b);
        assertTalk(b, a);
        assertEquals(List.of("lab"), c.ipamDrivers().stream().filter(d -> d.name().equals("fixed")).findFirst()
                .orElseThrow().networks());

        c.removeSandbox(a.name());
        c.removeSandbox(b.name());
        c.awaitRemoval(a.name());
        c.awaitRemoval(b.name());
        c.removeNetwork("lab");
        assertEquals(List.of(), weft.ownLinks());
    }

    @Test
    public void whileTheIpamBundleIsGoneItsNetworkWorksButTakesNoSandboxAndItsLeasesComeBackWithIt() throws Exception {
        lab();
        Sandbox a = weft.sandbox("a", "lab"), b = weft.sandbox("b", "lab");

        weft.uninstallIpamSample();
        Controller c = weft.controller();
        assertFalse("the network is reported unavailable", c.network("lab").orElseThrow().available());
        DriverInfo gone = c.ipamDrivers().stream().filter(d -> d.name().equals("fixed")).findFirst().orElseThrow();
        assertFalse(gone.available());
        assertEquals(List.of("lab"), gone.networks());
        assertTalk(a, b);

        TestSandbox refusedNs = weft.host().adopt("c");
        WeftException.Unavailable refused = assertThrows(WeftException.Unavailable.class,
                () -> c.createSandbox(SandboxSpec.of(refusedNs.name(), "lab")));
        assertTrue(refused.getMessage(), refused.getMessage().contains("IPAM driver \"fixed\" (bundle "
                + FelixSetup.IPAM_SAMPLE + ") is not installed"));
        assertFalse("nothing made for the refused sandbox", Files.exists(Path.of("/run/netns", refusedNs.name())));
        assertThrows(WeftException.Unavailable.class, () -> c.removeNetwork("lab"));

        weft.installIpamSample();
        assertTrue(c.network("lab").orElseThrow().available());
        Sandbox d = weft.sandbox("d", "lab");
        assertEquals("the leases of a and b were replayed first", "10.87.0.60", d.ipv4());
        assertTalk(d, a);
        assertTalk(b, d);

        for (Sandbox s : List.of(a, b, d)) {
            c.removeSandbox(s.name());
            c.awaitRemoval(s.name());
        }
        c.removeNetwork("lab");
        assertEquals(List.of(), weft.ownLinks());
    }

    @Test
    public void theNullIpamDriverGivesANetworkWithoutAddresses() {
        Controller c = weft.controller();
        NetworkInfo bare = c.createNetwork(NetworkSpec.of("bare", "sample").withIpam("null", Map.of()));
        assertEquals("null", bare.ipamDriver());
        assertEquals(List.of(), bare.subnets());
        String bridge = WeftInstance.bridgeOf(bare);
        assertEquals("", weft.host().ip("-o", "-4", "addr", "show", "dev", bridge).strip());

        Sandbox a = weft.sandbox("a", "bare");
        assertEquals(null, a.info().endpoints().get(0).ipv4());
        assertTrue(a.ns().ip("-o", "link", "show", "dev", "eth0").contains("eth0"));
        assertEquals("an interface without IPv4 addresses", "", a.ns().ip("-o", "-4", "addr", "show", "dev", "eth0").strip());
        assertEquals("its veth is a port of the bridge", 1, weft.portsOf(bridge).size());

        c.removeSandbox(a.name());
        c.awaitRemoval(a.name());
        c.removeNetwork("bare");
        assertEquals(List.of(), weft.ownLinks());
    }

    /** A TCP connection from one sandbox reaches a listener in the other, which sees the sender's address. */
    private static void assertTalk(Sandbox from, Sandbox to) {
        try (TcpListener listener = to.ns().listenTcp(PORT);
             TcpConnection connection = from.ns().connectTcp(to.ipv4(), PORT)) {
            assertEquals(from.ipv4(), connection.peerSeenBy(listener));
        }
    }
}
