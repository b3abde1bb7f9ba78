package dev.weft.core.internal.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.net.IpPrefix;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The setting weft.default.address.pools: Docker's shape, the older one, and what does not parse. */
class DefaultPoolListTest {
    private static final String SHAPE = "; weft.default.address.pools expects base=CIDR,size=N;base=CIDR,size=N, like "
            + "base=172.17.0.0/16,size=24;base=fd00:1::/48,size=64 (empty for the built-in pools)";

    private static DefaultPool pool(String base, int size) {
        return new DefaultPool(IpPrefix.parse(base), size);
    }

    @Test
    void dockersShapeWithIpv4AndIpv6BasesInTheirOrder() {
        assertEquals(List.of(pool("10.200.0.0/16", 24), pool("fd00:1::/48", 64), pool("192.168.0.0/20", 28)),
                DefaultPoolList.parse(" base=10.200.0.0/16,size=24; size=64 , base=fd00:1::/48 ;base=192.168.0.0/20,size=28"));
    }

    @Test
    void emptyMeansTheBuiltInPoolsAndTheOlderFormIsStillRead() {
        assertEquals(DefaultPool.defaults(), DefaultPoolList.parse(""));
        assertEquals(DefaultPool.defaults(), DefaultPoolList.parse("  "));
        assertEquals(DefaultPool.defaults(), DefaultPoolList.parse(null));
        assertEquals(List.of(pool("172.17.0.0/16", 24), pool("10.200.0.0/16", 24)),
                DefaultPoolList.parse("172.17.0.0/16:24, 10.200.0.0/16:24"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "base=10.0.0.0/8,size=24;|default address pool \"\" is empty (a stray ';')",
        "base=10.0.0.0/8|default address pool \"base=10.0.0.0/8\" lacks size=N",
        "size=24|default address pool \"size=24\" lacks base=CIDR",
        "base=10.0.0.0/8,size=24,mode=x|default address pool \"base=10.0.0.0/8,size=24,mode=x\" has \"mode=x\" where base=CIDR or size=N belongs",
        "base=10.0.0.0/8,size=24,size=25|default address pool \"base=10.0.0.0/8,size=24,size=25\" gives size twice",
        "base=10.0.0.1/8,size=24|default address pool \"base=10.0.0.1/8,size=24\" base 10.0.0.1/8 is not a CIDR prefix like 172.17.0.0/16 (\"10.0.0.1/8\" has host bits set: did you mean 10.0.0.0/8?)",
        "base=10.0.0.0/8,size=x|default address pool \"base=10.0.0.0/8,size=x\" size x is not a prefix length like 24",
        "base=10.0.0.0/16,size=8|default address pool \"base=10.0.0.0/16,size=8\" size 8 must be between the base's length 16 and 30 (a smaller subnet has no room for a gateway and an endpoint)",
        "base=fd00::/48,size=127|default address pool \"base=fd00::/48,size=127\" size 127 must be between the base's length 48 and 126 (a smaller subnet has no room for a gateway and an endpoint)",
        "10.0.0.0/8|default address pool \"10.0.0.0/8\" is neither base=CIDR,size=N nor the older BASE/LEN:SIZE",
    })
    void aListThatDoesNotParseIsRefusedNamingTheItemAndTheShape(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DefaultPoolList.parse(text));
        assertEquals(message + SHAPE, e.getMessage());
    }
}
