package dev.weft.linux.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.linux.ConntrackEntry;
import dev.weft.linux.ConntrackFilter;
import dev.weft.linux.ConntrackTuple;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ctnetlink bytes written by hand from uapi linux/netfilter/nfnetlink_conntrack.h (little-endian
 * host: netlink headers and attribute headers in host order, addresses and ports in network order).
 */
class CtnetlinkCodecTest {

    @Test
    void dumpRequestOfOneFamily() {
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.dumpRequest(b, ConntrackEntry.AF_INET, null);
        assertBytes("""
                14 00 00 00   # nlmsg_len 20
                01 01         # type (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET
                01 03         # flags NLM_F_REQUEST | NLM_F_DUMP (ROOT|MATCH)
                01 00 00 00   # seq 1
                00 00 00 00   # pid
                02 00 00 00   # nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
                """, b);
        assertEquals(NlMessageBuilder.Expect.DUMP, b.messages().get(0).expect());
    }

    @Test
    void dumpRequestCarriesTheKernelFilterForAPublishedPort() {
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.dumpRequest(b, ConntrackEntry.AF_INET6, ConntrackFilter.publishedPort(17, 5353));
        assertBytes("""
                38 00 00 00  01 01  01 03  01 00 00 00  00 00 00 00   # len 56, CT_GET, DUMP
                0a 00 00 00                                           # nfgenmsg AF_INET6
                18 00 01 80                                           # CTA_TUPLE_ORIG | NLA_F_NESTED, len 24
                  14 00 02 80                                         #   CTA_TUPLE_PROTO | NESTED, len 20
                    05 00 01 00  11 00 00 00                          #     CTA_PROTO_NUM u8 17 (+3 pad)
                    06 00 03 00  14 e9 00 00                          #     CTA_PROTO_DST_PORT be16 5353 (+2 pad)
                0c 00 19 80                                           # CTA_FILTER (25) | NESTED, len 12
                  08 00 01 00  28 00 00 00                            #   CTA_FILTER_ORIG_FLAGS u32 PROTO_NUM|PROTO_DST_PORT
                """, b);
    }

    @Test
    void dumpRequestFiltersTheReplySourcePortOfADnatTarget() {
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.dumpRequest(b, ConntrackEntry.AF_INET,
                ConntrackFilter.replySource(6, ip("10.1.0.2"), 80));
        assertBytes("""
                50 00 00 00  01 01  01 03  01 00 00 00  00 00 00 00   # len 80
                02 00 00 00                                           # AF_INET
                10 00 01 80                                           # CTA_TUPLE_ORIG, len 16
                  0c 00 02 80                                         #   CTA_TUPLE_PROTO, len 12
                    05 00 01 00  06 00 00 00                          #     PROTO_NUM 6
                18 00 02 80                                           # CTA_TUPLE_REPLY, len 24
                  14 00 02 80                                         #   CTA_TUPLE_PROTO, len 20
                    05 00 01 00  06 00 00 00                          #     PROTO_NUM 6
                    06 00 02 00  00 50 00 00                          #     PROTO_SRC_PORT 80
                14 00 19 80                                           # CTA_FILTER, len 20
                  08 00 01 00  08 00 00 00                            #   ORIG_FLAGS PROTO_NUM
                  08 00 02 00  18 00 00 00                            #   REPLY_FLAGS PROTO_NUM|PROTO_SRC_PORT
                """, b);
    }

    @Test
    void dumpRequestWithoutProtocolSendsNoKernelFilter() {
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.dumpRequest(b, ConntrackEntry.AF_INET, ConntrackFilter.address(ip("10.1.0.2")));
        assertEquals(20, b.toByteArray().length);
    }

    @Test
    void deleteOfAnIpv4UdpEntry() {
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.deleteRequest(b, udp4());
        assertBytes("""
                48 00 00 00   # nlmsg_len 72
                02 01         # (1 << 8) | IPCTNL_MSG_CT_DELETE
                05 00         # NLM_F_REQUEST | NLM_F_ACK
                01 00 00 00  00 00 00 00
                02 00 00 00   # nfgenmsg AF_INET
                34 00 01 80   # CTA_TUPLE_ORIG | NESTED, len 52
                  14 00 01 80                     # CTA_TUPLE_IP | NESTED, len 20
                    08 00 01 00  0a 00 00 02      #   CTA_IP_V4_SRC 10.0.0.2
                    08 00 02 00  c0 a8 07 01      #   CTA_IP_V4_DST 192.168.7.1
                  1c 00 02 80                     # CTA_TUPLE_PROTO | NESTED, len 28
                    05 00 01 00  11 00 00 00      #   CTA_PROTO_NUM 17
                    06 00 02 00  9c 40 00 00      #   CTA_PROTO_SRC_PORT 40000
                    06 00 03 00  14 e9 00 00      #   CTA_PROTO_DST_PORT 5353
                """, b);
        assertEquals(NlMessageBuilder.Expect.ACK, b.messages().get(0).expect());
    }

    @Test
    void deleteOfAnIpv6TcpEntryInAZone() {
        ConntrackEntry e = new ConntrackEntry(ConntrackEntry.AF_INET6, 6,
                ConntrackTuple.of(ip("fd00::2"), 40000, ip("fd00::1"), 80),
                ConntrackTuple.of(ip("fd00::1"), 80, ip("fd00::2"), 40000), 5, 0, 0);
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.deleteRequest(b, e);
        assertBytes("""
                68 00 00 00  02 01  05 00  01 00 00 00  00 00 00 00   # len 104, CT_DELETE, REQUEST|ACK
                0a 00 00 00                                           # AF_INET6
                4c 00 01 80                                           # CTA_TUPLE_ORIG, len 76
                  2c 00 01 80                                         #   CTA_TUPLE_IP, len 44
                    14 00 03 00  fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02   # CTA_IP_V6_SRC fd00::2
                    14 00 04 00  fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01   # CTA_IP_V6_DST fd00::1
                  1c 00 02 80                                         #   CTA_TUPLE_PROTO, len 28
                    05 00 01 00  06 00 00 00                          #     PROTO_NUM 6
                    06 00 02 00  9c 40 00 00                          #     SRC_PORT 40000
                    06 00 03 00  00 50 00 00                          #     DST_PORT 80
                06 00 12 00  00 05 00 00                              # CTA_ZONE (18) be16 5
                """, b);
    }

    @Test
    void deleteOfAnIcmpEntryCarriesIdTypeAndCode() {
        ConntrackEntry e = new ConntrackEntry(ConntrackEntry.AF_INET, 1,
                new ConntrackTuple(ip("10.0.0.2"), ip("10.0.0.1"), 0, 0, new ConntrackTuple.Icmp(8, 0, 0x1234)),
                new ConntrackTuple(ip("10.0.0.1"), ip("10.0.0.2"), 0, 0, new ConntrackTuple.Icmp(0, 0, 0x1234)), 0, 0, 0);
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.deleteRequest(b, e);
        assertBytes("""
                50 00 00 00  02 01  05 00  01 00 00 00  00 00 00 00   # len 80
                02 00 00 00
                3c 00 01 80                                           # CTA_TUPLE_ORIG, len 60
                  14 00 01 80
                    08 00 01 00  0a 00 00 02
                    08 00 02 00  0a 00 00 01
                  24 00 02 80                                         #   CTA_TUPLE_PROTO, len 36
                    05 00 01 00  01 00 00 00                          #     PROTO_NUM 1
                    06 00 04 00  12 34 00 00                          #     CTA_PROTO_ICMP_ID be16
                    05 00 05 00  08 00 00 00                          #     CTA_PROTO_ICMP_TYPE 8
                    05 00 06 00  00 00 00 00                          #     CTA_PROTO_ICMP_CODE 0
                """, b);
    }

    @Test
    void severalDeletesGoIntoOneBuffer() {
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.deleteRequest(b, udp4());
        CtnetlinkCodec.deleteRequest(b, udp4());
        byte[] bytes = b.toByteArray();
        assertEquals(144, bytes.length);
        assertEquals(List.of(1, 2), b.messages().stream().map(NlMessageBuilder.Message::seq).toList());
        assertEquals(2, bytes[72 + 8]); // second header's seq
    }

    /** An entry of a real dump (kernel 6.18, ConntrackKernelTest): UDP 40002 -> 5353 DNATed to 10.1.0.2. */
    private static final String CAPTURED = """
            02 00 00 00                                  # nfgenmsg AF_INET
            34 00 01 80                                  # CTA_TUPLE_ORIG
              14 00 01 80  08 00 01 00 c0 a8 07 02  08 00 02 00 c0 a8 07 01
              1c 00 02 80  05 00 01 00 11 00 00 00  06 00 02 00 9c 42 00 00  06 00 03 00 14 e9 00 00
            34 00 02 80                                  # CTA_TUPLE_REPLY
              14 00 01 80  08 00 01 00 0a 01 00 02  08 00 02 00 c0 a8 07 02
              1c 00 02 80  05 00 01 00 11 00 00 00  06 00 02 00 14 e9 00 00  06 00 03 00 9c 42 00 00
            08 00 03 00 00 00 01 a8                      # CTA_STATUS CONFIRMED|DST_NAT|SRC_NAT_DONE|DST_NAT_DONE
            08 00 08 00 00 00 00 00                      # CTA_MARK 0
            08 00 0c 00 ba c1 fc 64                      # CTA_ID
            08 00 0b 00 00 00 00 01                      # CTA_USE
            08 00 07 00 00 00 00 1d                      # CTA_TIMEOUT 29 s
            """;

    @Test
    void decodesACapturedDumpEntry() {
        // The kernel answered with type IPCTNL_MSG_CT_NEW and flags NLM_F_MULTI | NLM_F_DUMP_FILTERED.
        ConntrackEntry e = CtnetlinkCodec.decode(message(0x0100, 0x22, hex(CAPTURED)));
        assertEquals(new ConntrackEntry(ConntrackEntry.AF_INET, 17,
                ConntrackTuple.of(ip("192.168.7.2"), 40002, ip("192.168.7.1"), 5353),
                ConntrackTuple.of(ip("10.1.0.2"), 5353, ip("192.168.7.2"), 40002), 0, 0, 0x1a8), e);
        assertEquals(true, e.isDestinationNat());
        assertEquals(false, e.isSourceNat());
        assertEquals("udp 192.168.7.2:40002 -> 192.168.7.1:5353 [reply 10.1.0.2:5353 -> 192.168.7.2:40002]",
                e.toString());
    }

    @Test
    void aDecodedEntryIsDeletedByTheTupleTheKernelSent() {
        byte[] captured = hex(CAPTURED);
        NlMessageBuilder b = new NlMessageBuilder(1);
        CtnetlinkCodec.deleteRequest(b, CtnetlinkCodec.decode(message(0x0100, 0x22, captured)));
        byte[] delete = b.toByteArray();
        // nfgenmsg and CTA_TUPLE_ORIG, byte for byte as dumped
        assertArrayEquals(Arrays.copyOfRange(captured, 0, 56), Arrays.copyOfRange(delete, 16, delete.length));
    }

    @Test
    void decodesAnIpv6IcmpEntryInAnOriginalDirectionZone() {
        NlMessageBuilder b = new NlMessageBuilder(1); // reuse the builder to write a dump answer
        b.begin(0x0100, 0, NlMessageBuilder.Expect.ACK).u8(10).u8(0).be16(0);
        for (int dir : new int[] {1, 2}) {
            int t = b.nest(dir | Netlink.NLA_F_NESTED);
            int i = b.nest(1 | Netlink.NLA_F_NESTED);
            b.attrAddress(3, ip(dir == 1 ? "fd00:1::2" : "fd00:1::1"));
            b.attrAddress(4, ip(dir == 1 ? "fd00:1::1" : "fd00:1::2"));
            b.endNest(i);
            int p = b.nest(2 | Netlink.NLA_F_NESTED);
            b.attrU8(1, 58).attrBe16(7, 99).attrU8(8, dir == 1 ? 128 : 129).attrU8(9, 0);
            b.endNest(p);
            if (dir == 1) {
                b.attrBe16(3, 7); // CTA_TUPLE_ZONE
            }
            b.endNest(t);
        }
        b.attrBe32(8, 0x10); // CTA_MARK
        byte[] bytes = b.toByteArray();
        ConntrackEntry e = CtnetlinkCodec.decode(message(0x0100, 2, Arrays.copyOfRange(bytes, 16, bytes.length)));
        assertEquals(new ConntrackTuple(ip("fd00:1::2"), ip("fd00:1::1"), 0, 0, new ConntrackTuple.Icmp(128, 0, 99)),
                e.original());
        assertEquals(7, e.zone());
        assertEquals(0x10, e.mark());
        assertEquals("icmpv6 fd00:1::2 -> fd00:1::1 type 128 code 0 id 99 [reply fd00:1::1 -> fd00:1::2 type 129"
                + " code 0 id 99] zone 7 mark 0x10", e.toString());
    }

    @Test
    void ignoresMessagesThatAreNoEntries() {
        assertNull(CtnetlinkCodec.decode(message(0x0100, 0, new byte[] {7, 0, 0, 0}))); // family 7
        assertNull(CtnetlinkCodec.decode(message(0x0a00, 0, hex(CAPTURED)))); // another subsystem
        assertNull(CtnetlinkCodec.decode(message(0x0100, 0, new byte[] {2, 0, 0, 0}))); // no tuples
    }

    private static ConntrackEntry udp4() {
        return new ConntrackEntry(ConntrackEntry.AF_INET, 17,
                ConntrackTuple.of(ip("10.0.0.2"), 40000, ip("192.168.7.1"), 5353),
                ConntrackTuple.of(ip("10.1.0.2"), 53, ip("10.0.0.2"), 40000), 0, 0, 0);
    }

    private static NlMessage message(int type, int flags, byte[] payload) {
        return new NlMessage(type, flags, 1, ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder()));
    }

    private static void assertBytes(String expected, NlMessageBuilder b) {
        assertEquals(HexFormat.ofDelimiter(" ").formatHex(hex(expected)),
                HexFormat.ofDelimiter(" ").formatHex(b.toByteArray()));
    }

    /** Hex digits with any spacing; {@code #} starts a comment up to the end of the line. */
    static byte[] hex(String annotated) {
        StringBuilder digits = new StringBuilder();
        for (String line : annotated.split("\n")) {
            int hash = line.indexOf('#');
            digits.append((hash < 0 ? line : line.substring(0, hash)).replaceAll("\\s+", ""));
        }
        return HexFormat.of().parseHex(digits);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
