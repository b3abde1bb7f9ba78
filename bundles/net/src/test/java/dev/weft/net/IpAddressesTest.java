package dev.weft.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    private static byte[] v6(int... groups) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (groups[i] >> 8);
            out[2 * i + 1] = (byte) groups[i];
        }
        return out;
    }

    @Test
    void acceptsLiterals() {
        assertInstanceOf(Inet4Address.class, IpAddresses.parse("10.1.0.2"));
        assertArrayEquals(b(10, 1, 0, 2), IpAddresses.parse("10.1.0.2").getAddress());
        assertArrayEquals(b(0, 0, 0, 0), IpAddresses.parse("0.0.0.0").getAddress());
        assertArrayEquals(b(255, 255, 255, 255), IpAddresses.parse("255.255.255.255").getAddress());
        assertInstanceOf(Inet6Address.class, IpAddresses.parse("::"));
        assertArrayEquals(new byte[16], IpAddresses.parse("::").getAddress());
        assertArrayEquals(v6(0, 0, 0, 0, 0, 0, 0, 1), IpAddresses.parse("::1").getAddress());
        assertArrayEquals(v6(0xfd00, 1, 0, 0, 0, 0, 0, 2), IpAddresses.parse("fd00:1::2").getAddress());
        assertArrayEquals(v6(1, 2, 3, 4, 5, 6, 7, 8), IpAddresses.parse("1:2:3:4:5:6:7:8").getAddress());
        assertArrayEquals(v6(0xfd00, 0, 0, 0, 0, 0, 0, 1), IpAddresses.parse("[fd00::1]").getAddress());
        assertArrayEquals(v6(0xfe80, 0, 0, 0, 0xabcd, 0, 0, 0), IpAddresses.parse("FE80::ABCD:0:0:0").getAddress());
        assertArrayEquals(v6(1, 0, 0, 0, 0, 0, 0, 0), IpAddresses.parse("1::").getAddress());
        assertArrayEquals(v6(1, 2, 3, 4, 5, 6, 7, 0), IpAddresses.parse("1:2:3:4:5:6:7::").getAddress());
        assertArrayEquals(v6(0, 0, 0, 0, 0, 0, 0x0a01, 2), IpAddresses.parse("::10.1.0.2").getAddress());
    }

    @Test
    void ipv4MappedIpv6IsAccepted() {
        // Java turns ::ffff:a.b.c.d into the Inet4Address a.b.c.d.
        InetAddress a = IpAddresses.parse("::ffff:10.1.0.2");
        byte[] raw = a.getAddress();
        assertArrayEquals(b(10, 1, 0, 2), Arrays.copyOfRange(raw, raw.length - 4, raw.length));
        assertEquals(a, IpAddresses.parse("::ffff:a01:2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.300", "01.2.3.4", "1.2.3", "1.2.3.4.", ".1.2.3", "1..2.3", "1.2.3.-4", "+1.2.3.4",
            "1.2.3.4 ", " 1.2.3.4", "1.2.3.04", "fd00:::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "fd00::zz",
            "1::2::3", ":1::2", "1::2:", "::1.2.3", "1.2.3.4::", "12345::", "fe80::1%eth0", "[fd00::1", "fd00::1]",
            "[10.1.0.2]", "example.com", "localhost", "", ":", ":::", "0x1.2.3.4", "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8", "fd00::\uff11", "\u0661.2.3.4", "fd00::\u0661"})
    void rejects(String text) {
        assertNull(IpAddresses.tryParse(text), text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("10.1.0.2"), e.getMessage()); // an example of what is accepted
    }

    @Test
    void rejectsNullAndOverlongWithoutResolving() {
        assertNull(IpAddresses.tryParse(null));
        assertNull(IpAddresses.tryParse("1:2:3:4:5:6:7:8".repeat(3)));
        // A name is never looked up: the call returns at once with an error, not a DNS answer.
        assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse("weft-test.invalid"));
    }

    @Test
    void parse4Only() {
        assertArrayEquals(b(10, 1, 0, 2), IpAddresses.parse4Only("10.1.0.2").getAddress());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IpAddresses.parse4Only("fd00::1"));
        assertTrue(e.getMessage().contains("\"fd00::1\""), e.getMessage());
    }

    private static String fmt(int... groups) throws Exception {
        return IpAddresses.format(InetAddress.getByAddress(v6(groups)));
    }

    @Test
    void formatsRfc5952() throws Exception {
        assertEquals("10.1.0.2", IpAddresses.format(InetAddress.getByAddress(b(10, 1, 0, 2))));
        assertEquals("::", fmt(0, 0, 0, 0, 0, 0, 0, 0));
        assertEquals("::1", fmt(0, 0, 0, 0, 0, 0, 0, 1));
        assertEquals("1::", fmt(1, 0, 0, 0, 0, 0, 0, 0));
        assertEquals("fd00:1::2", fmt(0xfd00, 1, 0, 0, 0, 0, 0, 2));
        assertEquals("1:2:3:4:5:6:7:8", fmt(1, 2, 3, 4, 5, 6, 7, 8));
        // §4.2.2: a single 0 group is not shortened
        assertEquals("1:0:2:3:4:5:6:7", fmt(1, 0, 2, 3, 4, 5, 6, 7));
        // §4.2.3: the longest run is shortened; on a tie the first
        assertEquals("1:0:0:2::3", fmt(1, 0, 0, 2, 0, 0, 0, 3));
        assertEquals("1::2:0:0:3:4", fmt(1, 0, 0, 2, 0, 0, 3, 4));
        // §4.3: lower case; §4.1: no leading zeros
        assertEquals("fe80::abcd:ef", fmt(0xfe80, 0, 0, 0, 0, 0, 0xabcd, 0xef));
        assertEquals("2001:db8::1:0:0:1", fmt(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1));
        assertEquals("fd00:1::2", IpAddresses.format(IpAddresses.parse("FD00:0001:0000:0000:0000:0000:0000:0002")));
    }

    @Test
    void scopedLiteralsParseWithANumericOrNamedScopeAndFormatBack() {
        Inet6Address numeric = (Inet6Address) IpAddresses.parseScoped("fe80::1%2", name -> {
            throw new IllegalArgumentException("no names");
        });
        assertEquals(2, numeric.getScopeId());
        assertEquals("fe80::1%2", IpAddresses.formatScoped(numeric));
        Inet6Address named = (Inet6Address) IpAddresses.parseScoped("fe80::53%veth7", name -> name.equals("veth7") ? 7 : 0);
        assertEquals(7, named.getScopeId(), "a name becomes the index the caller's lookup gives");
        assertEquals("192.0.2.1", IpAddresses.formatScoped(IpAddresses.parseScoped("192.0.2.1", n -> 0)));
        for (String bad : new String[] {"x", "192.0.2.1%2", "fe80::1%", "fe80::1%1234567890"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> IpAddresses.parseScoped(bad, n -> 1), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }
}
