package dev.weft.core.internal.ports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.Datagram;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.UdpExchange;
import dev.weft.testkit.UdpListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The port proxy on loopback alone, inside a throwaway host namespace: targets are listeners of
 * that namespace, clients connect to [::1] (relayed) or 127.0.0.1 (reset or dropped).
 */
@ExtendWith(KernelTest.class)
class PortProxyKernelTest {
    private static final Duration SHORT = Duration.ofMillis(700);
    private TestHost host;
    private PortProxy proxy;

    @BeforeEach
    void setUp() {
        host = TestHost.create();
        proxy = new PortProxy(host::call);
    }

    @AfterEach
    void tearDown() {
        try {
            proxy.close();
        } finally {
            host.close();
        }
    }

    @Test
    void anIpv6ClientIsRelayedBothWaysToAnIpv4OrIpv6TargetAndAnIpv4ClientIsReset() throws Exception {
        try (TcpListener target = host.listenTcp(0)) {
            for (String to : new String[] {"127.0.0.1", "::1"}) {
                try (PortProxy.Port p = open("tcp", null, 0, new InetSocketAddress(to, target.port()));
                     TcpConnection c = host.connectTcp("::1", p.port())) {
                    assertEquals(host.name(), c.readLine(), "the target's greeting through the proxy to " + to);
                    c.writeLine("hello " + to);
                    assertEquals("hello " + to, c.readLine(), "echoed back");
                    assertEquals(to, target.awaitConnection(Duration.ofSeconds(2)), "the proxy connects from the host");
                    String v4 = ipv4Outcome(p.port());
                    assertTrue(v4.equals("reset") || v4.equals("end"), "an IPv4 client must not be relayed: " + v4);
                    assertNull(target.awaitConnection(SHORT), "nothing relayed for the IPv4 client");
                }
            }
        }
    }

    @Test
    void halfCloseIsPassedOnAndABigTransferSurvivesTheBoundedBuffers() throws Exception {
        // the target reads until the client's FIN, then answers with the byte count: the answer
        // only arrives if the FIN was passed on while the other direction stayed open
        ServerSocket counter = host.call(() -> new ServerSocket(0));
        Thread server = new Thread(() -> {
            try (Socket s = counter.accept()) {
                long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                s.getOutputStream().write(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // the test fails on the client side
            }
        }, "counter");
        server.setDaemon(true);
        server.start();
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) 7);
        try (counter; PortProxy.Port p = open("tcp", null, 0, new InetSocketAddress("127.0.0.1", counter.getLocalPort()));
             Socket client = connect(p.port())) {
            client.setSoTimeout(10_000);
            for (int i = 0; i < 32; i++) {
                client.getOutputStream().write(chunk);
            }
            client.shutdownOutput();
            assertEquals(Long.toString(32L << 20), new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void closingThePortEndsItsFlowsAndFreesThePortAtOnce() throws Exception {
        try (TcpListener target = host.listenTcp(0)) {
            PortProxy.Port p = open("tcp", null, 0, new InetSocketAddress("127.0.0.1", target.port()));
            int port = p.port();
            TcpConnection c = host.connectTcp("::1", port);
            assertEquals(host.name(), c.readLine());
            assertThrows(RuntimeException.class, () -> host.listenTcp("::1", port), "a host process must not bind [::1]");
            assertThrows(RuntimeException.class, () -> host.listenTcp("127.0.0.1", port), "nor 127.0.0.1");
            assertThrows(RuntimeException.class, () -> host.listenTcp(port), "nor every address");
            p.close();
            assertThrows(RuntimeException.class, c::readLine, "a relayed connection is reset with its port");
            assertFalse(host.canConnectTcp("::1", port, SHORT), "refused once closed");
            try (TcpListener again = host.listenTcp(port)) {
                assertEquals(port, again.port(), "the port is free again");
            }
        }
    }

    @Test
    void aUdpClientOnIpv6GetsTheTargetsRepliesAndIpv4DatagramsAreDropped() throws Exception {
        DatagramSocket echo = host.call(() -> new DatagramSocket(0));
        Thread t = new Thread(() -> {
            byte[] b = new byte[2048];
            while (!echo.isClosed()) {
                DatagramPacket d = new DatagramPacket(b, b.length);
                try {
                    echo.receive(d);
                    echo.send(new DatagramPacket(d.getData(), d.getLength(), d.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }, "udp-echo");
        t.setDaemon(true);
        t.start();
        try (echo; PortProxy.Port p = open("udp", null, 0, new InetSocketAddress("127.0.0.1", echo.getLocalPort()));
             DatagramSocket a = host.call(DatagramSocket::new); DatagramSocket b = host.call(DatagramSocket::new)) {
            assertEquals("one", exchange(a, "::1", p.port(), "one"));
            assertEquals("two", exchange(b, "::1", p.port(), "two"), "a second client has its own flow");
            assertEquals("three", exchange(a, "::1", p.port(), "three"), "the first flow goes on");
            assertNull(exchange(a, "127.0.0.1", p.port(), "v4"), "IPv4 is dropped, not relayed");
            assertThrows(RuntimeException.class, () -> host.listenUdp("::1", p.port()), "the port is held");
        }
    }

    @Test
    void udpFlowsAreBoundedAndTheLeastRecentlyUsedGivesWay() throws Exception {
        try (UdpListener target = host.listenUdp("127.0.0.1", 0);
             PortProxy.Port p = open("udp", null, 0, new InetSocketAddress("127.0.0.1", target.port()));
             DatagramSocket first = host.call(DatagramSocket::new)) {
            send(first, p.port(), "first");
            int flowPort = target.awaitDatagram(Duration.ofSeconds(2)).sourcePort();
            send(first, p.port(), "again");
            assertEquals(flowPort, target.awaitDatagram(Duration.ofSeconds(2)).sourcePort(), "one client, one flow");
            // other clients, held open so each has its own address; the last one evicts the first client's flow
            List<DatagramSocket> others = new ArrayList<>();
            try {
                for (int i = 0; i < UdpRelay.MAX_FLOWS; i++) {
                    DatagramSocket other = host.call(DatagramSocket::new);
                    others.add(other);
                    send(other, p.port(), "other " + i);
                    assertEquals("other " + i, target.awaitDatagram(Duration.ofSeconds(2)).payload());
                }
                List<Datagram> seen = target.datagrams();
                int youngest = seen.get(seen.size() - 1).sourcePort();
                send(others.get(others.size() - 1), p.port(), "still");
                assertEquals(youngest, target.awaitDatagram(Duration.ofSeconds(2)).sourcePort(), "the youngest flow goes on");
                send(first, p.port(), "evicted");
                Datagram d = target.awaitDatagram(Duration.ofSeconds(2));
                assertEquals("evicted", d.payload());
                assertNotEquals(flowPort, d.sourcePort(), "a new flow after eviction");
            } finally {
                others.forEach(DatagramSocket::close);
            }
        }
    }

    @Test
    void aPortWithoutATargetResetsItsClientsAndRetargetingEndsTheFlowsToTheOldTarget() throws Exception {
        try (TcpListener first = host.listenTcp(0); TcpListener second = host.listenTcp(0);
             PortProxy.Port p = proxy.open("tcp", null, 0)) {
            String before = outcome("::1", p.port());
            assertTrue(before.equals("reset") || before.equals("end"), "not served before it has a target: " + before);
            assertNull(first.awaitConnection(SHORT), "nothing relayed without a target");

            p.relayTo(new InetSocketAddress("127.0.0.1", first.port()));
            TcpConnection c = host.connectTcp("::1", p.port());
            assertEquals(host.name(), c.readLine(), "relayed once it has a target");
            p.relayTo(new InetSocketAddress("127.0.0.1", first.port()));
            c.writeLine("same");
            assertEquals("same", c.readLine(), "the same target again leaves the flow alone");

            p.relayTo(new InetSocketAddress("127.0.0.1", second.port()));
            assertThrows(RuntimeException.class, c::readLine, "a flow to the old target ends");
            try (TcpConnection c2 = host.connectTcp("::1", p.port())) {
                assertEquals(host.name(), c2.readLine());
                assertEquals("127.0.0.1", second.awaitConnection(Duration.ofSeconds(2)), "new clients go to the new target");
                p.relayTo(null);
                assertThrows(RuntimeException.class, c2::readLine, "unmapped: its flows end");
            }
            String after = outcome("::1", p.port());
            assertTrue(after.equals("reset") || after.equals("end"), "an IPv6 client of an unmapped port is not served: " + after);
            assertNull(second.awaitConnection(SHORT), "nothing relayed once unmapped");
            assertThrows(RuntimeException.class, () -> host.listenTcp(p.port()), "the port stays held");
        }
    }

    @Test
    void closeStopsTheThreadAndALaterOpenStartsItAgain() throws Exception {
        try (TcpListener target = host.listenTcp(0)) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", target.port());
            PortProxy.Port p = open("tcp", null, 0, to);
            assertEquals(1, proxyThreads());
            proxy.close();
            assertEquals(0, proxyThreads());
            assertFalse(host.canConnectTcp("::1", p.port(), SHORT), "its ports went with it");
            p.close(); // harmless afterwards
            try (PortProxy.Port again = open("tcp", null, 0, to); TcpConnection c = host.connectTcp("::1", again.port())) {
                assertEquals(host.name(), c.readLine());
            }
        }
    }

    /** A port of the proxy relayed to {@code target}. */
    private PortProxy.Port open(String protocol, java.net.InetAddress address, int port, InetSocketAddress target)
            throws IOException {
        PortProxy.Port p = proxy.open(protocol, address, port);
        p.relayTo(target);
        return p;
    }

    /** A java.net.Socket makes its socket at connect time: connect inside the namespace. */
    private Socket connect(int port) {
        return host.call(() -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("::1", port), 2000);
            return s;
        });
    }

    private static long proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("weft-port-proxy") && t.isAlive()).count();
    }

    /** "reset", "end" (orderly end of stream) or "data" for an IPv4 client of the port. */
    private String ipv4Outcome(int port) {
        return outcome("127.0.0.1", port);
    }

    /** "reset", "end" (orderly end of stream) or "data" for a client of the port at {@code address}. */
    private String outcome(String address, int port) {
        return host.call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 2000);
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                return in.read() < 0 ? "end" : "data";
            } catch (SocketException e) {
                return "reset"; // connect refused or reset after the handshake
            }
        });
    }

    private static void send(DatagramSocket s, int port, String payload) throws IOException {
        byte[] out = payload.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(out, out.length, new InetSocketAddress("::1", port)));
    }

    /** Sends one datagram and returns the reply, or null when none comes back in time. */
    private static String exchange(DatagramSocket s, String address, int port, String payload) throws IOException {
        return UdpExchange.exchange(s, address, port, payload, SHORT);
    }
}
