package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.net.IpAddresses;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the embedded DNS server will rely on: the addresses {@code Controller.hostGateways} names for
 * a bridge network are the bridge's own, so a service bound there in the host namespace (no socket
 * in any sandbox) is reached by the network's sandboxes, also on an internal network.
 */
@ExtendWith(KernelTest.class)
class HostGatewayKernelTest {

    @Test
    void aServiceBoundOnTheHostGatewayIsReachedFromTheNetworksSandboxes() throws Exception {
        try (BridgeFixture f = new BridgeFixture()) {
            f.network("blue", List.of("10.81.0.0/24", "fd00:81::/64"), true, false, Map.of());
            f.network("quiet", List.of("10.82.0.0/24"), false, true, Map.of());
            List<InetAddress> blue = f.controller().hostGateways("blue");
            assertEquals(List.of("10.81.0.1", "fd00:81::1"), blue.stream().map(IpAddresses::format).toList());
            List<InetAddress> quiet = f.controller().hostGateways("quiet");
            assertEquals(List.of("10.82.0.1"), quiet.stream().map(IpAddresses::format).toList());

            TestSandbox a = f.sandbox("a", "blue");
            TestSandbox q = f.sandbox("q", "quiet");
            try (TcpListener v4 = f.host.listenTcp("10.81.0.1", 5353);
                 TcpListener v6 = f.host.listenTcp("fd00:81::1", 5353);
                 TcpListener internal = f.host.listenTcp("10.82.0.1", 5353)) {
                assertEquals(f.ipv4(a, "blue"), a.connectTcp("10.81.0.1", 5353).peerSeenBy(v4));
                assertEquals(f.ipv6(a, "blue"), a.connectTcp("fd00:81::1", 5353).peerSeenBy(v6));
                assertEquals(f.ipv4(q, "quiet"), q.connectTcp("10.82.0.1", 5353).peerSeenBy(internal),
                        "an internal network's sandboxes reach it too");
            }
        }
    }
}
