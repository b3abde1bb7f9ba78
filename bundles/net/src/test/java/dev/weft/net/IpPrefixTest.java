package dev.weft.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class IpPrefixTest {

    private static IpPrefix p(String s) {
        return IpPrefix.parse(s);
    }

    private static java.net.InetAddress a(String s) {
        return IpAddresses.parse(s);
    }

    @Test
    void hostBitsAreRefusedWithASuggestion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p("10.1.0.1/24"));
        assertTrue(e.getMessage().contains("\"10.1.0.1/24\""), e.getMessage());
        assertTrue(e.getMessage().contains("host bits"), e.getMessage());
        assertTrue(e.getMessage().contains("10.1.0.0/24"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> p("fd00:1::2/64"));
        assertTrue(e.getMessage().contains("fd00:1::/64"), e.getMessage());
    }

    @Test
    void parsesAndPrints() {
        assertEquals("10.1.0.0/24", p("10.1.0.0/24").toString());
        assertEquals("fd00:1::/64", p("fd00:1::/64").toString());
        assertEquals("0.0.0.0/0", IpPrefix.defaultRoute(false).toString());
        assertEquals("::/0", IpPrefix.defaultRoute(true).toString());
        assertTrue(IpPrefix.defaultRoute(true).isDefault());
        assertFalse(IpPrefix.defaultRoute(true).isIpv4());
        assertTrue(p("10.1.0.0/24").isIpv4());
        // the constructor masks
        assertEquals(p("10.1.0.0/23"), new IpPrefix(a("10.1.1.7"), 23));
        assertEquals(p("10.1.0.128/25"), new IpPrefix(a("10.1.0.200"), 25));
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(a("10.1.0.0"), 33));
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(a("::"), -1));
    }

    @Test
    void contains() {
        IpPrefix net = p("10.1.0.0/24");
        assertTrue(net.contains(a("10.1.0.0")));
        assertTrue(net.contains(a("10.1.0.255")));
        assertFalse(net.contains(a("10.1.1.0")));
        assertFalse(net.contains(a("::ffff:10.1.1.0")));
        assertFalse(net.contains(a("fd00::1")));
        assertTrue(p("0.0.0.0/0").contains(a("192.0.2.1")));
        assertFalse(p("0.0.0.0/0").contains(a("::1")));
        assertTrue(p("fd00:1::/64").contains(a("fd00:1::ffff:1")));
        assertFalse(p("fd00:1::/64").contains(a("fd00:2::1")));
        assertTrue(p("10.1.0.2/32").contains(a("10.1.0.2")));
        assertFalse(p("10.1.0.2/32").contains(a("10.1.0.3")));
        assertTrue(p("10.1.0.0/23").contains(a("10.1.1.9")));
    }

    @Test
    void overlaps() {
        assertTrue(p("10.1.0.0/16").overlaps(p("10.1.2.0/24")));
        assertTrue(p("10.1.2.0/24").overlaps(p("10.1.0.0/16")));
        assertTrue(p("10.1.2.0/24").overlaps(p("10.1.2.0/24")));
        assertFalse(p("10.1.2.0/24").overlaps(p("10.1.3.0/24")));
        assertFalse(p("10.1.0.0/24").overlaps(p("10.1.1.0/24")));
        assertTrue(p("0.0.0.0/0").overlaps(p("192.0.2.0/24")));
        assertFalse(p("0.0.0.0/0").overlaps(p("::/0")));
        assertTrue(p("fd00::/8").overlaps(p("fd00:1::/64")));
        assertFalse(p("fd00:1::/64").overlaps(p("fd00:2::/64")));
    }

    @Test
    void addressAt() {
        assertEquals(a("10.1.0.1"), p("10.1.0.0/24").addressAt(BigInteger.ONE));
        assertEquals(a("10.1.1.0"), p("10.1.0.0/23").addressAt(BigInteger.valueOf(256)));
        assertEquals(a("fd00:1::ff"), p("fd00:1::/64").addressAt(BigInteger.valueOf(255)));
        assertEquals(a("255.255.255.255"), p("255.255.255.0/24").addressAt(BigInteger.valueOf(255)));
    }
}
