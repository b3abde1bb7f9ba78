package dev.weft.linux.internal;

import static dev.weft.linux.internal.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attribute parsing (uapi linux/netlink.h): struct nlattr {u16 nla_len; u16 nla_type}; the top two
 * bits of nla_type are NLA_F_NESTED (0x8000) and NLA_F_NET_BYTEORDER (0x4000), masked off by
 * NLA_TYPE_MASK. Little-endian host.
 */
class NlAttrsTest {

    @BeforeAll
    static void littleEndianHost() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "these fixed arrays assume x86-64");
    }

    private static final byte[] ATTRS = bytes(""
            + "0c 00 01 80  08 00 05 00  07 00 00 00"              // type 0x8001 NESTED|1 { type 5 u32 7 }
            + "06 00 02 40  1f 90 00 00"                          // type 0x4002 NET_BYTEORDER|2: be16 8080
            + "08 00 03 00  0a 01 00 02"                          // type 3: 10.1.0.2 / be32 0x0a010002
            + "0c 00 04 00  01 02 03 04  05 06 07 08"             // type 4: 8 bytes
            + "05 00 05 00  2a 00 00 00"                          // type 5: u8 42
            + "06 00 06 00  34 12 00 00"                          // type 6: u16 0x1234
            + "08 00 07 00  68 69 00 7a"                          // type 7: "hi\0" and a stray byte
            + "14 00 08 00  fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 02" // type 8: fd00:1::2
            + "0a 00 09 00  02 42 0a 01  00 02 00 00"             // type 9: 6 bytes (a MAC)
            + "08 00 01 00  63 00 00 00");                        // type 1 again

    private static NlAttrs parse(byte[] b) {
        return NlAttrs.parse(Hex.buffer(b), 0, b.length);
    }

    @Test
    void flagsAreMaskedOffTheType() {
        NlAttrs a = parse(ATTRS);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 1), a.list().stream().map(NlAttrs.Attr::type).toList());
        assertEquals(7, a.nested(1).u32(5, -1));
        assertEquals(8080, a.be16(2, -1));
        assertTrue(a.has(2));
        assertFalse(a.has(0x4002));
    }

    @Test
    void firstOfATypeWinsAndAllReturnsEvery() {
        NlAttrs a = parse(ATTRS);
        assertEquals(2, a.all(1).size());
        assertEquals(0x63, a.all(1).get(1).value().get(0));
        assertEquals(8, a.get(1).value().limit()); // the nest's payload
    }

    @Test
    void integerReaders() {
        NlAttrs a = parse(ATTRS);
        assertEquals(42, a.u8(5, -1));
        assertEquals(0x1234, a.u16(6, -1));
        assertEquals(0x0200010a, a.u32(3, -1));          // host order read of 0a 01 00 02
        assertEquals(0x0a010002, a.be32(3, -1));
        assertEquals(0x0807060504030201L, a.u64(4, -1));
        assertEquals(0x0102030405060708L, a.be64(4, -1));
        assertEquals(0x901f, a.u16(2, -1));              // host order read of 1f 90
        assertEquals(0x1f90, a.be16(2, -1));
    }

    @Test
    void bigEndianReadsLeaveTheValueInHostOrder() {
        NlAttrs a = parse(ATTRS);
        assertEquals(0x1f90, a.be16(2, -1));
        assertEquals(0x901f, a.u16(2, -1));
        assertEquals(0x0a010002, a.be32(3, -1));
        assertEquals(0x0200010a, a.u32(3, -1));
        assertEquals(ByteOrder.nativeOrder(), a.get(2).value().order());
    }

    @Test
    void defaultsForMissingOrShortValues() {
        NlAttrs a = parse(ATTRS);
        assertEquals(-1, a.u8(99, -1));
        assertEquals(-1, a.u32(5, -1));  // 1 byte: too short for a u32
        assertEquals(-1, a.be32(2, -1)); // 2 bytes
        assertEquals(-1, a.u64(3, -1));
        assertEquals(-1, a.be64(3, -1));
        assertEquals(-1, a.u16(5, -1));
        assertEquals(-1, a.be16(5, -1));
        assertNull(a.string(99));
        assertNull(a.bytes(99));
        assertNull(a.address(99));
        assertTrue(a.nested(99).list().isEmpty());
        assertTrue(NlAttrs.empty().list().isEmpty());
    }

    @Test
    void stringsBytesAndAddresses() throws Exception {
        NlAttrs a = parse(ATTRS);
        assertEquals("hi", a.string(7));
        assertArrayEquals(new byte[] {0x68, 0x69, 0, 0x7a}, a.bytes(7));
        assertEquals("10.1.0.2", a.address(3).getHostAddress());
        assertArrayEquals(bytes("fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 02"), a.address(8).getAddress());
        assertNull(a.address(9)); // 6 bytes is no IP address
        // a string without a NUL is read to its end
        assertEquals("x", parse(bytes("05 00 01 00  78 00 00 00")).string(1));
    }

    @Test
    void truncatedTailIsIgnored() {
        // the second attribute claims 12 bytes but only 8 remain
        NlAttrs a = parse(bytes("08 00 01 00  01 00 00 00  0c 00 02 00  02 00 00 00"));
        assertEquals(1, a.list().size());
        assertEquals(1, a.u32(1, -1));
        // a header with nla_len < 4 ends the walk
        assertEquals(1, parse(bytes("08 00 01 00  01 00 00 00  02 00 03 00  08 00 04 00  04 00 00 00")).list().size());
        // fewer than 4 bytes left
        assertEquals(1, parse(bytes("08 00 01 00  01 00 00 00  05 00 02")).list().size());
        // the last attribute's padding may be missing
        assertEquals(2, parse(bytes("08 00 01 00  01 00 00 00  05 00 02 00  09")).list().size());
    }

    @Test
    void parsesARangeOfABuffer() {
        byte[] b = bytes("ff ff ff ff  08 00 01 00  2a 00 00 00  08 00 02 00  2b 00 00 00");
        NlAttrs a = NlAttrs.parse(Hex.buffer(b), 4, 12);
        assertEquals(1, a.list().size());
        assertEquals(42, a.u32(1, -1));
    }
}
