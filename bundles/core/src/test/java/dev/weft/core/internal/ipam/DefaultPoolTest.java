package dev.weft.core.internal.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.net.IpPrefix;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DefaultPoolTest {

    @Test
    void defaultsGiveOver1000DisjointNetworks() {
        List<DefaultPool> d = DefaultPool.defaults();
        BigInteger total = d.stream().map(DefaultPool::poolCount).reduce(BigInteger.ZERO, BigInteger::add);
        assertEquals(BigInteger.valueOf(2048), total);
        for (int i = 0; i < d.size(); i++) {
            for (int j = i + 1; j < d.size(); j++) {
                assertFalse(d.get(i).base().overlaps(d.get(j).base()), d.get(i) + " vs " + d.get(j));
            }
        }
        assertEquals("172.17.0.0/16 split into /24s", d.get(0).toString());
    }

    @Test
    void randomUlaIsAnRfc4193Slash48() {
        IpPrefix a = DefaultPool.randomUla();
        assertEquals(48, a.length());
        assertFalse(a.isIpv4());
        assertEquals((byte) 0xfd, a.address().getAddress()[0]);
        assertNotEquals(DefaultPool.randomUla(), a);     // 40 random bits: a clash is a 1 in 10^12 event
        assertEquals("fd00:1:1::/48", DefaultPool.randomUla(new FixedLong(0x0000_0001_0001L)).toString());
        assertEquals("fdff:ffff:ffff::/48", DefaultPool.randomUla(new FixedLong(-1L)).toString());
    }

    @Test
    void refusesSizesOutsideTheBase() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DefaultPool(IpPrefix.parse("10.0.0.0/16"), 8));
        assertEquals("default address pool 10.0.0.0/16 cannot be split into /8: the size must be between 16 and 32",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DefaultPool.ipv6(IpPrefix.parse("fd00::/96")));
        assertThrows(IllegalArgumentException.class, () -> DefaultPool.ipv6(IpPrefix.parse("10.0.0.0/8")));
        assertTrue(DefaultPool.ipv6(IpPrefix.parse("fd00::/48")).isIpv6());
    }

    /** A generator whose nextLong is fixed, to pin the ULA's bits. */
    private static final class FixedLong extends Random {
        private static final long serialVersionUID = 1L;
        private final long value;

        FixedLong(long value) {
            this.value = value;
        }

        @Override
        public long nextLong() {
            return value;
        }
    }
}
