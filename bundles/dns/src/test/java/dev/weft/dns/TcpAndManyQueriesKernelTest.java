package dev.weft.dns;

import static dev.weft.dns.DnsFixture.question;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TestSandbox;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Several queries on one TCP connection, the idle close; local and forwarded latency measured from a sandbox. */
@ExtendWith(KernelTest.class)
class TcpAndManyQueriesKernelTest {

    @Test
    void severalQueriesOnOneTcpConnectionThenTheIdleConnectionIsClosed() throws Exception {
        try (DnsFixture f = new DnsFixture(new DnsConfig(400, 16, 300, 4))) {
            f.network("red", "10.63.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            TestSandbox b = f.sandbox("b", "red");
            String gw = f.gateway("red");
            int[] rcodes = a.call(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(gw, 53), 1000);
                    s.setSoTimeout(2000);
                    OutputStream out = s.getOutputStream();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    int[] r = new int[4];
                    String[] names = {b.name(), "nosuch", a.name(), b.name() + ".red"};
                    for (int i = 0; i < names.length; i++) {
                        byte[] q = question(names[i], Type.A).toWire();
                        out.write(new byte[] {(byte) (q.length >> 8), (byte) q.length});
                        out.write(q);
                        out.flush();
                        byte[] answer = new byte[in.readUnsignedShort()];
                        in.readFully(answer);
                        r[i] = new Message(answer).getRcode();
                    }
                    Thread.sleep(600); // longer than the idle time
                    return new int[] {r[0], r[1], r[2], r[3], in.read()};
                }
            });
            assertEquals(Rcode.NOERROR, rcodes[0]);
            assertEquals(Rcode.NXDOMAIN, rcodes[1]);
            assertEquals(Rcode.NOERROR, rcodes[2]);
            assertEquals(Rcode.NOERROR, rcodes[3]);
            assertEquals(-1, rcodes[4], "the idle connection was closed by the server");
        }
    }

    /**
     * Many sequential queries from one sandbox, a local name and a forwarded one (upstream
     * stand-in on the host's loopback), each answered with the right address: none lost, none
     * mixed up. Timings are bench/run-dns.sh's (tests assert none).
     */
    @Test
    void manySequentialLocalAndForwardedQueriesAreEachAnswered() throws Exception {
        try (DnsFixture f = new DnsFixture(DnsConfig.defaults());
             Upstream up = new Upstream(f.host, "127.0.0.53", "198.51.100.7")) {
            f.network("red", "10.64.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            TestSandbox b = f.sandbox("b", "red");
            String gw = f.gateway("red");
            assertEquals(300, answered(a, gw, b.name(), "10.64.0.3", 300), "local answers");
            assertEquals(300, answered(a, gw, "example.org", "198.51.100.7", 300), "forwarded answers");
        }
    }

    /** How many of {@code n} sequential UDP queries for {@code name} were answered with {@code address}. */
    private static int answered(TestSandbox from, String server, String name, String address, int n) {
        return from.call(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(2000);
                s.connect(new InetSocketAddress(server, 53));
                int ok = 0;
                byte[] buf = new byte[4096];
                for (int i = 0; i < n; i++) {
                    Message q = question(name, Type.A);
                    byte[] wire = q.toWire();
                    s.send(new DatagramPacket(wire, wire.length));
                    DatagramPacket in = new DatagramPacket(buf, buf.length);
                    s.receive(in);
                    Message r = new Message(Arrays.copyOf(buf, in.getLength()));
                    if (r.getHeader().getID() == q.getHeader().getID() && r.getRcode() == Rcode.NOERROR
                            && r.getSection(org.xbill.DNS.Section.ANSWER).stream()
                            .anyMatch(rr -> rr.rdataToString().equals(address))) {
                        ok++;
                    }
                }
                return ok;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
