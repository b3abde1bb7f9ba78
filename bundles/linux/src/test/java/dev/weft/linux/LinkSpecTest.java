package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Link names as the kernel's dev_valid_name() accepts them: 1 to IFNAMSIZ-1 (15) bytes, no '/', ':' or space. */
class LinkSpecTest {

    @Test
    void acceptsValidNames() {
        assertEquals("a", LinkSpec.bridge("a").name());
        assertEquals("veth-0123456789", LinkSpec.bridge("veth-0123456789").name()); // 15 characters
        assertEquals("br_1.x@y", LinkSpec.of("dummy", "br_1.x@y").name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"veth-0123456789a", "a/b", "a b", "a:b", "", ".", "..", "tab\tx", "caf\u00e9"})
    void rejectsInvalidNamesNamingTheValue(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkSpec.bridge(name));
        assertTrue(e.getMessage().contains("\"" + name + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("1-15"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.veth("ok", name, null));
        assertThrows(IllegalArgumentException.class, () -> LinkChange.of(name));
        assertThrows(IllegalArgumentException.class, () -> LinkChange.of(3).rename(name));
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.bridge(null));
        assertThrows(NullPointerException.class, () -> LinkSpec.of(null, "x"));
    }

    @Test
    void mtuRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkSpec.bridge("b").mtu(67));
        assertTrue(e.getMessage().contains("67"), e.getMessage());
        assertTrue(e.getMessage().contains("68-65535"), e.getMessage());
        assertEquals(68, LinkSpec.bridge("b").mtu(68).mtuValue());
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.bridge("b").mtu(65536));
    }

    @Test
    void copyWithoutAliasKeepsTheRest() {
        LinkSpec s = LinkSpec.veth("va", "vb", null).mtu(1400).alias("x").group(2).master("br0").up();
        LinkSpec c = s.copyWithoutAlias();
        assertNull(c.aliasValue());
        assertEquals("va", c.name());
        assertEquals("veth", c.kind());
        assertEquals(1400, c.mtuValue());
        assertEquals(2, c.groupValue());
        assertEquals("br0", c.masterName());
        assertTrue(c.isUp());
        assertEquals("vb", c.peer().name());
    }

    @Test
    void linkChangeByIndexMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkChange.of(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertEquals("#4", LinkChange.of(4).target());
        assertEquals("br0", LinkChange.of("br0").target());
    }
}
