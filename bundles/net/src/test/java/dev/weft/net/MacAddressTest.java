package dev.weft.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void parseAndFormat() {
        MacAddress m = MacAddress.parse("02:42:0A:01:00:02");
        assertArrayEquals(new byte[] {0x02, 0x42, 0x0a, 0x01, 0x00, 0x02}, m.bytes());
        assertEquals("02:42:0a:01:00:02", m.toString());
        assertEquals(m, MacAddress.parse("02:42:0a:01:00:02"));
        assertEquals(m.hashCode(), MacAddress.parse("02:42:0a:01:00:02").hashCode());
        assertNotEquals(m, MacAddress.parse("02:42:0a:01:00:03"));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.parse("ff:ff:ff:ff:ff:ff").toString());
    }

    @Test
    void fromIpv4IsDockersDerivation() {
        assertEquals("02:42:0a:01:00:02", MacAddress.fromIpv4(IpAddresses.parse4Only("10.1.0.2")).toString());
        assertEquals("02:42:c0:a8:ff:fe", MacAddress.fromIpv4(IpAddresses.parse4Only("192.168.255.254")).toString());
    }

    @Test
    void randomLocalAddressesAreLocallyAdministeredUnicastAndDiffer() {
        for (int i = 0; i < 64; i++) {
            MacAddress m = MacAddress.randomLocal();
            assertTrue(m.isLocalUnicast(), m.toString());
            assertEquals(0x02, m.bytes()[0] & 0x03, m.toString());
        }
        assertNotEquals(MacAddress.randomLocal(), MacAddress.randomLocal());
        assertTrue(MacAddress.parse("02:42:0a:01:00:02").isLocalUnicast());
        assertFalse(MacAddress.parse("00:16:3e:01:00:02").isLocalUnicast());
        assertFalse(MacAddress.parse("03:00:00:00:00:01").isLocalUnicast());
    }

    @Test
    void multicastAndAllZerosCannotBeAnInterfacesAddress() {
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("ff:ff:ff:ff:ff:ff").isMulticast(), "broadcast is a group address");
        assertFalse(MacAddress.parse("02:42:0a:01:00:02").isMulticast());
        assertTrue(MacAddress.parse("00:00:00:00:00:00").isZero());
        assertFalse(MacAddress.parse("00:00:00:00:00:01").isZero());
        assertEquals("a multicast MAC cannot be an interface's address (the lowest bit of the first octet is set); "
                + "expected a unicast address like 02:42:ac:11:00:02",
                MacAddress.parse("33:33:00:00:00:01").interfaceAddressProblem());
        assertEquals("the all-zeros MAC cannot be an interface's address; expected a unicast address like "
                + "02:42:ac:11:00:02", MacAddress.parse("00:00:00:00:00:00").interfaceAddressProblem());
        assertNull(MacAddress.parse("00:16:3e:01:00:02").interfaceAddressProblem(), "a global unicast one is fine");
        for (int i = 0; i < 64; i++) {
            assertNull(MacAddress.randomLocal().interfaceAddressProblem());
        }
    }

    @Test
    void bytesAreCopied() {
        byte[] raw = {2, 0, 0, 0, 0, 1};
        MacAddress m = MacAddress.of(raw);
        raw[5] = 9;
        m.bytes()[5] = 9;
        assertEquals("02:00:00:00:00:01", m.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:42:0a:01:00", "02:42:0a:01:00:02:03", "02-42-0a-01-00-02", "2:42:0a:01:00:02",
            "02:42:0a:01:00:0g", "02:42:0a:01:00:002", "02:42:0a:01:00:", "0242.0a01.0002", "02:42:0a:01:00:\uff11\uff11",
            "02:42:0a:01:00:+2"})
    void rejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("02:42:0a:01:00:02"), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(null));
    }
}
