package dev.weft.dns;

import static dev.weft.dns.DnsFixture.question;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Several queries on one TCP connection, the idle close; local and forwarded latency measured from a sandbox. */
@ExtendWith(KernelTest.class)
class TcpAndLatencyKernelTest {

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
     * Sequential queries from one sandbox: a local name and a forwarded one (upstream stand-in on
     * the host's loopback). Prints p50/p99 and queries per second; asserts only loose bounds (a
     * shared 2-core VM), the figures are for bench/README.
     */
    @Test
    void localAndForwardedLatency() throws Exception {
        try (DnsFixture f = new DnsFixture(DnsConfig.defaults());
             Upstream up = new Upstream(f.host, "127.0.0.53", "198.51.100.7")) {
            f.network("red", "10.64.0.0/24");
            TestSandbox a = f.sandbox("a", "red");
            TestSandbox b = f.sandbox("b", "red");
            String gw = f.gateway("red");
            long[] local = measure(a, gw, b.name(), 4000);
            long[] forwarded = measure(a, gw, "example.org", 2000);
            System.out.printf("dns latency from a sandbox: local p50 %d us p99 %d us (%d q/s sequential);"
                            + " forwarded p50 %d us p99 %d us (%d q/s sequential)%n",
                    local[0], local[1], local[2], forwarded[0], forwarded[1], forwarded[2]);
            // the same from a client process of its own (python3, when installed)
            java.nio.file.Path script = f.dir.resolve("dnsq.py");
            try (var in = getClass().getResourceAsStream("/dnsq.py")) {
                java.nio.file.Files.copy(in, script);
            }
            if (onPath("python3")) {
                var py = a.tryExec("python3", script.toString(), gw, b.name(), "5000");
                var pyFwd = a.tryExec("python3", script.toString(), gw, "example.org", "3000");
                System.out.println("dns latency from a python3 client in a sandbox: local " + py.stdout().strip()
                        + "; forwarded " + pyFwd.stdout().strip());
                List<Process> clients = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    clients.add(a.spawn("python3", script.toString(), gw, b.name(), "5000"));
                }
                long total = 0;
                for (Process p : clients) {
                    String out = new String(p.getInputStream().readAllBytes()).strip();
                    p.waitFor();
                    total += Long.parseLong(out.replaceAll(".* (\\d+) q/s$", "$1"));
                }
                System.out.println("dns throughput, 4 python3 clients in a sandbox, local name: " + total + " q/s");
            }
            assertTrue(local[1] < 20_000, "local p99 " + local[1] + " us");
        }
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, program)));
    }

    /** p50 and p99 in microseconds, and queries per second, of {@code n} sequential UDP queries. */
    private static long[] measure(TestSandbox from, String server, String name, int n) {
        return from.call(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(2000);
                s.connect(new InetSocketAddress(server, 53));
                // one query, one packet each way, reused: the client allocates nothing per query, so
                // its own garbage does not show up as the server's latency
                byte[] wire = question(name, Type.A).toWire();
                DatagramPacket out = new DatagramPacket(wire, wire.length);
                byte[] buf = new byte[4096];
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                long[] t = new long[n];
                int warmUp = 1000;
                long start = System.nanoTime();
                for (int i = 0; i < n + warmUp; i++) {
                    long t0 = System.nanoTime();
                    s.send(out);
                    in.setLength(buf.length);
                    s.receive(in);
                    long dt = System.nanoTime() - t0;
                    if (i == warmUp - 1) {
                        start = System.nanoTime();
                    }
                    if (i >= warmUp) {
                        t[i - warmUp] = dt;
                    }
                }
                assertNotNull(new Message(Arrays.copyOf(buf, in.getLength())).getQuestion());
                long total = System.nanoTime() - start;
                Arrays.sort(t);
                return new long[] {t[n / 2] / 1000, t[n * 99 / 100] / 1000, n * 1_000_000_000L / total};
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
