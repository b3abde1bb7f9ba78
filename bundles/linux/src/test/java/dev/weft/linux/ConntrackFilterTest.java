package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.internal.NamespaceRunner;
import dev.weft.net.NetNamespace;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConntrackFilterTest {
    /** A client 192.168.7.2 reaching published port 5353 of the host 192.168.7.1, DNATed to 10.1.0.2:53. */
    private static final ConntrackEntry DNAT = udp4(
            ConntrackTuple.of(ip("192.168.7.2"), 40000, ip("192.168.7.1"), 5353),
            ConntrackTuple.of(ip("10.1.0.2"), 53, ip("192.168.7.2"), 40000));
    /** Sandbox 10.1.0.3 talking to 8.8.8.8:53, masqueraded behind 192.168.7.1. */
    private static final ConntrackEntry SNAT = udp4(
            ConntrackTuple.of(ip("10.1.0.3"), 33000, ip("8.8.8.8"), 53),
            ConntrackTuple.of(ip("8.8.8.8"), 53, ip("192.168.7.1"), 33000));
    private static final ConntrackEntry TCP6 = new ConntrackEntry(ConntrackEntry.AF_INET6, 6,
            ConntrackTuple.of(ip("fd00:7::2"), 41000, ip("fd00:1::2"), 5353),
            ConntrackTuple.of(ip("fd00:1::2"), 5353, ip("fd00:7::2"), 41000), 0, 0, 0);
    private static final ConntrackEntry PING = new ConntrackEntry(ConntrackEntry.AF_INET, 1,
            new ConntrackTuple(ip("10.1.0.2"), ip("10.1.0.3"), 0, 0, new ConntrackTuple.Icmp(8, 0, 5353)),
            new ConntrackTuple(ip("10.1.0.3"), ip("10.1.0.2"), 0, 0, new ConntrackTuple.Icmp(0, 0, 5353)), 0, 0, 0);

    @Test
    void publishedPortMatchesTheOriginalDestinationPortOfItsProtocol() {
        ConntrackFilter f = ConntrackFilter.publishedPort(17, 5353);
        assertTrue(f.matches(DNAT));
        assertFalse(f.matches(SNAT), "reply ports do not count");
        assertFalse(f.matches(TCP6), "another protocol");
        assertFalse(f.matches(PING), "an ICMP id is no port");
        assertTrue(ConntrackFilter.publishedPort(6, 5353).matches(TCP6));
        assertFalse(ConntrackFilter.publishedPort(17, 53).matches(DNAT), "53 is the reply's port, not the published one");
    }

    @Test
    void addressMatchesAnyOfTheFourTupleAddresses() {
        assertTrue(ConntrackFilter.address(ip("192.168.7.2")).matches(DNAT)); // original source
        assertTrue(ConntrackFilter.address(ip("192.168.7.1")).matches(DNAT)); // original destination
        assertTrue(ConntrackFilter.address(ip("10.1.0.2")).matches(DNAT));   // reply source: the DNAT target
        assertTrue(ConntrackFilter.address(ip("192.168.7.1")).matches(SNAT)); // reply destination: the masquerade
        assertTrue(ConntrackFilter.address(ip("10.1.0.3")).matches(SNAT));
        assertFalse(ConntrackFilter.address(ip("10.1.0.3")).matches(DNAT));
        assertTrue(ConntrackFilter.address(ip("fd00:1::2")).matches(TCP6));
    }

    @Test
    void replySourceMatchesTheDnatTarget() {
        assertTrue(ConntrackFilter.replySource(17, ip("10.1.0.2"), 53).matches(DNAT));
        assertFalse(ConntrackFilter.replySource(17, ip("10.1.0.2"), 54).matches(DNAT));
        assertFalse(ConntrackFilter.replySource(6, ip("10.1.0.2"), 53).matches(DNAT));
        assertFalse(ConntrackFilter.replySource(17, ip("192.168.7.1"), 5353).matches(DNAT));
    }

    @Test
    void criteriaCombine() {
        ConntrackFilter v4Only = ConntrackFilter.builder().family(ConntrackEntry.AF_INET).originalDestinationPort(5353).build();
        assertTrue(v4Only.matches(DNAT));
        assertFalse(v4Only.matches(TCP6));
        ConntrackFilter anyProtocol = ConntrackFilter.builder().originalDestinationPort(5353).build();
        assertTrue(anyProtocol.matches(DNAT));
        assertTrue(anyProtocol.matches(TCP6));
        ConntrackFilter endpointAndPort = ConntrackFilter.builder().address(ip("10.1.0.2")).originalDestinationPort(5353)
                .protocol(17).build();
        assertTrue(endpointAndPort.matches(DNAT));
        assertFalse(endpointAndPort.matches(SNAT));
    }

    @Test
    void anEmptyFilterIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConntrackFilter.builder().build());
        assertTrue(e.getMessage().contains("every entry"), e.getMessage());
    }

    @Test
    void onlyFiltersNamingFlowsAreSelective() {
        assertTrue(ConntrackFilter.publishedPort(17, 5353).isSelective());
        assertTrue(ConntrackFilter.address(ip("10.1.0.2")).isSelective());
        assertTrue(ConntrackFilter.replySource(6, ip("10.1.0.2"), 80).isSelective());
        assertFalse(ConntrackFilter.builder().protocol(17).build().isSelective());
        assertFalse(ConntrackFilter.builder().family(ConntrackEntry.AF_INET6).build().isSelective());
    }

    @Test
    void conntrackRefusesToDeleteByProtocolAlone() {
        // Refused before any kernel work: the namespace path does not even exist.
        try (NamespaceRunner runner = new NamespaceRunner();
                Conntrack conntrack = new Conntrack(new NetNamespace("none", Path.of("/nonexistent"), 0, 0), runner)) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> conntrack.delete(ConntrackFilter.builder().protocol(17).build())).getMessage();
            assertTrue(message.startsWith("refusing to delete conntrack entries by \"udp\" alone"), message);
        }
    }

    @Test
    void badValuesAreRefusedWithTheValueAndWhatWorks() {
        assertEquals("original destination port 0 is out of range: use 1 to 65535",
                assertThrows(IllegalArgumentException.class, () -> ConntrackFilter.publishedPort(17, 0)).getMessage());
        assertEquals("conntrack filter protocol 256 is out of range: use 0 to 255",
                assertThrows(IllegalArgumentException.class, () -> ConntrackFilter.publishedPort(256, 80)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConntrackFilter.builder().family(7))
                .getMessage().startsWith("conntrack filter family 7 is not supported"));
        String mismatch = assertThrows(IllegalArgumentException.class, () -> ConntrackFilter.builder()
                .family(ConntrackEntry.AF_INET).address(ip("fd00::1")).build()).getMessage();
        assertTrue(mismatch.startsWith("conntrack filter address fd00::1 is not of the filter's family IPv4"), mismatch);
    }

    @Test
    void describesItself() {
        assertEquals("udp original destination port 5353", ConntrackFilter.publishedPort(17, 5353).toString());
        assertEquals("address fd00:1::2", ConntrackFilter.address(ip("fd00:1::2")).toString());
        assertEquals("tcp reply source [fd00::2]:80", ConntrackFilter.replySource(6, ip("fd00::2"), 80).toString());
        assertEquals(ConntrackFilter.publishedPort(17, 5353), ConntrackFilter.publishedPort(17, 5353));
    }

    @Test
    void entriesPrintLikeConntrackTools() {
        assertEquals("udp 192.168.7.2:40000 -> 192.168.7.1:5353 [reply 10.1.0.2:53 -> 192.168.7.2:40000]", DNAT.toString());
        assertEquals("tcp [fd00:7::2]:41000 -> [fd00:1::2]:5353 [reply [fd00:1::2]:5353 -> [fd00:7::2]:41000]",
                TCP6.toString());
        assertEquals("icmp 10.1.0.2 -> 10.1.0.3 type 8 code 0 id 5353 [reply 10.1.0.3 -> 10.1.0.2 type 0 code 0 id 5353]",
                PING.toString());
    }

    private static ConntrackEntry udp4(ConntrackTuple original, ConntrackTuple reply) {
        return new ConntrackEntry(ConntrackEntry.AF_INET, 17, original, reply, 0, 0, ConntrackEntry.STATUS_DST_NAT);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
