package dev.weft.linux.internal;

import static dev.weft.linux.internal.Hex.assertBytes;
import static dev.weft.linux.internal.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.internal.NlMessageBuilder.Expect;
import dev.weft.linux.internal.NlMessageBuilder.Message;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Netlink framing (uapi linux/netlink.h): struct nlmsghdr {u32 len; u16 type; u16 flags; u32 seq;
 * u32 pid} in host order, attributes struct nlattr {u16 nla_len; u16 nla_type} followed by the
 * payload, each attribute padded to NLA_ALIGNTO (4); nla_len counts header and payload, not the
 * padding. Expected bytes are written by hand, little-endian host.
 */
class NlMessageBuilderTest {

    @BeforeAll
    static void littleEndianHost() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "these fixed arrays assume x86-64");
    }

    /** A message of type 0x0010 with no payload so attribute tests only differ after offset 16. */
    private static NlMessageBuilder oneMessage() {
        return new NlMessageBuilder().begin(0x10, Netlink.NLM_F_REQUEST, Expect.ACK);
    }

    private static byte[] attrsOnly(NlMessageBuilder b) {
        byte[] all = b.toByteArray();
        byte[] out = new byte[all.length - 16];
        System.arraycopy(all, 16, out, 0, out.length);
        return out;
    }

    @Test
    void headerOfAnEmptyMessage() {
        byte[] got = new NlMessageBuilder().begin(Rtnl.RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP,
                Expect.DUMP).toByteArray();
        assertBytes(bytes(""
                + "10 00 00 00" // nlmsg_len   = 16 (header only)
                + "12 00"       // nlmsg_type  = 18 RTM_GETLINK
                + "01 03"       // nlmsg_flags = 0x0301 REQUEST | ROOT | MATCH (= NLM_F_DUMP)
                + "01 00 00 00" // nlmsg_seq   = 1 (first of new NlMessageBuilder())
                + "00 00 00 00" // nlmsg_pid   = 0 (to the kernel)
        ), got);
    }

    @Test
    void fixedFieldsAreHostOrderExceptBe16() {
        byte[] got = oneMessage().u8(0xab).u8(0).u16(0x1234).u32(0x0a0b0c0d).be16(0x1f90).zeros(2)
                .bytes(new byte[] {1, 2, 3, 4}).toByteArray();
        assertBytes(bytes(""
                + "20 00 00 00  10 00  01 00  01 00 00 00  00 00 00 00" // len 32, type 16, REQUEST, seq 1
                + "ab 00"       // u8 0xab, u8 0
                + "34 12"       // u16 0x1234 host order
                + "0d 0c 0b 0a" // u32 0x0a0b0c0d host order
                + "1f 90"       // be16 8080 network order
                + "00 00"       // zeros(2)
                + "01 02 03 04" // bytes
        ), got);
    }

    @Test
    void stringAttributesCarryTheirNulAndPadToFour() {
        // nla_len = 4 + length + 1 (NUL); the next attribute starts at NLA_ALIGN(nla_len).
        assertBytes(bytes("06 00 03 00  61 00 00 00"), attrsOnly(oneMessage().attrString(3, "a")));
        assertBytes(bytes("07 00 03 00  61 62 00 00"), attrsOnly(oneMessage().attrString(3, "ab")));
        assertBytes(bytes("08 00 03 00  61 62 63 00"), attrsOnly(oneMessage().attrString(3, "abc")));
        assertBytes(bytes("09 00 03 00  61 62 63 64  00 00 00 00"), attrsOnly(oneMessage().attrString(3, "abcd")));
        assertBytes(bytes("0a 00 03 00  61 62 63 64  65 00 00 00"), attrsOnly(oneMessage().attrString(3, "abcde")));
        assertBytes(bytes("0b 00 03 00  61 62 63 64  65 66 00 00"), attrsOnly(oneMessage().attrString(3, "abcdef")));
        assertBytes(bytes("0c 00 03 00  61 62 63 64  65 66 67 00"), attrsOnly(oneMessage().attrString(3, "abcdefg")));
        assertBytes(bytes("0d 00 03 00  61 62 63 64  65 66 67 68  00 00 00 00"),
                attrsOnly(oneMessage().attrString(3, "abcdefgh")));
    }

    @Test
    void everyAttributeStartsAligned() {
        NlMessageBuilder b = oneMessage();
        for (int n = 1; n <= 8; n++) {
            b.attrString(n, "x".repeat(n));
            assertEquals(0, b.offsetInMessage() % 4, "after a string of " + n);
            b.attr(n, new byte[n]);
            assertEquals(0, b.offsetInMessage() % 4, "after a raw attribute of " + n);
        }
        b.attr(9, new byte[0]);
        // string n takes align(4+n+1), raw n takes align(4+n), for n = 1..8:
        // 8+8, 8+8, 8+8, 12+8, 12+12, 12+12, 12+12, 16+12 = 168; plus the empty attribute's 4 and
        // the 16-byte header.
        assertEquals(16 + 168 + 4, b.size());
    }

    @Test
    void integerAndAddressAttributes() throws Exception {
        byte[] got = attrsOnly(oneMessage()
                .attrU8(1, 0x7f)
                .attrU16(2, 0x1234)
                .attrU32(3, 0x11223344)
                .attrBe16(4, 8080)
                .attrBe32(5, 0x0a010002)
                .attrBe64(6, 0x0102030405060708L)
                .attrFlag(7)
                .attrAddress(8, InetAddress.getByAddress(new byte[] {10, 1, 0, 2})));
        assertBytes(bytes(""
                + "05 00 01 00  7f 00 00 00"                // u8: nla_len 5, 3 pad
                + "06 00 02 00  34 12 00 00"                // u16: nla_len 6, host order, 2 pad
                + "08 00 03 00  44 33 22 11"                // u32 host order
                + "06 00 04 00  1f 90 00 00"                // be16 8080 = 0x1f90, 2 pad
                + "08 00 05 00  0a 01 00 02"                // be32 = 10.1.0.2
                + "0c 00 06 00  01 02 03 04  05 06 07 08"   // be64
                + "04 00 07 00"                             // flag: header only
                + "08 00 08 00  0a 01 00 02"                // IPv4 address, network order
        ), got);
    }

    @Test
    void nestedAttributeLengthsCoverTheirContents() {
        NlMessageBuilder b = oneMessage();
        int outer = b.nest(Netlink.NLA_F_NESTED | 1);
        b.attrU32(1, 7);
        int inner = b.nest(2);
        b.attrString(1, "ab");
        b.endNest(inner);
        int empty = b.nest(Netlink.NLA_F_NESTED | 3);
        b.endNest(empty);
        b.endNest(outer);
        b.attrU8(9, 1);
        assertBytes(bytes(""
                + "34 00 00 00  10 00 01 00  01 00 00 00  00 00 00 00" // len 52
                + "1c 00 01 80"              // outer: nla_len 28, type 0x8001 (NLA_F_NESTED | 1)
                + "  08 00 01 00  07 00 00 00" // u32 7
                + "  0c 00 02 00"            // inner: nla_len 12, type 2 (no flag: the caller's choice)
                + "    07 00 01 00  61 62 00 00" // "ab\0" + 1 pad
                + "  04 00 03 80"            // empty nest: nla_len 4
                + "05 00 09 00  01 00 00 00" // attribute after the nest
        ), b.toByteArray());
    }

    @Test
    void attributeLongerThanU16IsRefused() {
        // nla_len is a u16: 65535 is the largest attribute, i.e. 65531 bytes of payload.
        assertDoesNotThrow(() -> oneMessage().attr(1, new byte[65531]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> oneMessage().attr(7, new byte[65532]));
        assertTrue(e.getMessage().contains("65536"), e.getMessage());
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
    }

    @Test
    void nestLongerThanU16IsRefused() {
        NlMessageBuilder ok = oneMessage();
        int t = ok.nest(1);
        ok.attr(1, new byte[65524]); // 4 (nest) + 4 + 65524 = 65532, the largest aligned nest
        assertDoesNotThrow(() -> ok.endNest(t));

        NlMessageBuilder b = oneMessage();
        int token = b.nest(Netlink.NLA_F_NESTED | 2);
        b.attr(1, new byte[40000]).attr(2, new byte[40000]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.endNest(token));
        assertTrue(e.getMessage().contains("80012"), e.getMessage()); // 4 + 40004 + 40004
        assertTrue(e.getMessage().contains("65535"), e.getMessage());
    }

    @Test
    void severalMessagesInOneBuffer() {
        NlMessageBuilder b = new NlMessageBuilder(100);
        b.begin(Rtnl.RTM_NEWLINK, 0x605, Expect.ACK).u32(1).u32(2);
        assertEquals(24, b.offsetInMessage());
        b.begin(Rtnl.RTM_GETLINK, 0x301, Expect.DUMP);
        assertEquals(16, b.offsetInMessage());
        b.begin(Rtnl.RTM_DELLINK, 0x005, Expect.ERRORS_ONLY).attrString(3, "x");
        assertEquals(103, b.nextSeq());
        byte[] got = b.toByteArray();
        assertBytes(bytes(""
                + "18 00 00 00  10 00  05 06  64 00 00 00  00 00 00 00" // @0:  len 24, RTM_NEWLINK, seq 100
                + "01 00 00 00  02 00 00 00"
                + "10 00 00 00  12 00  01 03  65 00 00 00  00 00 00 00" // @24: len 16, RTM_GETLINK, seq 101
                + "18 00 00 00  11 00  05 00  66 00 00 00  00 00 00 00" // @40: len 24 (incl. the
                + "06 00 03 00  78 00 00 00"                            //      last pad), seq 102
        ), got);
        assertEquals(List.of(
                new Message(100, Rtnl.RTM_NEWLINK, 0, Expect.ACK),
                new Message(101, Rtnl.RTM_GETLINK, 24, Expect.DUMP),
                new Message(102, Rtnl.RTM_DELLINK, 40, Expect.ERRORS_ONLY)), b.messages());
    }

    @Test
    void growsPastItsInitialBuffer() {
        NlMessageBuilder b = oneMessage();
        byte[] big = new byte[3000];
        big[0] = 0x55;
        big[2999] = 0x66;
        b.attr(1, big).attrU32(2, 0xdeadbeef);
        byte[] got = b.toByteArray();
        assertEquals(16 + 3004 + 8, got.length);
        assertBytes(bytes("d4 0b 00 00"), java.util.Arrays.copyOfRange(got, 0, 4));       // 3028
        assertBytes(bytes("bc 0b 01 00 55"), java.util.Arrays.copyOfRange(got, 16, 21)); // nla_len 3004
        assertBytes(bytes("66 08 00 02 00 ef be ad de"), java.util.Arrays.copyOfRange(got, 3019, 3028));
    }

    @Test
    void batchMark() {
        assertEquals(false, new NlMessageBuilder().isBatch());
        assertEquals(true, new NlMessageBuilder().batch().isBatch());
    }
}
