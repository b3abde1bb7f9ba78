package dev.weft.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.net.InterfaceAddress;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Queries in, answers out: no sockets, no root. */
class AnswererTest {
    static final String RED = "n-red", BLUE = "n-blue";
    final NameTable table = new NameTable();
    final Answerer answerer = new Answerer("weft.internal");

    static EndpointInfo ep(String id, String network, String networkId, String sandbox, String v4, String v6,
                           String... names) throws Exception {
        return new EndpointInfo(id, network, networkId, sandbox, "sb-" + sandbox + "-0123456789abcdef", "eth0", null,
                v4 == null ? null : new InterfaceAddress(InetAddress.getByName(v4), 24),
                v6 == null ? null : new InterfaceAddress(InetAddress.getByName(v6), 64),
                List.of(), List.of(), 0, false, false, null, List.of(names));
    }

    static String sid(String sandbox) {
        return "sb-" + sandbox + "-0123456789abcdef";
    }

    @BeforeEach
    void world() throws Exception {
        table.addNetwork(RED, "red", false);
        table.addNetwork(BLUE, "blue", false);
        table.join(ep("e1", "red", RED, "web", "10.1.0.2", "fd00:1::2", "web", "www", "sb-web-01234"));
        table.join(ep("e2", "red", RED, "db", "10.1.0.3", null, "db", "store"));
        table.join(ep("e3", "red", RED, "db2", "10.1.0.4", null, "db2", "store"));
        table.join(ep("e4", "blue", BLUE, "other", "10.2.0.2", null, "other"));
        table.join(ep("e5", "blue", BLUE, "web", "10.2.0.9", null, "web")); // web is on both networks
    }

    Message ask(String asker, String name, int type) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
        Optional<Message> r = answerer.answer(new Message(q.toWire()), table.state(), sid(asker));
        return r.map(m -> {
            try {
                return new Message(Answerer.wire(m, 65535));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).orElse(null);
    }

    static Set<String> addresses(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).collect(Collectors.toSet());
    }

    @Test
    void aRecordsByNameAliasIdPrefixAndNetworkQualifiedName() throws Exception {
        for (String n : List.of("db", "DB.", "db.red", "db.weft.internal", "db.red.weft.internal.")) {
            Message r = ask("web", n, Type.A);
            assertEquals(Rcode.NOERROR, r.getRcode(), n);
            assertEquals(Set.of("10.1.0.3"), addresses(r), n);
            assertTrue(r.getHeader().getFlag(Flags.AA));
            assertTrue(r.getHeader().getFlag(Flags.RA));
            assertTrue(r.getHeader().getFlag(Flags.RD));
            assertEquals(0, r.getSection(Section.ANSWER).get(0).getTTL());
        }
        assertEquals(Set.of("10.1.0.2"), addresses(ask("db", "sb-web-01234", Type.A)));
        assertEquals(Set.of("10.1.0.2"), addresses(ask("db", "www", Type.A)));
    }

    @Test
    void aSandboxOnTwoNetworksGetsBothAndTheQualifiedNamePicksOne() throws Exception {
        assertEquals(Set.of("10.1.0.2", "10.2.0.9"), addresses(ask("web", "web", Type.A)));
        assertEquals(Set.of("10.2.0.9"), addresses(ask("web", "web.blue", Type.A)));
        assertEquals(Set.of("10.2.0.2"), addresses(ask("web", "other", Type.A)));
    }

    @Test
    void namesOfANetworkTheAskerIsNotOnAreUnknown() throws Exception {
        assertEquals(Rcode.NXDOMAIN, ask("db", "other", Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask("db", "other.weft.internal", Type.A).getRcode());
        assertNull(ask("db", "other.blue", Type.A), "two labels outside the domain: forwarded");
        assertEquals(Rcode.NXDOMAIN, ask("other", "db", Type.A).getRcode());
    }

    @Test
    void aaaaAndNodata() throws Exception {
        assertEquals(Set.of("fd00:1:0:0:0:0:0:2"), addresses(ask("db", "web.red", Type.AAAA)));
        Message none = ask("web", "db", Type.AAAA);
        assertEquals(Rcode.NOERROR, none.getRcode(), "a known name without IPv6: NODATA, never NXDOMAIN");
        assertTrue(none.getSection(Section.ANSWER).isEmpty());
        Message mx = ask("web", "db", Type.MX);
        assertEquals(Rcode.NOERROR, mx.getRcode());
        assertTrue(mx.getSection(Section.ANSWER).isEmpty());
    }

    @Test
    void negativeAnswersInTheDomainCarryItsSoaWithANegativeTtlOfZero() throws Exception {
        Message nx = ask("db", "other.weft.internal", Type.A);
        assertEquals(Rcode.NXDOMAIN, nx.getRcode());
        org.xbill.DNS.SOARecord soa = (org.xbill.DNS.SOARecord) nx.getSection(Section.AUTHORITY).get(0);
        assertEquals("weft.internal.", soa.getName().toString());
        assertEquals(0, soa.getMinimum(), "negative answers are cached for 0 s: a name may come the next moment");
        Message nodata = ask("web", "db.weft.internal", Type.AAAA);
        assertEquals(Rcode.NOERROR, nodata.getRcode());
        assertTrue(nodata.getSection(Section.ANSWER).isEmpty());
        assertEquals(1, nodata.getSection(Section.AUTHORITY).size(), "NODATA in the domain: its SOA too");
        assertTrue(ask("web", "db", Type.AAAA).getSection(Section.AUTHORITY).isEmpty(),
                "a single-label name is not in a zone of ours: no SOA claimed");
        assertTrue(ask("web", "db.weft.internal", Type.A).getSection(Section.AUTHORITY).isEmpty(),
                "a positive answer has none");
    }

    @Test
    void roundRobinOfASharedAlias() throws Exception {
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Message r = ask("web", "store", Type.A);
            assertEquals(Set.of("10.1.0.3", "10.1.0.4"), addresses(r));
            firsts.add(r.getSection(Section.ANSWER).get(0).rdataToString());
        }
        assertEquals(Set.of("10.1.0.3", "10.1.0.4"), firsts, "both addresses come first sometimes");
    }

    @Test
    void ptrForTheAskersNetworksOnlyOthersForwarded() throws Exception {
        Message r = ask("web", ReverseMap.fromAddress("10.1.0.3").toString(), Type.PTR);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertEquals("db.red.", ((PTRRecord) r.getSection(Section.ANSWER).get(0)).getTarget().toString());
        Message r6 = ask("db", ReverseMap.fromAddress("fd00:1::2").toString(), Type.PTR);
        assertEquals("web.red.", ((PTRRecord) r6.getSection(Section.ANSWER).get(0)).getTarget().toString());
        assertNull(ask("db", ReverseMap.fromAddress("10.2.0.2").toString(), Type.PTR), "not on db's networks");
        assertNull(ask("db", ReverseMap.fromAddress("192.0.2.1").toString(), Type.PTR));
    }

    @Test
    void unknownNamesSingleLabelOrInTheDomainAreNxdomainOthersForwarded() throws Exception {
        assertEquals(Rcode.NXDOMAIN, ask("web", "nosuch", Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask("web", "nosuch.weft.internal", Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask("web", "a.b.weft.internal", Type.A).getRcode());
        assertNull(ask("web", "example.org", Type.A));
        assertNull(ask("web", "db.example.org", Type.A));
        assertEquals(Rcode.NOERROR, ask("web", "weft.internal", Type.SOA).getRcode());
    }

    @Test
    void aLeftEndpointIsGoneAndARemovedNetworkToo() throws Exception {
        table.leave(ep("e2", "red", RED, "db", "10.1.0.3", null, "db", "store"));
        assertEquals(Rcode.NXDOMAIN, ask("web", "db", Type.A).getRcode());
        assertEquals(Set.of("10.1.0.4"), addresses(ask("web", "store", Type.A)));
        table.removeNetwork(BLUE);
        assertEquals(Set.of("10.1.0.2"), addresses(ask("db2", "web", Type.A)));
        assertTrue(table.hasSandbox(sid("web")));
        assertFalse(table.hasSandbox(sid("other")));
    }

    @Test
    void idAndOptEchoedAndUdpTruncatedToWholeRecordsWithTc() throws Exception {
        for (int i = 0; i < 60; i++) {
            table.join(ep("m" + i, "red", RED, "m" + i, "10.1.1." + i, null, "many"));
        }
        Message q = Message.newQuery(Record.newRecord(Name.fromString("many.red."), Type.A, DClass.IN));
        Message r = answerer.answer(q, table.state(), sid("web")).orElseThrow();
        byte[] small = Answerer.wire(r, Answerer.udpLimit(q));
        assertTrue(small.length <= 512);
        Message parsed = new Message(small);
        assertTrue(parsed.getHeader().getFlag(Flags.TC));
        assertEquals(q.getHeader().getID(), parsed.getHeader().getID());
        int kept = parsed.getSection(Section.ANSWER).size();
        assertTrue(kept > 10 && kept < 60, "kept " + kept);
        assertNull(parsed.getOPT());

        Message qe = Message.newQuery(Record.newRecord(Name.fromString("many.red."), Type.A, DClass.IN));
        qe.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        Message re = new Message(Answerer.wire(answerer.answer(qe, table.state(), sid("web")).orElseThrow(),
                Answerer.udpLimit(qe)));
        assertFalse(re.getHeader().getFlag(Flags.TC));
        assertEquals(60, re.getSection(Section.ANSWER).size());
        assertNotNull(re.getOPT(), "OPT echoed");
    }

    @Test
    void reverseNamesParse() throws Exception {
        assertEquals(InetAddress.getByName("10.1.2.3"), ReverseNames.address("3.2.1.10.in-addr.arpa").orElseThrow());
        assertEquals(InetAddress.getByName("fd00::1"),
                ReverseNames.address(ReverseMap.fromAddress("fd00::1").toString(true)).orElseThrow());
        assertTrue(ReverseNames.address("2.1.10.in-addr.arpa").isEmpty());
        assertTrue(ReverseNames.address("300.2.1.10.in-addr.arpa").isEmpty());
    }
}
