package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.GatewayAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GatewayAddress#IF_GIVEN} (macvlan's gateway, a router on the parent's LAN): a gateway only
 * when the user names one, reserved then; without one no gateway, no default route, and subnets down
 * to one address. The default stays {@link GatewayAddress#ALLOCATED}.
 */
class GatewayAddressLogicTest {
    private Path dir;
    private ControllerImpl controller;
    private EndpointOptionsLogicTest.Recording lan;

    /** A driver whose gateways are routers elsewhere. */
    static final class LanDriver extends EndpointOptionsLogicTest.Recording {
        @Override
        public GatewayAddress gatewayAddress(Map<String, String> options, boolean ipv6) {
            return GatewayAddress.IF_GIVEN;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-gateway-address-test-");
        DriverRegistry drivers = new DriverRegistry();
        lan = new LanDriver();
        drivers.add("lan", "test.lan", "1.0.0", lan, "lan");
        drivers.add("rec", "test.rec", "1.0.0", new EndpointOptionsLogicTest.Recording(), "rec");
        controller = FakeRuntime.start(dir, new FakeHostSystem(dir), drivers, new IpamRegistry(),
                IpPrefix.parse("fd42:7:8::/48"));
    }

    @AfterEach
    void tearDown() throws IOException {
        FakeRuntime.stop(controller, dir);
    }

    private NetworkInfo network(String name, String driver, SubnetSpec subnet) {
        return controller.createNetwork(new NetworkSpec(name, driver, List.of(subnet), false, false, Map.of(), Map.of()));
    }

    @Test
    void noGatewayUnlessGiven() {
        NetworkInfo n = network("lan0", "lan", SubnetSpec.of(IpPrefix.parse("10.81.0.0/24")));
        assertNull(n.subnets().get(0).gateway(), "no --gateway: the network has none");
        controller.createSandbox(new SandboxSpec("a", "lan0", EndpointSpec.defaults(), null));
        var joined = lan.joined.get(0);
        assertEquals("10.81.0.1", IpAddresses.format(joined.ipv4().address()),
                "the subnet's first address is an endpoint's, not a gateway's");
        assertNull(joined.gateway4());
        assertFalse(joined.defaultRoute4(), "no gateway, no default route");
    }

    @Test
    void aGivenGatewayIsReservedAndRoutes() {
        NetworkInfo n = network("lan1", "lan", new SubnetSpec(IpPrefix.parse("10.82.0.0/24"), null,
                IpAddresses.parse("10.82.0.254"), Map.of()));
        assertEquals("10.82.0.254", IpAddresses.format(n.subnets().get(0).gateway()));
        WeftException e = assertThrows(WeftException.class, () -> controller.createSandbox(new SandboxSpec("b", "lan1",
                new EndpointSpec(IpAddresses.parse("10.82.0.254"), null, List.of(), List.of()), null)));
        assertTrue(e.getMessage().contains("10.82.0.254"), e.getMessage());
        controller.createSandbox(new SandboxSpec("c", "lan1", EndpointSpec.defaults(), null));
        var joined = lan.joined.get(0);
        assertEquals("10.82.0.254", IpAddresses.format(joined.gateway4()));
        assertTrue(joined.defaultRoute4());
    }

    @Test
    void oneAddressSubnetsWithoutGateway() {
        network("lan2", "lan", SubnetSpec.of(IpPrefix.parse("10.83.0.7/32")));
        WeftException e = assertThrows(WeftException.class, () -> network("rec2", "rec",
                SubnetSpec.of(IpPrefix.parse("10.84.0.7/32"))));
        assertTrue(e.getMessage().contains("10.84.0.7/32"), e.getMessage());
        assertTrue(network("rec3", "rec", SubnetSpec.of(IpPrefix.parse("10.85.0.0/24"))).subnets().get(0).gateway() != null,
                "ALLOCATED stays the default");
    }
}
