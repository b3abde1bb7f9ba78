package dev.weft.driver.macvlan;

import static dev.weft.driver.macvlan.MacvlanFixture.GW4;
import static dev.weft.driver.macvlan.MacvlanFixture.SUBNET4;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.driver.bridge.BridgeDriver;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A sandbox on a bridge network and a macvlan network: its port is published on the bridge (and
 * reached through the host), while its macvlan interface talks to the LAN with its own address.
 */
@ExtendWith(KernelTest.class)
class MacvlanWithBridgeKernelTest extends MacvlanFixture.PerTest {

    @Test
    void aSandboxOnABridgeAndAMacvlanNetworkPublishesOnTheBridge() {
        // the bridge driver's view of the same instance, with Weft's nf_tables firewall
        BridgeDriver bridge = new BridgeDriver(f.runtime.driverContext("test", "wt", "weft",
                DriverContext.FirewallMode.NFTABLES, 0, Map.of(BridgeDriver.DEFAULT_SUBNET_SETTING, "none")), f.runtime.kernel());
        try {
            f.runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "0.1.0", bridge);
            f.controller().createNetwork(new NetworkSpec("front", BridgeDriver.NAME,
                    List.of(SubnetSpec.of(IpPrefix.parse("10.80.0.0/24"))), false, false, Map.of(), Map.of()));
            f.network("mv", SUBNET4, GW4, Map.of());
            TestSandbox web = f.sandbox("web", "front",
                    new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("8080:80"))));
            f.controller().connect("mv", web.name(), EndpointSpec.defaults());

            try (TcpListener l = web.listenTcp(80); TcpConnection c = f.host.connectTcp("10.80.0.1", 8080)) {
                assertEquals("web", c.readLine().replaceAll(".*-", ""), "the published port leads to the sandbox");
            }
            try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = web.connectTcp(GW4, 7000)) {
                assertEquals(f.ipv4(web, "mv"), c.peerSeenBy(l), "its macvlan interface has its own address on the LAN");
            }
            f.controller().removeSandbox(web.name());
            f.runtime.awaitRemovals();
            bridge.drain();
        } finally {
            bridge.close();
        }
    }
}
