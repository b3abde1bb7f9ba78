package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Field encodings of research/nftables-netlink-elements.md §3: each field at the start of a 4-byte slot. */
class SetKeyTest {

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void protocolsAndPorts() {
        assertArrayEquals(NftHex.bytes("06000000 1f900000"), SetKey.of().tcp().port(8080).bytes());
        assertArrayEquals(NftHex.bytes("11000000 14e90000"), SetKey.of().udp().port(5353).bytes());
        assertArrayEquals(NftHex.bytes("84000000 00000000"), SetKey.of().sctp().port(0).bytes());
        assertArrayEquals(NftHex.bytes("2f000000 ffff0000"), SetKey.of().proto(47).port(65535).bytes());
        assertEquals("tcp . 8080", SetKey.of().tcp().port(8080).toString());
        assertEquals("udp . 5353", SetKey.of().udp().port(5353).toString());
        assertEquals("47 . 65535", SetKey.of().proto(47).port(65535).toString());
    }

    @Test
    void addresses() throws Exception {
        assertArrayEquals(NftHex.bytes("0a010002 00500000"), SetKey.of().address(ip("10.1.0.2")).port(80).bytes());
        assertEquals("10.1.0.2 . 80", SetKey.of().address(ip("10.1.0.2")).port(80).toString());
        SetKey v6 = SetKey.of().address(ip("fd00:1::2")).port(443);
        assertArrayEquals(NftHex.bytes("fd000001 00000000 00000000 00000002 01bb0000"), v6.bytes());
        assertEquals(20, v6.length());
        assertEquals("fd00:1::2 . 443", v6.toString());
        assertEquals("::1", SetKey.of().address(ip("::1")).toString());
        assertEquals("::", SetKey.of().address(ip("::")).toString());
        assertEquals("fd00::1:0:0:1", SetKey.of().address(ip("fd00:0:0:0:1:0:0:1")).toString());
        assertEquals("127.0.0.1 . tcp . 18081", SetKey.of().address(ip("127.0.0.1")).tcp().port(18081).toString());
        assertArrayEquals(NftHex.bytes("7f000001 06000000 46a10000"),
                SetKey.of().address(ip("127.0.0.1")).tcp().port(18081).bytes());
    }

    @Test
    void interfaceNamesArePaddedTo16Bytes() {
        assertArrayEquals(NftHex.bytes("76657468 31613262 33630000 00000000"), SetKey.of().ifname("veth1a2b3c").bytes());
        assertEquals("\"veth1a2b3c\"", SetKey.of().ifname("veth1a2b3c").toString());
        assertEquals(16, SetKey.of().ifname("abcdefghijklmno").length());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> SetKey.of().ifname("abcdefghijklmnop"));
        assertEquals("interface name \"abcdefghijklmnop\" has 16 characters: accepted are 1 to 15", tooLong.getMessage());
        IllegalArgumentException slash = assertThrows(IllegalArgumentException.class, () -> SetKey.of().ifname("a/b"));
        assertEquals("interface name \"a/b\" contains '/': accepted are printable ASCII characters other than space, "
                + "'/' and ':'", slash.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SetKey.of().ifname(""));
    }

    @Test
    void marksAreHostOrder() {
        byte[] expected = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? NftHex.bytes("78563412") : NftHex.bytes("12345678");
        assertArrayEquals(expected, SetKey.of().mark(0x12345678).bytes());
        assertEquals("0x00770000", SetKey.of().mark(0x770000).toString());
    }

    @Test
    void invalidValuesAreRefusedWithWhatIsAccepted() {
        assertEquals("port 65536 out of range: accepted are 0 to 65535",
                assertThrows(IllegalArgumentException.class, () -> SetKey.of().port(65536)).getMessage());
        assertEquals("port -1 out of range: accepted are 0 to 65535",
                assertThrows(IllegalArgumentException.class, () -> SetKey.of().port(-1)).getMessage());
        assertEquals("IP protocol 256 out of range: accepted are 0 to 255",
                assertThrows(IllegalArgumentException.class, () -> SetKey.of().proto(256)).getMessage());
        SetKey four = SetKey.of().ifname("a").ifname("b").ifname("c").ifname("d");
        assertEquals(64, four.length());
        assertEquals("set key \"a\" . \"b\" . \"c\" . \"d\" . 1 would have 68 bytes: at most 64 are accepted",
                assertThrows(IllegalArgumentException.class, () -> four.port(1)).getMessage());
    }

    @Test
    void keysAreValuesComparedByBytes() {
        SetKey built = SetKey.of().tcp().port(8080);
        SetKey raw = SetKey.raw(NftHex.bytes("06000000 1f900000"));
        assertEquals(built, raw);
        assertEquals(built.hashCode(), raw.hashCode());
        assertEquals("0x060000001f900000", raw.toString());
        assertNotEquals(built, SetKey.of().udp().port(8080));
        byte[] copy = built.bytes();
        copy[0] = 0;
        assertEquals(SetKey.of().tcp().port(8080), built, "bytes() hands out a copy");
    }

    @Test
    void setRefsPrintLikeNft() {
        assertEquals("inet weft pub_any", SetRef.of(NftFamily.INET, "weft", "pub_any").toString());
        assertEquals("ip6 t s", SetRef.of(NftFamily.IPV6, "t", "s").toString());
        assertThrows(IllegalArgumentException.class, () -> SetRef.of(NftFamily.INET, "", "s"));
        assertThrows(IllegalArgumentException.class, () -> SetRef.of(NftFamily.INET, "t", "x".repeat(256)));
        assertEquals(NftFamily.BRIDGE, NftFamily.ofKeyword("bridge"));
        assertEquals(NftFamily.IPV6, NftFamily.ofNfproto(10));
        assertEquals("ip", NftFamily.IPV4.keyword());
        assertEquals(7, NftFamily.BRIDGE.nfproto());
    }
}
