package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.PortBinding;
import dev.weft.net.IpAddresses;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import dev.weft.testkit.UdpExchange;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Published ports at {@code [::1]} and at host IPv6 addresses the firewall cannot NAT: IPv6 has no
 * route_localnet, so these reach the runtime's one port proxy, which relays them to the sandbox.
 * Proven with real traffic from the host namespace (and a LAN neighbour for a host IPv6 address).
 */
@ExtendWith(KernelTest.class)
class LoopbackIpv6PublishKernelTest extends BridgeFixture.PerTest {
    private static final Duration SHORT = Duration.ofMillis(700);
    private static final Duration WAIT = Duration.ofSeconds(2);

    @BeforeEach
    void setUp() throws Exception {
        f.network("blue", "10.82.0.0/24", Map.of());
    }

    @Test
    void tcpAtIpv6LoopbackReachesAnIpv4OnlySandboxAndBytesFlowBothWays() throws Exception {
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        try (TcpListener l = web.listenTcp(80); TcpConnection c = f.host.connectTcp("::1", 8080)) {
            assertEquals(web.name(), c.readLine(), "the sandbox's greeting");
            c.writeLine("ping");
            assertEquals("ping", c.readLine(), "echoed back through [::1]");
            assertEquals("10.82.0.1", l.awaitConnection(WAIT), "the proxy connects from the host's bridge address");
            assertTrue(f.host.canConnectTcp("127.0.0.1", 8080, WAIT), "127.0.0.1 still goes through DNAT");
        }
    }

    @Test
    void udpAtIpv6LoopbackReachesTheSandboxAndItsReplyComesBack() throws Exception {
        TestSandbox dns = f.sandbox("dns", "blue", "8053:53/udp");
        try (DatagramSocket echo = udpEcho(dns, 53); DatagramSocket client = f.host.call(DatagramSocket::new)) {
            assertEquals("q1", exchange(client, "::1", 8053, "q1"));
            assertEquals("q2", exchange(client, "::1", 8053, "q2"), "the flow goes on");
            assertTrue(echo.getLocalPort() == 53);
        }
    }

    @Test
    void anEphemeralHostPortIsReachableAtIpv6LoopbackToo() throws Exception {
        TestSandbox web = f.sandbox("web", "blue", "80");
        int port = f.endpoint(web, "blue").ports().get(0).hostPort();
        try (TcpListener l = web.listenTcp(80); TcpConnection c = f.host.connectTcp("::1", port)) {
            assertEquals(web.name(), c.readLine());
            assertTrue(l.port() == 80);
        }
    }

    @Test
    void onADualStackNetworkIpv6LoopbackReachesTheSandboxsIpv6Address() throws Exception {
        f.network("six", List.of("10.82.6.0/24", "fd00:82:6::/64"), true, false, Map.of());
        TestSandbox web = f.sandbox("web", "six", "8080:80", "8053:53/udp");
        try (TcpListener l = web.listenTcp(80); TcpConnection c = f.host.connectTcp("::1", 8080);
             DatagramSocket echo = udpEcho(web, 53); DatagramSocket client = f.host.call(DatagramSocket::new)) {
            assertEquals(web.name(), c.readLine());
            c.writeLine("six");
            assertEquals("six", c.readLine());
            assertEquals("fd00:82:6::1", l.awaitConnection(WAIT), "relayed over IPv6 from the bridge's gateway address");
            assertEquals("u6", exchange(client, "::1", 8053, "u6"));
            assertTrue(echo.getLocalPort() == 53);
        }
    }

    @Test
    void aHostIpv6AddressReachesAnIpv4OnlySandboxThroughTheProxy() throws Exception {
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        String uplink = f.host.exec("ip", "-o", "-4", "addr", "show", "to", "10.99.0.1").split("\\s+")[1];
        f.host.ip("addr", "add", "fd00:99::1/64", "dev", uplink, "nodad");
        lan.ip("addr", "add", "fd00:99::2/64", "dev", "eth0", "nodad");
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        try (TcpListener l = web.listenTcp(80); TcpConnection c = lan.connectTcp("fd00:99::1", 8080)) {
            assertEquals(web.name(), c.readLine(), "a LAN client of the host's IPv6 address");
            assertEquals("10.82.0.1", l.awaitConnection(WAIT));
        }
    }

    @Test
    void afterRemovalIpv6LoopbackIsRefusedAndThePortIsFree() throws Exception {
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        try (TcpListener l = web.listenTcp(80)) {
            assertTrue(f.host.canConnectTcp("::1", 8080, WAIT));
            assertTrue(l.port() == 80);
        }
        f.controller().removeSandbox(web.name());
        long start = System.nanoTime();
        assertFalse(f.host.canConnectTcp("::1", 8080, WAIT), "refused once the sandbox is gone");
        assertTrue(System.nanoTime() - start < SHORT.toNanos(), "refused at once, not timed out");
        try (TcpListener free = f.host.listenTcp(8080)) {
            assertEquals(8080, free.port(), "a host process can take the port now");
        }
    }

    @Test
    void aHostProcessCannotBindAPublishedPortOnIpv6() throws Exception {
        f.sandbox("web", "blue", "8080:80", "8053:53/udp");
        assertThrows(RuntimeException.class, () -> f.host.listenTcp("::1", 8080), "[::1]");
        assertThrows(RuntimeException.class, () -> f.host.listenTcp("::", 8080), "[::]");
        assertThrows(RuntimeException.class, () -> f.host.listenTcp("0.0.0.0", 8080), "0.0.0.0");
        assertThrows(RuntimeException.class, () -> f.host.listenUdp("::1", 8053), "udp [::1]");
        assertThrows(RuntimeException.class, () -> f.host.listenUdp("::", 8053), "udp [::]");
    }

    @Test
    void ipv4OnlyBindingsAreNotReachableAtIpv6Loopback() throws Exception {
        f.network("local", "10.82.1.0/24", Map.of(BridgeOptions.HOST_BINDING_IPV4, "127.0.0.1"));
        TestSandbox web = f.sandbox("web", "blue", "127.0.0.1:8081:81");
        TestSandbox loc = f.sandbox("loc", "local", "8082:82");
        PortBinding bound = f.endpoint(loc, "local").ports().get(0);
        assertEquals("127.0.0.1", IpAddresses.format(bound.hostIp()), "bound on the network's host_binding_ipv4");
        try (TcpListener l = web.listenTcp(81); TcpListener l2 = loc.listenTcp(82)) {
            assertTrue(f.host.canConnectTcp("127.0.0.1", 8081, WAIT), "127.0.0.1 binding through DNAT");
            assertTrue(f.host.canConnectTcp("127.0.0.1", 8082, WAIT), "host_binding_ipv4 through DNAT");
            assertFalse(f.host.canConnectTcp("::1", 8081, SHORT), "a 127.0.0.1 binding is not at [::1]");
            assertFalse(f.host.canConnectTcp("::1", 8082, SHORT), "a host_binding_ipv4 binding is not at [::1]");
            // the accept threads record clients asynchronously: wait for the one that came (a loaded machine)
            assertNotNull(l.awaitConnection(WAIT), "the 127.0.0.1 client came");
            assertNotNull(l2.awaitConnection(WAIT), "the 127.0.0.1 client came");
            assertEquals(1, l.remoteAddresses().size(), "only the 127.0.0.1 client came: " + l.remoteAddresses());
            assertEquals(1, l2.remoteAddresses().size(), "only the 127.0.0.1 client came: " + l2.remoteAddresses());
        }
    }

    @Test
    void afterARestartIpv6LoopbackWorksAgain() throws Exception {
        TestSandbox web = f.sandbox("web", "blue", "8080:80");
        f.restart();
        try (TcpListener l = web.listenTcp(80); TcpConnection c = f.host.connectTcp("::1", 8080)) {
            assertEquals(web.name(), c.readLine(), "the restored port is relayed again");
            assertTrue(l.port() == 80);
        }
    }

    /** A UDP socket in {@code sandbox} that sends every datagram back to its sender; close it before the sandbox goes. */
    private static DatagramSocket udpEcho(TestSandbox sandbox, int port) {
        DatagramSocket socket = sandbox.call(() -> new DatagramSocket(port));
        Thread t = new Thread(() -> {
            byte[] b = new byte[2048];
            while (!socket.isClosed()) {
                DatagramPacket d = new DatagramPacket(b, b.length);
                try {
                    socket.receive(d);
                    socket.send(new DatagramPacket(d.getData(), d.getLength(), d.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }, "udp-echo " + sandbox.name());
        t.setDaemon(true);
        t.start();
        return socket;
    }

    /** Sends one datagram and returns the reply, or null when none comes back in time. */
    private static String exchange(DatagramSocket s, String address, int port, String payload) throws IOException {
        return UdpExchange.exchange(s, address, port, payload, WAIT);
    }
}
