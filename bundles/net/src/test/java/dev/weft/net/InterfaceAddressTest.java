package dev.weft.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InterfaceAddressTest {

    @Test
    void parsesBothFamilies() {
        InterfaceAddress v4 = InterfaceAddress.parse("10.1.0.2/24");
        assertEquals(IpAddresses.parse("10.1.0.2"), v4.address());
        assertEquals(24, v4.prefixLength());
        assertTrue(v4.isIpv4());
        assertEquals("10.1.0.2/24", v4.toString());
        assertEquals(IpPrefix.parse("10.1.0.0/24"), v4.prefix());

        InterfaceAddress v6 = InterfaceAddress.parse("fd00:1:0::2/64");
        assertFalse(v6.isIpv4());
        assertEquals("fd00:1::2/64", v6.toString());
        assertEquals(IpPrefix.parse("fd00:1::/64"), v6.prefix());

        assertEquals(32, InterfaceAddress.parse("10.1.0.2/32").prefixLength());
        assertEquals(0, InterfaceAddress.parse("0.0.0.0/0").prefixLength());
        assertEquals(128, InterfaceAddress.parse("::1/128").prefixLength());
    }

    @Test
    void prefixLengthAboveTheFamilysMaximum() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InterfaceAddress.parse("10.0.0.0/33"));
        assertTrue(e.getMessage().contains("\"10.0.0.0/33\""), e.getMessage());
        assertTrue(e.getMessage().contains("32"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> InterfaceAddress.parse("fd00::1/129"));
        assertTrue(e.getMessage().contains("\"fd00::1/129\""), e.getMessage());
        assertTrue(e.getMessage().contains("128"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.0.2", "10.1.0.2/", "10.1.0.2/24/1", "10.1.0.2/-1", "10.1.0.2/+8", "10.1.0.2/ 8",
            "10.1.0.2/0008", "10.0.0.300/24", "example.com/24", "/24", "10.1.0.2/x"})
    void rejectsWithTheValueAndTheAcceptedForm(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InterfaceAddress.parse(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("0-32"), e.getMessage());
        assertTrue(e.getMessage().contains("0-128"), e.getMessage());
    }

    @Test
    void constructorChecksTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InterfaceAddress(IpAddresses.parse("10.1.0.2"), 40));
        assertTrue(e.getMessage().contains("40"), e.getMessage());
        assertTrue(e.getMessage().contains("0-32"), e.getMessage());
        assertTrue(e.getMessage().contains("10.1.0.2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InterfaceAddress.parse(null));
    }
}
