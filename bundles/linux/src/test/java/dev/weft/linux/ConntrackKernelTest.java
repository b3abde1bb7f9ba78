package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.internal.CtnetlinkCodec;
import dev.weft.linux.internal.NamespaceRunner;
import dev.weft.linux.internal.Netlink;
import dev.weft.linux.internal.NetlinkSocket;
import dev.weft.linux.internal.NlMessage;
import dev.weft.linux.internal.NlMessageBuilder;
import dev.weft.net.NetNamespace;
import dev.weft.testkit.Datagram;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import dev.weft.testkit.UdpListener;
import dev.weft.testkit.UdpSender;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conntrack in a throwaway host namespace: a UDP flow DNATed to sandbox A keeps going to A after
 * the DNAT points at B, until its entry is deleted. Everything is made inside a {@link TestHost}.
 */
@ExtendWith(KernelTest.class)
class ConntrackKernelTest {
    private static final Duration ARRIVES = Duration.ofSeconds(3);
    private static final Duration STAYS_AWAY = Duration.ofMillis(700);
    /**
     * The map is the published-port binding. The forward chain's ct rule makes the kernel track
     * IPv6 too: an IPv4-only dnat rule in an inet nat chain registers IPv4 conntrack only.
     */
    private static final String RULESET = """
            table inet wtct {
                map udpfwd {
                    type inet_service : ipv4_addr
                    elements = { 5353 : 10.1.0.2 }
                }
                chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                    meta nfproto ipv4 dnat ip to udp dport map @udpfwd
                }
                chain forward {
                    type filter hook forward priority filter; policy accept;
                    ct state established,related accept
                }
            }
            """;

    private final NamespaceRunner runner = new NamespaceRunner();
    private TestHost host;
    private Conntrack conntrack;

    @BeforeEach
    void world() throws IOException {
        host = TestHost.create();
        host.sysctl("net.ipv4.ip_forward", "1");
        host.sysctl("net.ipv6.conf.all.forwarding", "1");
        Path script = Files.createTempFile("wtct-", ".nft");
        try {
            Files.writeString(script, RULESET);
            host.exec("nft", "-f", script.toString());
        } finally {
            Files.delete(script);
        }
        conntrack = new Conntrack(NetNamespace.at(host.name(), host.path()), runner);
    }

    @AfterEach
    void cleanUp() {
        try {
            if (conntrack != null) {
                conntrack.close();
            }
        } finally {
            try {
                host.close();
            } finally {
                runner.close();
            }
        }
    }

    @Test
    void deletedUdpEntryLetsTheNextDatagramFollowTheNewDnat() throws Exception {
        TestSandbox a = host.sandbox("a");
        TestSandbox b = host.sandbox("b");
        host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24").attach(b, "10.1.0.3/24");
        TestSandbox client = client();
        UdpListener atA = a.listenUdp(5353);
        UdpListener atB = b.listenUdp(5353);
        UdpSender sender = client.udpSender(40000);

        sender.send("192.168.7.1", 5353, "one");
        assertEquals(new Datagram("one", "192.168.7.2", 40000), atA.awaitDatagram(ARRIVES));

        ConntrackEntry entry = only(conntrack.list(), e -> e.protocol() == 17 && e.original().destinationPort() == 5353);
        assertEquals(ConntrackEntry.AF_INET, entry.family());
        assertEquals(ConntrackTuple.of(ip("192.168.7.2"), 40000, ip("192.168.7.1"), 5353), entry.original());
        assertEquals(ConntrackTuple.of(ip("10.1.0.2"), 5353, ip("192.168.7.2"), 40000), entry.reply());
        assertTrue(entry.isDestinationNat(), entry + " status 0x" + Integer.toHexString(entry.status()));
        assertEquals(0, entry.zone());
        assertEquals("udp 192.168.7.2:40000 -> 192.168.7.1:5353 [reply 10.1.0.2:5353 -> 192.168.7.2:40000]",
                entry.toString());

        host.exec("nft", "flush map inet wtct udpfwd; add element inet wtct udpfwd { 5353 : 10.1.0.3 }");
        sender.send("192.168.7.1", 5353, "two");
        assertEquals("two", payload(atA.awaitDatagram(ARRIVES)), "without deleting the entry the flow stays on A");
        assertNull(atB.awaitDatagram(STAYS_AWAY), "B must not see the old flow yet");

        assertEquals(0, conntrack.delete(ConntrackFilter.publishedPort(17, 5354)), "a filter matching nothing");
        assertEquals(0, conntrack.delete(ConntrackFilter.address(ip("10.9.9.9"))), "a filter matching nothing");
        assertEquals(1, conntrack.delete(ConntrackFilter.publishedPort(17, 5353)));
        assertTrue(conntrack.list(ConntrackFilter.publishedPort(17, 5353)).isEmpty(), "entry still listed");

        sender.send("192.168.7.1", 5353, "three");
        assertEquals(new Datagram("three", "192.168.7.2", 40000), atB.awaitDatagram(ARRIVES));
        assertNull(atA.awaitDatagram(STAYS_AWAY), "A must not see the flow after the delete");
        ConntrackEntry renewed = only(conntrack.list(), e -> e.original().destinationPort() == 5353);
        assertEquals(ip("10.1.0.3"), renewed.reply().source());
    }

    @Test
    void anEntryThatVanishedMeanwhileIsNoError() {
        TestSandbox a = host.sandbox("a");
        host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24");
        TestSandbox client = client();
        UdpListener atA = a.listenUdp(5353);
        client.udpSender(40004).send("192.168.7.1", 5353, "hello");
        assertNotNull(atA.awaitDatagram(ARRIVES));
        ConntrackEntry entry = only(conntrack.list(), e -> e.original().sourcePort() == 40004);
        // Both deletes go out in one sendto; the kernel answers the second with ENOENT.
        assertEquals(1, conntrack.delete(List.of(entry, entry), "the same entry twice"));
        assertTrue(conntrack.list().stream().noneMatch(e -> e.original().sourcePort() == 40004));
        assertEquals(0, conntrack.delete(List.of(entry), "an entry already deleted"));
    }

    @Test
    void hostNamespaceEntriesAreSeparateFromTheMachines() {
        TestSandbox a = host.sandbox("a");
        host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24");
        TestSandbox client = client();
        UdpListener atA = a.listenUdp(5353);
        client.udpSender(40001).send("192.168.7.1", 5353, "hello");
        assertNotNull(atA.awaitDatagram(ARRIVES));
        Predicate<ConntrackEntry> ours = e -> e.original().sourcePort() == 40001 && e.original().destinationPort() == 5353
                && e.original().source().equals(ip("192.168.7.2"));
        assertEquals(1, conntrack.list().stream().filter(ours).count());
        // Read only: the machine's table is never changed by a test.
        try (Conntrack machine = new Conntrack(NetNamespace.at(null, Path.of("/proc/self/ns/net")), runner)) {
            assertFalse(machine.list().stream().anyMatch(ours), "the TestHost's flow shows up in the machine's table");
        }
    }

    @Test
    void kernelFilterNarrowsTheDump() throws Exception {
        TestSandbox a = host.sandbox("a");
        host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24");
        TestSandbox client = client();
        UdpListener atA = a.listenUdp(5353);
        client.udpSender(40002).send("192.168.7.1", 5353, "published");
        assertNotNull(atA.awaitDatagram(ARRIVES));
        client.udpSender(40003).send("192.168.7.1", 5354, "unpublished"); // tracked too, no listener needed

        List<ConntrackEntry> all = rawDump(null);
        assertTrue(all.stream().anyMatch(e -> e.original().destinationPort() == 5354), "unfiltered: " + all);
        List<ConntrackEntry> filtered = rawDump(ConntrackFilter.publishedPort(17, 5353));
        assertEquals(1, filtered.size(), "kernel-filtered: " + filtered);
        assertEquals(5353, filtered.get(0).original().destinationPort());
        List<ConntrackEntry> byReply = rawDump(ConntrackFilter.replySource(17, ip("10.1.0.2"), 5353));
        assertEquals(filtered, byReply);
        assertEquals(filtered, conntrack.list(ConntrackFilter.replySource(17, ip("10.1.0.2"), 5353)));
    }

    @Test
    void manyFiltersAreDeletedTogetherAndOnlyWhatTheyMatch() {
        TestSandbox a = host.sandbox("a");
        host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24");
        TestSandbox client = client();
        for (int port = 5361; port <= 5364; port++) { // tracked on the way in, no listener needed
            client.udpSender(40100 + port - 5361).send("192.168.7.1", port, "x");
        }
        Predicate<ConntrackEntry> toPort5364 = e -> e.original().destinationPort() == 5364;
        Predicate<ConntrackEntry> ours = e -> e.original().destinationPort() >= 5361 && e.original().destinationPort() <= 5364;
        assertEquals(4, conntrack.list().stream().filter(ours).count(), conntrack.list().toString());

        // from COALESCE_FROM filters on: one walk of the table per family, matched in Java
        List<ConntrackFilter> filters = List.of(ConntrackFilter.publishedPort(17, 5361),
                ConntrackFilter.publishedPort(17, 5362), ConntrackFilter.publishedPort(17, 5363),
                ConntrackFilter.address(ip("10.1.0.99")), ConntrackFilter.publishedPort(17, 5361));
        assertTrue(filters.size() >= Conntrack.COALESCE_FROM);
        assertEquals(3, conntrack.delete(filters));
        List<ConntrackEntry> left = conntrack.list().stream().filter(ours).toList();
        assertEquals(1, left.size(), left.toString());
        assertTrue(toPort5364.test(left.get(0)), left.toString());
        assertEquals(0, conntrack.delete(filters), "deleted already");
        assertThrows(IllegalArgumentException.class, () -> conntrack.delete(List.of(ConntrackFilter.publishedPort(17, 5364),
                ConntrackFilter.builder().protocol(17).build(), ConntrackFilter.publishedPort(17, 5361))));
        assertEquals(1, conntrack.list().stream().filter(ours).count(), "a refused call deleted something");
    }

    @Test
    void addressFilterDeletesAnIpv6TcpFlowOfAnEndpoint() {
        TestSandbox a = host.sandbox("a");
        host.bridge("br0", "10.1.0.1/24", "fd00:1::1/64").attach(a, "10.1.0.2/24", "fd00:1::2/64");
        TestSandbox client = client();
        client.ip("route", "add", "fd00:1::/64", "via", "fd00:7::1");
        try (TcpListener listener = a.listenTcp(8080)) {
            // The first IPv6 connect through the host can take ~2 s (neighbour discovery): wait for it.
            assertTrue(client.canConnectTcp("fd00:1::2", 8080, Duration.ofSeconds(10)), "no IPv6 path to A");
            TcpConnection connection = client.connectTcp("fd00:1::2", 8080);
            assertEquals("fd00:7::2", connection.peerSeenBy(listener));
            ConntrackFilter endpoint = ConntrackFilter.address(ip("fd00:1::2"));
            List<ConntrackEntry> before = conntrack.list(endpoint);
            ConntrackEntry entry = only(before, e -> e.original().sourcePort() == connection.localPort());
            assertEquals(ConntrackEntry.AF_INET6, entry.family());
            assertEquals(6, entry.protocol());
            assertEquals(ConntrackTuple.of(ip("fd00:7::2"), connection.localPort(), ip("fd00:1::2"), 8080),
                    entry.original());
            assertEquals(ConntrackTuple.of(ip("fd00:1::2"), 8080, ip("fd00:7::2"), connection.localPort()),
                    entry.reply());
            assertEquals("tcp [fd00:7::2]:" + connection.localPort() + " -> [fd00:1::2]:8080 [reply [fd00:1::2]:8080"
                    + " -> [fd00:7::2]:" + connection.localPort() + "]", entry.toString());

            assertEquals(0, conntrack.delete(ConntrackFilter.builder().family(ConntrackEntry.AF_INET)
                    .originalDestinationPort(8080).build()), "the IPv4 family has no such flow");
            assertEquals(before.size(), conntrack.delete(endpoint)); // the warm-up connection's entry too
            assertTrue(conntrack.list(endpoint).isEmpty());
        }
    }

    /** Another machine on the host's LAN: 192.168.7.2 and fd00:7::2, the host being .1 and ::1. */
    private TestSandbox client() {
        TestSandbox client = host.sandbox("c");
        host.link("vc", "192.168.7.1/24", client, "eth0", "192.168.7.2/24");
        host.addAddress("vc", "fd00:7::1/64");
        client.addAddress("eth0", "fd00:7::2/64");
        return client;
    }

    /** A dump through the codec alone, so the kernel's filtering is seen without the Java match. */
    private List<ConntrackEntry> rawDump(ConntrackFilter filter) {
        NetNamespace ns = NetNamespace.at(host.name(), host.path());
        try (NetlinkSocket socket = runner.call(ns, () -> NetlinkSocket.open(Netlink.NETLINK_NETFILTER))) {
            NlMessageBuilder b = new NlMessageBuilder();
            CtnetlinkCodec.dumpRequest(b, ConntrackEntry.AF_INET, filter);
            var replies = socket.exchange(b, "dump", "test");
            replies.throwIfFailed("dump", "test");
            List<ConntrackEntry> out = new ArrayList<>();
            for (NlMessage m : replies.messages(b.messages().get(0).seq())) {
                out.add(CtnetlinkCodec.decode(m));
            }
            return out;
        }
    }

    private static ConntrackEntry only(List<ConntrackEntry> entries, Predicate<ConntrackEntry> which) {
        List<ConntrackEntry> found = entries.stream().filter(which).toList();
        assertEquals(1, found.size(), "expected one such entry in " + entries);
        return found.get(0);
    }

    private static String payload(Datagram d) {
        return d == null ? null : d.payload();
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
