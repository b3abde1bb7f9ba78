package dev.weft.core.internal.ports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.PortBinding;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.PortMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The relay as a port mapper, without sockets: fake ports record where they are pointed. Which
 * bindings it holds and maps, the target it picks, all or nothing, and that an unmap touches only
 * its own endpoint's mappings ({@link PortMapper}'s MUSTs).
 */
class RelayMapperTest {
    private final Map<String, FakePort> opened = new HashMap<>();
    private final RelayMapper relay = new RelayMapper((protocol, address, port) -> {
        FakePort p = new FakePort(port == 0 ? 40000 + opened.size() : port);
        opened.put(protocol + "/" + p.port, p);
        return p;
    });

    @Test
    void itHoldsTcpAndUdpOnEveryAddressOrAnIpv6OneAndNothingElse() {
        assertTrue(relay.holds("tcp", null));
        assertTrue(relay.holds("udp", ip("::1")));
        assertTrue(relay.holds("tcp", ip("::")));
        assertFalse(relay.holds("tcp", ip("127.0.0.1")), "IPv4 bindings are NAT's alone");
        assertFalse(relay.holds("udp", ip("0.0.0.0")));
        assertFalse(relay.holds("sctp", null), "no SCTP sockets");
    }

    @Test
    void aHeldPortServesNobodyUntilMappedThenGoesToTheEndpointsIpv6ElseIpv4Address() throws Exception {
        HostPorts.Held h = relay.hold("tcp", null, 8080);
        assertEquals(8080, h.port());
        FakePort p = opened.get("tcp/8080");
        assertNull(p.target, "no target before mapPorts");

        relay.mapPorts(endpoint("e1", "10.1.0.2/24", null), List.of(tcp(null, 8080, 80)));
        assertEquals(new InetSocketAddress(ip("10.1.0.2"), 80), p.target, "an IPv4-only endpoint: its IPv4 address");

        relay.mapPorts(endpoint("e1", "10.1.0.2/24", "fd00:1::2/64"), List.of(tcp(null, 8080, 80)));
        assertEquals(new InetSocketAddress(ip("fd00:1::2"), 80), p.target, "IPv6 when the endpoint has it");
    }

    @Test
    void bindingsItDoesNotServeAreIgnoredAndAPortItShouldHoldButDoesNotFailsTheWholeCall() throws Exception {
        relay.hold("tcp", null, 8080);
        EndpointConfig e = endpoint("e1", "10.1.0.2/24", null);
        relay.mapPorts(e, List.of(tcp(ip("127.0.0.1"), 8081, 81), new PortBinding("sctp", null, 3868, 3868)));
        IllegalStateException x = assertThrows(IllegalStateException.class,
                () -> relay.mapPorts(e, List.of(tcp(null, 8080, 80), tcp(null, 9999, 99))));
        assertTrue(x.getMessage().contains("0.0.0.0:9999->99/tcp") && x.getMessage().contains("relay"), x.getMessage());
        assertNull(opened.get("tcp/8080").target, "all or nothing: the held port was not mapped either");
        assertEquals(0, opened.get("tcp/8080").relayToCalls, "nothing changed");
    }

    @Test
    void unmapTouchesOnlyItsOwnEndpointsMappingAndIsIdempotent() throws Exception {
        HostPorts.Held h = relay.hold("udp", ip("::1"), 5353);
        FakePort p = opened.get("udp/5353");
        PortBinding b = new PortBinding("udp", ip("::1"), 5353, 53);
        EndpointConfig old = endpoint("e1", "10.1.0.2/24", null);
        EndpointConfig now = endpoint("e2", "10.1.0.3/24", null);
        relay.mapPorts(now, List.of(b));
        relay.unmapPorts(old, List.of(b));
        assertEquals(new InetSocketAddress(ip("10.1.0.3"), 53), p.target, "another endpoint's unmap leaves it alone");

        relay.unmapPorts(now, List.of(b));
        assertNull(p.target);
        relay.unmapPorts(now, List.of(b, tcp(ip("127.0.0.1"), 1, 1), tcp(null, 2, 2))); // unmapped, not its, not held

        h.close();
        assertTrue(p.closed);
        relay.unmapPorts(now, List.of(b)); // released: still no error
        assertThrows(IllegalStateException.class, () -> relay.mapPorts(now, List.of(b)), "a released port cannot be mapped");
    }

    @Test
    void anEndpointWithoutAddressesLeavesThePortServingNobody() throws Exception {
        relay.hold("tcp", null, 8080);
        relay.mapPorts(endpoint("e1", null, null), List.of(tcp(null, 8080, 80)));
        assertNull(opened.get("tcp/8080").target);
    }

    private static PortBinding tcp(InetAddress host, int hostPort, int containerPort) {
        return new PortBinding("tcp", host, hostPort, containerPort);
    }

    private static InetAddress ip(String s) {
        return IpAddresses.parse(s);
    }

    private static EndpointConfig endpoint(String id, String v4, String v6) {
        String full = (id + "0".repeat(64)).substring(0, 64);
        return new EndpointConfig(full, "eth0", v4 == null ? null : InterfaceAddress.parse(v4),
                v6 == null ? null : InterfaceAddress.parse(v6), null, null, true, null, List.of());
    }

    /** Records the target it is pointed at. */
    private static final class FakePort implements PortProxy.Port {
        final int port;
        InetSocketAddress target;
        int relayToCalls;
        boolean closed;

        FakePort(int port) {
            this.port = port;
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public void relayTo(InetSocketAddress t) {
            relayToCalls++;
            target = t;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
