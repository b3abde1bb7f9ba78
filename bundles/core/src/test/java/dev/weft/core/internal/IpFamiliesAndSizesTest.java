package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.SubnetStatus;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressAllocation;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IPv6-only networks (Docker 28's {@code --ipv4=false}), size requests ({@code --subnet 0.0.0.0/24},
 * Docker 29) and the IPAM status of {@code network:inspect} through the whole controller, without
 * root: {@link FakeHostSystem}, {@link FakeDriver}. Refusals reach no driver and leave no record.
 */
class IpFamiliesAndSizesTest {
    private static final IpPrefix ULA = IpPrefix.parse("fd42:7:7::/48");
    private Path dir;
    private FakeHostSystem system;
    private FakeDriver driver;
    private IpamRegistry ipams;
    private ControllerImpl controller;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-families-test-");
        start();
    }

    private void start() {
        system = new FakeHostSystem(dir);
        DriverRegistry drivers = new DriverRegistry();
        driver = new FakeDriver(true);
        drivers.add("fake", "test.fake", "1.0.0", driver, "fake");
        ipams = new IpamRegistry();
        controller = FakeRuntime.start(dir, system, drivers, ipams, ULA);
    }

    @AfterEach
    void tearDown() throws IOException {
        FakeRuntime.stop(controller, dir);
    }

    private static NetworkSpec spec(String name, boolean ipv6, String... subnets) {
        return new NetworkSpec(name, "fake", Stream.of(subnets).map(s -> SubnetSpec.of(IpPrefix.parse(s))).toList(),
                ipv6, false, Map.of(), Map.of());
    }

    private List<String> records() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void anIpv6OnlyNetworkHasNoIpv4SubnetAndItsEndpointsNoIpv4Address() {
        NetworkInfo n = controller.createNetwork(spec("six", true).withIpv4(false));
        assertFalse(n.ipv4());
        assertEquals(List.of(IpPrefix.parse("fd42:7:7::/64")), n.subnets().stream().map(s -> s.subnet()).toList(),
                "only an IPv6 subnet, from the ULA pool (--ipv6 without an IPv6 subnet, Docker 27)");
        assertFalse(driver.validated.get(0).ipv4(), "the driver is told in validate");
        assertFalse(driver.created.get(0).ipv4());

        EndpointInfo e = controller.createSandbox(SandboxSpec.of("a", "six")).endpoints().get(0);
        assertNull(e.ipv4());
        assertEquals("fd42:7:7::2/64", e.ipv6().toString());
        assertNull(driver.joined.get(0).ipv4());
        assertNull(driver.joined.get(0).gateway4());
        assertFalse(driver.joined.get(0).defaultRoute4());
        assertTrue(driver.joined.get(0).defaultRoute6(), "its default route is IPv6's alone");

        controller.close();
        start(); // the record keeps it
        assertFalse(controller.network("six").orElseThrow().ipv4());
        assertTrue(controller.createNetwork(spec("four", false)).ipv4(), "IPv4 stays the default");
    }

    @Test
    void ipv6OnlyRequestsThatCannotBeServedAreRefusedWithNothingChanged() throws IOException {
        List<String> before = records();
        WeftException e = assertThrows(WeftException.InvalidRequest.class,
                () -> controller.createNetwork(spec("none4", false).withIpv4(false)));
        assertEquals("network \"none4\": no IP address family enabled: --ipv4=false needs --ipv6 (an IPv6-only "
                + "network); add --ipv6 or drop --ipv4=false", e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class,
                () -> controller.createNetwork(spec("mixed", true, "10.9.0.0/24", "fd00:9::/64").withIpv4(false)));
        assertTrue(e.getMessage().startsWith("network \"mixed\": subnet 10.9.0.0/24 is IPv4, but the network is "
                + "IPv6-only (--ipv4=false)"), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class,
                () -> controller.createNetwork(spec("sized", true, "0.0.0.0/24").withIpv4(false)));
        assertTrue(e.getMessage().contains("0.0.0.0/24 is IPv4"), e.getMessage());
        assertTrue(driver.validated.isEmpty(), "no driver was asked");
        assertEquals(before, records());
        assertEquals(List.of("none"), controller.networks().stream().map(NetworkInfo::name).toList());

        controller.createNetwork(spec("six", true, "fd00:9::/64").withIpv4(false));
        controller.createNetwork(spec("four", false, "10.9.0.0/24"));
        controller.createSandbox(SandboxSpec.of("b", "four"));
        int joins = driver.joined.size();
        List<String> withNetwork = records();
        EndpointSpec withIp = new EndpointSpec(IpAddresses.parse("10.9.0.5"), null, List.of(), List.of());
        e = assertThrows(WeftException.InvalidRequest.class,
                () -> controller.createSandbox(new SandboxSpec("a", "six", withIp, null)));
        assertEquals("network \"six\" is IPv6-only (created with --ipv4=false): its endpoints get no IPv4 address, so "
                + "--ip 10.9.0.5 cannot be given; drop --ip (--ip6 sets a static IPv6 address)", e.getMessage());
        assertEquals(List.of("b"), controller.sandboxes().stream().map(x -> x.name()).toList());
        assertEquals(List.of("b"), system.namespaceNames(), "no namespace was made for it");
        assertThrows(WeftException.InvalidRequest.class, () -> controller.connect("six", "b", withIp));
        assertEquals(joins, driver.joined.size(), "no driver was asked");
        assertEquals(1, controller.sandbox("b").orElseThrow().endpoints().size());
        assertEquals(withNetwork, records());
    }

    @Test
    void aSubnetOfTheUnspecifiedAddressAsksForAFreeSubnetOfThatSize() {
        NetworkInfo big = controller.createNetwork(spec("big", true, "0.0.0.0/16", "::/56"));
        // 172.17.0.0/16 is the first default pool; the pools' own split into /24s does not matter
        assertEquals(List.of(IpPrefix.parse("172.17.0.0/16"), IpPrefix.parse("fd42:7:7::/56")),
                big.subnets().stream().map(s -> s.subnet()).toList());
        assertEquals(IpAddresses.parse("172.17.0.1"), big.subnets().get(0).gateway());
        NetworkInfo next = controller.createNetwork(spec("next", false, "0.0.0.0/16"));
        assertEquals(IpPrefix.parse("172.18.0.0/16"), next.subnets().get(0).subnet());
        NetworkInfo small = controller.createNetwork(spec("small", false));
        assertEquals(IpPrefix.parse("172.19.0.0/24"), small.subnets().get(0).subnet(), "automatic pools skip them");
    }

    @Test
    void aSizeThePoolsCannotGiveIsRefusedNamingTheSizeAndThePools() throws IOException {
        List<String> before = records();
        WeftException e = assertThrows(WeftException.InvalidRequest.class,
                () -> controller.createNetwork(spec("huge", false, "0.0.0.0/12")));
        assertEquals("cannot create network \"huge\": no default address pool can give a /12 subnet: the IPv4 pools are "
                + "172.17.0.0/16 split into /24s, 172.18.0.0/15 split into /24s, 172.20.0.0/14 split into /24s, "
                + "192.168.0.0/16 split into /24s, each smaller than a /12; ask for /14 or longer, add a pool with a "
                + "larger base to weft.default.address.pools (WEFT_DEFAULT_ADDRESS_POOLS for ./weft; "
                + "base=CIDR,size=N;base=CIDR,size=N), or give a subnet", e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class,
                () -> controller.createNetwork(spec("tiny", false, "0.0.0.0/31")));
        assertTrue(e.getMessage().startsWith("network \"tiny\": subnet 0.0.0.0/31 asks for a /31, too small"), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class, () -> controller.createNetwork(new NetworkSpec("gw",
                "fake", List.of(new SubnetSpec(IpPrefix.parse("0.0.0.0/24"), null, IpAddresses.parse("0.0.0.1"), Map.of())),
                false, false, Map.of(), Map.of())));
        assertTrue(e.getMessage().contains("cannot be placed in it"), e.getMessage());
        assertTrue(driver.created.isEmpty());
        assertEquals(before, records());
        assertEquals(List.of("none"), controller.networks().stream().map(NetworkInfo::name).toList());
    }

    @Test
    void anIpamDriverThatIgnoresTheSizeIsCaughtAndItsPoolGivenBack() {
        List<String> released = new CopyOnWriteArrayList<>();
        IpamDriver old = new IpamDriver() { // as a driver written before 0.7.0: it picks its one size
            @Override
            public AddressSpaces addressSpaces() {
                return new AddressSpaces("old-local", "old-global");
            }

            @Override
            public PoolAllocation requestPool(PoolRequest request) {
                IpPrefix p = request.pool() != null ? request.pool() : IpPrefix.parse("10.50.0.0/24");
                return new PoolAllocation(new PoolId("old/" + p), p, null);
            }

            @Override
            public void releasePool(PoolId pool) {
                released.add(pool.toString());
            }

            @Override
            public AddressAllocation requestAddress(PoolId pool, AddressRequest request) {
                throw new AssertionError("no address is asked of a refused pool");
            }

            @Override
            public void releaseAddress(PoolId pool, InetAddress address) {
            }
        };
        ipams.add("old", "test.old", "1.0.0", old, "old");
        WeftException e = assertThrows(WeftException.InvalidRequest.class, () -> controller.createNetwork(
                spec("x", false, "0.0.0.0/16").withIpam("old", Map.of())));
        assertEquals("network \"x\": IPAM driver \"old\" gave subnet 10.50.0.0/24 where a "
                + "/16 was asked for (it does not take requests for a size); give a --subnet, or choose another "
                + "--ipam-driver", e.getMessage());
        assertEquals(List.of("old/10.50.0.0/24"), released, "the pool it gave is given back");
        assertTrue(controller.networks().stream().noneMatch(n -> n.name().equals("x")));
    }

    @Test
    void inspectCountsAddressesInUseAndThoseStillFreeAsDockerDoes() {
        controller.createNetwork(spec("blue", true, "10.70.0.0/24", "fd00:70::/64"));
        controller.createSandbox(SandboxSpec.of("a", "blue"));
        controller.createSandbox(SandboxSpec.of("b", "blue"));
        NetworkInfo n = controller.network("blue").orElseThrow();
        // network, gateway, broadcast and two endpoints; 256 - 5 free
        assertEquals(SubnetStatus.of(5, 251), n.ipamStatus().get(IpPrefix.parse("10.70.0.0/24")));
        // the subnet-router anycast address, gateway and two endpoints; a /64 holds 2^64 addresses
        assertEquals(new SubnetStatus(BigInteger.valueOf(4), BigInteger.ONE.shiftLeft(64).subtract(BigInteger.valueOf(4))),
                n.ipamStatus().get(IpPrefix.parse("fd00:70::/64")));
        assertEquals(n.ipamStatus(), controller.networks().stream().filter(x -> x.name().equals("blue")).findFirst()
                .orElseThrow().ipamStatus(), "listed as inspected");
        assertTrue(controller.network("none").map(NetworkInfo::ipamStatus).orElse(Map.of()).isEmpty(),
                "no subnets, no status");
    }
}
