package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord.IpamRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.PoolId;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IPAM drivers chosen per network (step 5 of the SPI issue), on fakes and without root: a network
 * is allocated by the IPAM driver it names, with its options, remembers it (name and bundle),
 * is unavailable while it is gone, and gives it back its leases when it returns and after a restart.
 */
class PluggableIpamTest {
    private static final String FIXED = "fixed";
    private static final String LIST = "10.77.0.50,10.77.0.40,10.77.0.60";
    private IpamFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new IpamFixture();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private static NetworkSpec fixedSpec(String name, String subnet, String gateway) {
        return new NetworkSpec(name, "fake", List.of(new SubnetSpec(IpPrefix.parse(subnet), null,
                gateway == null ? null : IpAddresses.parse(gateway), Map.of())), false, false, Map.of(), Map.of(),
                FIXED, Map.of("addresses", LIST));
    }

    private NetworkRecord create(NetworkSpec spec) {
        return f.networks.create(spec);
    }

    private static String ipv4(EndpointRecord e) {
        return e.ipv4() == null ? null : IpAddresses.format(e.ipv4().address());
    }

    @Test
    void aNetworkGetsItsSubnetsAndAddressesFromTheIpamDriverItNamesWithItsOptions() {
        FakeIpam ipam = f.addIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        NetworkRecord n = create(fixedSpec("blue", "10.77.0.0/24", "10.77.0.1"));

        assertEquals(List.of("requestPool 10.77.0.0/24 {addresses=" + LIST + "}",
                "requestAddress fake/10.77.0.0/24 GATEWAY 10.77.0.1"), ipam.calls);
        assertEquals(new IpamRecord(FIXED, IpamFixture.FAKE_BUNDLE, Map.of("addresses", LIST)), n.ipam());
        assertEquals(new PoolId("fake/10.77.0.0/24"), n.subnets().get(0).pool());
        assertEquals(FIXED, f.driver.validated.get(0).ipamDriver(), "the driver is told in validate");
        assertEquals(FIXED, f.driver.created.get(0).ipamDriver());
        NetworkInfo info = f.network("blue");
        assertEquals(FIXED, info.ipamDriver());
        assertEquals(Map.of("addresses", LIST), info.ipamOptions());
        assertTrue(info.available());

        f.sandbox("a");
        f.sandbox("b");
        assertEquals("10.77.0.50", ipv4(f.connect("blue", "a")), "the list's order, not the subnet's");
        assertEquals("10.77.0.40", ipv4(f.connect("blue", "b")));
        assertEquals("10.77.0.1", IpAddresses.format(f.driver.joined.get(0).gateway4()));

        f.disconnect("blue", "a");
        assertTrue(ipam.calls.contains("releaseAddress fake/10.77.0.0/24 10.77.0.50"));
        f.disconnect("blue", "b");
        f.networks.remove("blue");
        assertEquals(List.of("releaseAddress fake/10.77.0.0/24 10.77.0.1", "releasePool fake/10.77.0.0/24"),
                ipam.calls.subList(ipam.calls.size() - 2, ipam.calls.size()));
        assertEquals(List.of(), f.store.networks(m -> { }));
    }

    @Test
    void networksThatNameNoIpamDriverKeepTheDefaultOne() {
        NetworkRecord n = create(NetworkSpec.of("plain", "fake"));
        assertEquals(IpamRecord.DEFAULT, n.ipam());
        assertEquals(IpPrefix.parse("172.17.0.0/24"), n.subnets().get(0).subnet());
        assertEquals("default", f.driver.created.get(0).ipamDriver());
        assertEquals("default", f.network("plain").ipamDriver());
    }

    @Test
    void anUnknownOrEmptyIpamDriverIsRefusedNamingTheInstalledOnes() throws Exception {
        f.addIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        WeftException.Unavailable unknown = assertThrows(WeftException.Unavailable.class,
                () -> create(NetworkSpec.of("blue", "fake").withIpam("dhcp", Map.of())));
        assertEquals("no IPAM driver \"dhcp\" is installed; installed IPAM drivers: default, fixed, null "
                + "(omit --ipam-driver for the default)", unknown.getMessage());
        WeftException.InvalidRequest empty = assertThrows(WeftException.InvalidRequest.class,
                () -> create(NetworkSpec.of("blue", "fake").withIpam("", Map.of())));
        assertEquals("network \"blue\": IPAM driver name is empty; give one of the installed IPAM drivers "
                + "(default, fixed, null) or omit --ipam-driver for the default, default", empty.getMessage());
        assertEquals(List.of(), f.driver.validated, "refused before the driver is asked");
        assertEquals(List.of(), f.store.networks(m -> { }));
    }

    @Test
    void theDefaultIpamDriverRefusesOptionsNamingThemAndLeavesNothing() {
        WeftException.InvalidRequest e = assertThrows(WeftException.InvalidRequest.class,
                () -> create(NetworkSpec.of("blue", "fake").withIpam("default", Map.of("color", "red"))));
        assertEquals("cannot create network \"blue\": option \"color\" is not supported: the default IPAM accepts no "
                + "options", e.getMessage());
        assertEquals(List.of(), f.store.networks(m -> { }));
        assertEquals(List.of(), f.driver.calls);
        // nothing held: the same subnet is free for the next network
        assertEquals(IpPrefix.parse("172.17.0.0/24"), create(NetworkSpec.of("blue", "fake")).subnets().get(0).subnet());
    }

    @Test
    void theNullIpamDriverGivesNoSubnetsAndEndpointsNoAddresses() {
        NetworkRecord n = create(NetworkSpec.of("bare", "fake").withIpam("null", Map.of()));
        assertEquals(List.of(), n.subnets());
        assertEquals(new IpamRecord("null", "dev.weft.core", Map.of()), n.ipam());
        NetworkConfig told = f.driver.validated.get(0);
        assertTrue(told.withoutAddresses(), "validate learns there will be no addresses");
        assertTrue(f.driver.created.get(0).withoutAddresses());

        f.sandbox("a");
        EndpointRecord e = f.connect("bare", "a");
        assertNull(e.ipv4());
        assertNull(e.ipv6());
        assertEquals("eth0", e.interfaceName(), "an interface, without addresses");
        assertNull(f.driver.joined.get(0).gateway4());
        assertEquals(List.of(), f.network("bare").subnets());

        f.sandbox("b");
        WeftException.InvalidRequest fixedIp = assertThrows(WeftException.InvalidRequest.class,
                () -> f.endpoints.connect("bare", "b", new EndpointSpec(IpAddresses.parse("10.1.0.5"), null, null, null)));
        assertEquals("network \"bare\" has no subnets (IPAM driver \"null\"), so its endpoints get no addresses: "
                + "drop --ip and --ip6", fixedIp.getMessage());

        f.disconnect("bare", "a");
        f.networks.remove("bare");
        assertEquals(List.of(), f.store.networks(m -> { }));
    }

    @Test
    void theNullIpamDriverRefusesWhatItCannotGive() {
        NetworkSpec subnet = new NetworkSpec("bare", "fake", List.of(SubnetSpec.of(IpPrefix.parse("10.1.0.0/24"))),
                false, false, Map.of(), Map.of(), "null", Map.of());
        assertEquals("network \"bare\": IPAM driver \"null\" gives no addresses, so it takes no --subnet, --ip-range, "
                + "--gateway or --aux-address; drop them, or choose another --ipam-driver (installed: default, null)",
                assertThrows(WeftException.InvalidRequest.class, () -> create(subnet)).getMessage());
        NetworkSpec ipv6 = new NetworkSpec("bare", "fake", List.of(), true, false, Map.of(), Map.of(), "null", Map.of());
        assertEquals("network \"bare\": IPAM driver \"null\" gives no addresses, so --ipv6 has no IPv6 subnet to "
                + "give; drop --ipv6, or choose another --ipam-driver",
                assertThrows(WeftException.InvalidRequest.class, () -> create(ipv6)).getMessage());
        NetworkSpec options = NetworkSpec.of("bare", "fake").withIpam("null", Map.of("b", "1", "a", "2"));
        assertEquals("network \"bare\": IPAM driver \"null\" gives no addresses and takes no --ipam-opt, got a, b",
                assertThrows(WeftException.InvalidRequest.class, () -> create(options)).getMessage());
        f.driver.refuseWithoutAddresses = true;
        assertEquals("network \"bare\": this driver needs addresses", assertThrows(WeftException.InvalidRequest.class,
                () -> create(NetworkSpec.of("bare", "fake").withIpam("null", Map.of()))).getMessage(),
                "a driver that cannot serve it refuses in validate");
        assertEquals(List.of(), f.store.networks(m -> { }));
    }

    @Test
    void aDriverWithoutAddressesWorksWithTheNullIpamDriver() {
        NetworkRecord n = create(NetworkSpec.of("modes", "nolink").withIpam("null", Map.of()));
        assertEquals("null", n.ipam().driver());
        f.sandbox("a");
        EndpointRecord e = f.connect("modes", "a");
        assertNull(e.ipv4());
        // its sandboxes have a namespace of their own, so the interface is named even without Weft's
        // addresses (the cni driver's case: the plugins' IPAM gives them); only NO_INTERFACE drivers get none
        assertEquals("eth0", e.interfaceName(), "an OWN_NAMESPACE driver's endpoint is named");
        f.disconnect("modes", "a");
        f.networks.remove("modes");
    }

    @Test
    void aBuiltInNameCannotBeRegisteredByAnotherBundle() {
        FakeIpam impostor = f.addIpam("default", "test.impostor");
        f.addIpam("null", "test.impostor");
        assertEquals(List.of("default", "null"), f.ipams.entries().stream().map(e -> e.name).toList());
        create(NetworkSpec.of("plain", "fake"));
        assertEquals(List.of(), impostor.calls);
    }

    @Test
    void aNetworkStaysWithTheBundleThatAllocatedItAndIsUnavailableWhileItIsGone() {
        FakeIpam first = f.addIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        FakeIpam second = f.addIpam(FIXED, "test.other");
        create(fixedSpec("blue", "10.77.0.0/24", "10.77.0.1"));
        assertEquals(List.of(), second.calls, "the first registration of a name serves it");
        f.sandbox("a");
        f.sandbox("b");
        f.connect("blue", "a");

        f.removeIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        assertFalse(f.network("blue").available());
        WeftException.Unavailable refused = assertThrows(WeftException.Unavailable.class, () -> f.connect("blue", "b"));
        assertEquals("network \"blue\" is unavailable: its IPAM driver \"fixed\" (bundle test.fake-ipam) is not "
                + "installed; its addresses are kept and it works again once the IPAM driver is back",
                refused.getMessage());
        assertThrows(WeftException.Unavailable.class, () -> f.networks.remove("blue"));
        assertEquals(List.of(), second.calls, "the other bundle does not take the network over");
        assertTrue(f.inventory.endpoint(f.inventory.requireNetwork("blue").id(),
                f.inventory.requireSandbox("b").id()).isEmpty(), "the refused endpoint left no record");

        create(fixedSpec("green", "10.78.0.0/24", "10.78.0.1"));
        assertEquals("requestPool 10.78.0.0/24 {addresses=" + LIST + "}", second.calls.get(0),
                "new networks go to the registration that is left");
        assertEquals("test.other", f.inventory.requireNetwork("green").ipam().bundle());

        f.disconnect("blue", "a"); // sandboxes can still leave: nothing to release into a driver that is gone
        assertFalse(f.network("blue").available());
    }

    @Test
    void aReturningIpamDriverGetsItsLeasesBackBeforeItServes() {
        FakeIpam before = f.addIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        create(fixedSpec("blue", "10.77.0.0/24", "10.77.0.1"));
        f.sandbox("a");
        f.sandbox("b");
        f.sandbox("c");
        f.connect("blue", "a");
        f.connect("blue", "b");
        f.removeIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        f.disconnect("blue", "a"); // gone while the driver is away: its address is free when it returns
        int beforeCalls = before.calls.size();

        FakeIpam after = f.addIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        assertEquals(List.of("requestPool 10.77.0.0/24 {addresses=" + LIST + "}",
                "requestAddress fake/10.77.0.0/24 GATEWAY 10.77.0.1",
                "requestAddress fake/10.77.0.0/24 ENDPOINT 10.77.0.40"), after.calls);
        assertEquals(beforeCalls, before.calls.size(), "the old registration is not called again");
        assertTrue(f.network("blue").available());
        assertEquals("10.77.0.50", ipv4(f.connect("blue", "c")), "free again: a's lease was not replayed");
        assertEquals(java.util.Set.of("10.77.0.1", "10.77.0.40", "10.77.0.50"), after.taken("fake/10.77.0.0/24"));
    }

    @Test
    void aRestartReplaysEachNetworkIntoItsOwnIpamDriverWithItsOptions() throws Exception {
        f.addIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        create(fixedSpec("blue", "10.77.0.0/24", "10.77.0.1"));
        create(NetworkSpec.of("plain", "fake"));
        create(NetworkSpec.of("bare", "fake").withIpam("null", Map.of()));
        f.sandbox("a");
        f.sandbox("b");
        f.connect("blue", "a");
        EndpointRecord plainA = f.connect("plain", "a");
        f.connect("bare", "a");

        f.restart(); // the third-party bundle is not back yet
        assertFalse(f.network("blue").available());
        assertTrue(f.network("plain").available(), "the default IPAM's networks are replayed at once");
        assertTrue(f.network("bare").available());
        assertEquals("172.17.0.3", ipv4(f.connect("plain", "b")), "the default IPAM has a's lease back: "
                + ipv4(plainA) + " is taken");
        assertThrows(WeftException.Unavailable.class, () -> f.connect("blue", "b"));

        FakeIpam back = f.addIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        assertEquals(List.of("requestPool 10.77.0.0/24 {addresses=" + LIST + "}",
                "requestAddress fake/10.77.0.0/24 GATEWAY 10.77.0.1",
                "requestAddress fake/10.77.0.0/24 ENDPOINT 10.77.0.50"), back.calls);
        assertEquals("10.77.0.40", ipv4(f.connect("blue", "b")));
    }

    @Test
    void aRecordFromBeforePluggableIpamMeansTheDefaultOne() throws Exception {
        NetworkRecord n = create(NetworkSpec.of("old", "fake"));
        java.nio.file.Path file = f.dir.resolve("state/networks/" + n.id() + ".json");
        String json = Files.readString(file);
        String withoutIpam = json.replaceAll(",\\s*\"ipam\": \\{[^}]*\\{[^}]*\\}\\s*\\}", "");
        assertFalse(withoutIpam.contains("ipam"), withoutIpam);
        Files.writeString(file, withoutIpam);

        f.restart();
        NetworkRecord loaded = f.inventory.requireNetwork("old");
        assertEquals(IpamRecord.DEFAULT, loaded.ipam());
        assertTrue(f.network("old").available());
        assertEquals(IpPrefix.parse("172.17.1.0/24"), create(NetworkSpec.of("next", "fake")).subnets().get(0).subnet(),
                "its pool was replayed into the default IPAM");
    }

    @Test
    void aSubnetAnIpamDriverPicksIsSkippedWhenAnotherIpamDriversNetworkHasIt() {
        f.addIpam(FIXED, IpamFixture.FAKE_BUNDLE);
        create(fixedSpec("fixed-net", "172.17.0.0/24", "172.17.0.1")); // the default IPAM's first pick
        assertEquals(IpPrefix.parse("172.17.1.0/24"), create(NetworkSpec.of("one", "fake")).subnets().get(0).subnet());
        assertEquals(IpPrefix.parse("172.17.2.0/24"), create(NetworkSpec.of("two", "fake")).subnets().get(0).subnet());
        f.networks.remove("fixed-net");
        assertEquals(IpPrefix.parse("172.17.0.0/24"), create(NetworkSpec.of("three", "fake")).subnets().get(0).subnet(),
                "the skipped pick was given back");
    }
}
