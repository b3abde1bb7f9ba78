package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.internal.NamespaceRunner;
import dev.weft.net.NetNamespace;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * nf_tables against the kernel (root): each test builds its world in a throwaway host namespace
 * and proves behaviour with real connections. Closing the {@link TestHost} removes the namespace
 * and with it the tables; the Nftables socket is closed before that.
 */
@ExtendWith(KernelTest.class)
class NftablesKernelTest {
    static final Duration SHORT = Duration.ofSeconds(1);
    static final String TABLE = "weft_t";
    static final SetRef PUB_ANY = SetRef.of(NftFamily.INET, TABLE, "pub_any");

    /** Published ports (prerouting and, for the host itself, output) through the pub_any map. */
    static final String PUBLISH = """
            table inet weft_t {
              map pub_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
              chain nat_pre {
                type nat hook prerouting priority dstnat; policy accept;
                fib daddr type local meta nfproto ipv4 meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @pub_any
              }
              chain nat_out {
                type nat hook output priority -100; policy accept;
                fib daddr type local meta nfproto ipv4 meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @pub_any
              }
            }
            """;

    static NamespaceRunner runner;

    @BeforeAll
    static void startRunner() {
        runner = new NamespaceRunner();
    }

    @AfterAll
    static void closeRunner() {
        if (runner != null) {
            runner.close();
        }
    }

    static Nftables nftables(TestHost host) {
        return new Nftables(NetNamespace.at(host.name(), host.path()), runner, "nft");
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static SetKey tcp(int port) {
        return SetKey.of().tcp().port(port);
    }

    static SetKey to(String address, int port) {
        return SetKey.of().address(ip(address)).port(port);
    }

    @Test
    void publishedPortFollowsTheMapElement() {
        try (TestHost host = TestHost.create(); Nftables nft = nftables(host)) {
            TestSandbox web = host.sandbox("web");
            host.bridge("br0", "10.1.0.1/24").attach(web, "10.1.0.2/24");
            TestSandbox client = host.outside("client", "192.168.77.1/24", "192.168.77.2/24");
            host.sysctl("net.ipv4.ip_forward", "1");
            nft.apply(PUBLISH);
            assertTrue(host.exec("nft", "list", "table", "inet", TABLE).contains("map pub_any"), "applied inside the host");
            try (TcpListener listener = web.listenTcp(80)) {
                assertFalse(client.canConnectTcp("192.168.77.1", 8080, SHORT), "nothing published yet");

                nft.elements().add(PUB_ANY, tcp(8080), to("10.1.0.2", 80)).commit();
                try (TcpConnection c = client.connectTcp("192.168.77.1", 8080)) {
                    assertEquals(web.name(), c.readLine());
                    assertEquals("192.168.77.2", c.peerSeenBy(listener));
                }
                try (TcpConnection c = host.connectTcp("192.168.77.1", 8080)) {
                    assertEquals(web.name(), c.readLine(), "the host itself reaches it through the output chain");
                }

                nft.elements().delete(PUB_ANY, tcp(8080)).commit();
                assertFalse(client.canConnectTcp("192.168.77.1", 8080, SHORT), "unpublished again");
            }
        }
    }

    @Test
    void masqueradeHidesTheSandboxAddress() {
        try (TestHost host = TestHost.create(); Nftables nft = nftables(host)) {
            TestSandbox box = host.sandbox("box");
            host.bridge("br0", "10.1.0.1/24").attach(box, "10.1.0.2/24");
            TestSandbox client = host.outside("client", "192.168.77.1/24", "192.168.77.2/24");
            host.sysctl("net.ipv4.ip_forward", "1");
            try (TcpListener listener = client.listenTcp(9000)) {
                // the client has no route back to 10.1.0.0/24: without masquerade nothing connects
                assertFalse(box.canConnectTcp("192.168.77.2", 9000, SHORT));
                nft.apply("""
                        table inet weft_t {
                          chain nat_post {
                            type nat hook postrouting priority srcnat; policy accept;
                            ip saddr 10.1.0.0/24 oifname != "br0" masquerade
                          }
                        }
                        """);
                try (TcpConnection c = box.connectTcp("192.168.77.2", 9000)) {
                    assertEquals(client.name(), c.readLine());
                    assertEquals("192.168.77.1", c.peerSeenBy(listener));
                }
            }
        }
    }

    @Test
    void readReturnsChainsSetsAndElements() {
        try (TestHost host = TestHost.create(); Nftables nft = nftables(host)) {
            assertFalse(nft.exists(NftFamily.INET, TABLE));
            assertEquals(Optional.empty(), nft.read(NftFamily.INET, TABLE));
            nft.apply(PUBLISH + """
                    table inet weft_t {
                      set icc_off_ports { type ifname; }
                      chain publish { }
                    }
                    """);
            assertTrue(nft.exists(NftFamily.INET, TABLE));
            assertFalse(nft.exists(NftFamily.IPV4, TABLE), "another family, another table");
            nft.elements().add(PUB_ANY, tcp(8080), to("10.1.0.2", 80))
                    .add(SetRef.of(NftFamily.INET, TABLE, "icc_off_ports"), SetKey.of().ifname("veth1a2b3c"))
                    .commit();

            NftTable table = nft.read(NftFamily.INET, TABLE).orElseThrow();
            assertEquals(TABLE, table.name());
            assertEquals(NftFamily.INET, table.family());
            assertEquals(Optional.of(new NftChain.Hook("nat", "prerouting", -100, "accept")),
                    table.chain("nat_pre").orElseThrow().hook());
            assertEquals(Optional.of(new NftChain.Hook("nat", "output", -100, "accept")),
                    table.chain("nat_out").orElseThrow().hook());
            assertFalse(table.chain("publish").orElseThrow().isBaseChain());
            NftSet pubAny = table.set("pub_any").orElseThrow();
            assertTrue(pubAny.isMap());
            assertEquals(8, pubAny.keyLength());
            assertEquals(8, pubAny.dataLength());
            assertEquals(List.of(NftElement.of(tcp(8080), to("10.1.0.2", 80))), pubAny.elements());
            NftSet icc = table.set("icc_off_ports").orElseThrow();
            assertFalse(icc.isMap());
            assertEquals(16, icc.keyLength());
            assertEquals(List.of(NftElement.of(SetKey.of().ifname("veth1a2b3c"))), icc.elements());

            nft.elements().replace(PUB_ANY, tcp(8080), to("10.1.0.9", 8080)).commit();
            assertEquals(List.of(NftElement.of(tcp(8080), to("10.1.0.9", 8080))),
                    nft.read(NftFamily.INET, TABLE).orElseThrow().set("pub_any").orElseThrow().elements());
            assertTrue(host.exec("nft", "list", "map", "inet", TABLE, "pub_any").contains("tcp . 8080 : 10.1.0.9 . 8080"));

            nft.deleteTable(NftFamily.INET, TABLE);
            assertFalse(nft.exists(NftFamily.INET, TABLE));
            nft.deleteTable(NftFamily.INET, TABLE); // a missing table is no error
        }
    }

    @Test
    void encodingsMatchWhatNftPrints() {
        try (TestHost host = TestHost.create(); Nftables nft = nftables(host)) {
            nft.apply("""
                    table inet weft_t {
                      map pub_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
                      map pub6_any { type inet_proto . inet_service : ipv6_addr . inet_service; }
                      set icc_off_ports { type ifname; }
                      set marks { type mark; }
                    }
                    """);
            nft.elements()
                    .add(SetRef.of(NftFamily.INET, TABLE, "pub_addr"),
                            SetKey.of().address(ip("127.0.0.1")).udp().port(18081), to("10.1.0.2", 53))
                    .add(SetRef.of(NftFamily.INET, TABLE, "pub6_any"), SetKey.of().sctp().port(8443), to("fd00:1::2", 443))
                    .add(SetRef.of(NftFamily.INET, TABLE, "icc_off_ports"), SetKey.of().ifname("abcdefghijklmno"))
                    .add(SetRef.of(NftFamily.INET, TABLE, "marks"), SetKey.of().mark(0x00770000))
                    .commit();
            String listed = host.exec("nft", "list", "table", "inet", TABLE);
            assertTrue(listed.contains("127.0.0.1 . udp . 18081 : 10.1.0.2 . 53"), listed);
            assertTrue(listed.contains("sctp . 8443 : fd00:1::2 . 443"), listed);
            assertTrue(listed.contains("\"abcdefghijklmno\""), listed);
            assertTrue(listed.contains("0x00770000"), listed);
        }
    }

    @Test
    void largeBatchesAreSplitAndStillAtomic() {
        try (TestHost host = TestHost.create(); Nftables nft = nftables(host)) {
            nft.apply(PUBLISH);
            ElementBatch add = nft.elements();
            for (int port = 1; port <= 5000; port++) {
                add.add(PUB_ANY, tcp(port), to("10.1.0.2", port));
            }
            add.commit();
            assertEquals(5000, elements(nft).size());
            ElementBatch failing = nft.elements();
            for (int port = 1; port <= 5000; port++) {
                failing.delete(PUB_ANY, tcp(port));
            }
            failing.delete(PUB_ANY, tcp(5001)); // absent: the whole batch is refused
            NftElementException e = assertThrows(NftElementException.class, failing::commit);
            assertEquals("cannot delete element tcp . 5001 from set inet weft_t pub_any: ENOENT (No such file or directory)",
                    e.getMessage());
            assertEquals(5000, elements(nft).size());
            ElementBatch destroy = nft.elements();
            for (int port = 1; port <= 5001; port++) {
                destroy.destroy(PUB_ANY, tcp(port));
            }
            destroy.commit();
            assertEquals(0, elements(nft).size());
        }
    }

    @Test
    void refusedScriptChangesNothing() {
        try (TestHost host = TestHost.create(); Nftables nft = nftables(host)) {
            nft.apply(PUBLISH);
            nft.elements().add(PUB_ANY, tcp(8080), to("10.1.0.2", 80)).commit();
            NftTable before = nft.read(NftFamily.INET, TABLE).orElseThrow();
            NftScriptException e = assertThrows(NftScriptException.class, () -> nft.apply("""
                    add map inet weft_t other { type inet_proto . inet_service : ipv4_addr . inet_service; }
                    flush map inet weft_t pub_any
                    add rule inet weft_t nat_pre dnat ip to meta l4proto . th dport map @nope
                    """));
            assertTrue(e.getMessage().startsWith("cannot apply nftables script: /dev/stdin:3:"), e.getMessage());
            assertTrue(e.getMessage().contains("add rule inet weft_t nat_pre dnat ip to meta l4proto . th dport map @nope"),
                    e.getMessage());
            assertEquals(before, nft.read(NftFamily.INET, TABLE).orElseThrow());
        }
    }

    @Test
    void refusedElementBatchChangesNothing() {
        try (TestHost host = TestHost.create(); Nftables nft = nftables(host)) {
            nft.apply(PUBLISH);
            nft.elements().add(PUB_ANY, tcp(8080), to("10.1.0.2", 80)).commit();
            NftTable before = nft.read(NftFamily.INET, TABLE).orElseThrow();

            NftElementException noSet = assertThrows(NftElementException.class, () -> nft.elements()
                    .add(PUB_ANY, tcp(8081), to("10.1.0.2", 81))
                    .add(SetRef.of(NftFamily.INET, TABLE, "nope"), tcp(1), to("10.1.0.2", 1))
                    .commit());
            assertEquals("cannot add element tcp . 1 : 10.1.0.2 . 1 to map inet weft_t nope: ENOENT (No such file or "
                    + "directory): no set \"inet weft_t nope\"", noSet.getMessage());
            assertTrue(noSet.isNotFound());

            NftElementException noTable = assertThrows(NftElementException.class, () -> nft.elements()
                    .add(SetRef.of(NftFamily.IPV4, TABLE, "pub_any"), tcp(1), to("10.1.0.2", 1)).commit());
            assertEquals("cannot add element tcp . 1 : 10.1.0.2 . 1 to map ip weft_t pub_any: ENOENT (No such file or "
                    + "directory): no table \"ip weft_t\"", noTable.getMessage());

            NftElementException exists = assertThrows(NftElementException.class, () -> nft.elements()
                    .add(PUB_ANY, tcp(8082), to("10.1.0.2", 82))
                    .add(PUB_ANY, tcp(8080), to("10.1.0.3", 80))
                    .commit());
            assertEquals("cannot add element tcp . 8080 : 10.1.0.3 . 80 to map inet weft_t pub_any: EEXIST (File exists)",
                    exists.getMessage());

            NftElementException badLength = assertThrows(NftElementException.class, () -> nft.elements()
                    .add(PUB_ANY, SetKey.of().tcp(), to("10.1.0.2", 80)).commit());
            assertEquals("cannot add element tcp : 10.1.0.2 . 80 to map inet weft_t pub_any: EINVAL (Invalid argument): "
                    + "the key has 4 bytes and the data 8; they must match the set's key and data lengths and types",
                    badLength.getMessage());

            assertEquals(before, nft.read(NftFamily.INET, TABLE).orElseThrow(), "no batch applied anything");
            nft.elements().destroy(PUB_ANY, tcp(9999)).commit(); // destroying an absent element is fine
        }
    }

    @Test
    void missingNftIsNamed() {
        try (TestHost host = TestHost.create(); Nftables nft = new Nftables(NetNamespace.at(host.name(), host.path()),
                runner, "/nonexistent/nft")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> nft.apply("table inet x {}"));
            assertEquals("nft not found: install the Debian package nftables", e.getMessage());
        }
    }

    @Test
    void timeOneElementBatches() {
        try (TestHost host = TestHost.create(); Nftables nft = nftables(host)) {
            nft.apply(PUBLISH);
            SetKey data = to("10.1.0.2", 80);
            int warmup = 100, n = 1000;
            long[] add = new long[n];
            long[] delete = new long[n];
            for (int i = -warmup; i < n; i++) {
                SetKey key = tcp(10000 + (i & 1023));
                long t0 = System.nanoTime();
                nft.elements().add(PUB_ANY, key, data).commit();
                long t1 = System.nanoTime();
                nft.elements().delete(PUB_ANY, key).commit();
                long t2 = System.nanoTime();
                if (i >= 0) {
                    add[i] = t1 - t0;
                    delete[i] = t2 - t1;
                }
            }
            java.util.Arrays.sort(add);
            java.util.Arrays.sort(delete);
            System.out.printf("nftables one-element batch over %d runs: add median %.1f us (p99 %.1f us), "
                            + "delete median %.1f us (p99 %.1f us)%n", n, add[n / 2] / 1e3, add[n * 99 / 100] / 1e3,
                    delete[n / 2] / 1e3, delete[n * 99 / 100] / 1e3);
        }
    }

    private static List<NftElement> elements(Nftables nft) {
        return nft.read(NftFamily.INET, TABLE).orElseThrow().set("pub_any").orElseThrow().elements();
    }
}
