package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.linux.Link;
import dev.weft.net.NetNamespace;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A network without {@code mtu} takes the MTU of the device of the host's default route (netavark
 * 1.16's rule; {@link HostSetup#uplinkMtu}): the IPv4 one, else the IPv6 one. Read back through the
 * kernel layer on the bridge and on both ends of a sandbox's veth; {@code mtu} still wins.
 */
@ExtendWith(KernelTest.class)
class UplinkMtuKernelTest extends BridgeFixture.PerTest {

    /** The host's end of the link to {@code outside} ({@link dev.weft.testkit.TestHost#outside}), found by its address. */
    private String hostEndOf(String hostAddress) {
        return f.host.ip("-o", "addr", "show", "to", hostAddress).strip().split("\\s+")[1];
    }

    /** MTUs of the network's bridge, the sandbox's host-side veth and its eth0. */
    private List<Integer> mtus(String network, TestSandbox sandbox) {
        String bridge = "br-" + f.controller().network(network).orElseThrow().id().substring(0, 12);
        int inSandbox = f.runtime.kernel().inNamespace(NetNamespace.at(sandbox.name(), sandbox.path()),
                rt -> rt.link("eth0").map(Link::mtu).orElseThrow());
        return List.of(f.runtime.kernel().host().link(bridge).map(Link::mtu).orElseThrow(),
                f.runtime.kernel().host().link(f.endpointHostEnd(sandbox, network)).map(Link::mtu).orElseThrow(), inSandbox);
    }

    @Test
    void theMtuIsTheIpv4DefaultRouteDevicesAndTrafficFlowsThroughIt() {
        TestSandbox lan = f.lanWithDefaultRoute();
        f.host.ip("link", "set", hostEndOf("10.99.0.1"), "mtu", "1400");
        lan.ip("link", "set", "eth0", "mtu", "1400");
        f.network("m", "10.98.7.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "m");
        assertEquals(List.of(1400, 1400, 1400), mtus("m", a));
        try (TcpListener l = lan.listenTcp(9100); TcpConnection c = a.connectTcp("10.99.0.2", 9100)) {
            assertEquals("10.99.0.1", c.peerSeenBy(l));
        }

        f.network("n", "10.98.8.0/24", Map.of(BridgeOptions.MTU, "1300")); // given: it wins
        TestSandbox b = f.sandbox("b", "n");
        assertEquals(List.of(1300, 1300, 1300), mtus("n", b));
    }

    @Test
    void withoutAnIpv4DefaultRouteTheIpv6DefaultRouteDevicesMtuIsTaken() {
        f.host.outside("lan6", "fd00:99:6::1/64", "fd00:99:6::2/64");
        f.host.ip("-6", "route", "add", "default", "via", "fd00:99:6::2");
        f.host.ip("link", "set", hostEndOf("fd00:99:6::1"), "mtu", "1380");
        f.network("m6", List.of("10.98.9.0/24", "fd00:98:9::/64"), true, false, Map.of());
        TestSandbox a = f.sandbox("a", "m6");
        assertEquals(List.of(1380, 1380, 1380), mtus("m6", a));
    }

    @Test
    void withoutAnyDefaultRouteItIs1500() {
        f.network("m0", "10.98.10.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "m0");
        assertEquals(List.of(HostSetup.FALLBACK_MTU, HostSetup.FALLBACK_MTU, HostSetup.FALLBACK_MTU), mtus("m0", a));
    }
}
