package dev.weft.core.internal.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IpamOffsetRunsTest {

    private static BigInteger b(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void mergesAdjacentValuesIntoOneRunAndSplitsOnRemove() {
        OffsetRuns r = new OffsetRuns();
        assertTrue(r.add(b(1)));
        assertTrue(r.add(b(3)));
        assertEquals(2, r.runCount());
        assertTrue(r.add(b(2)));                  // joins both neighbours
        assertEquals(1, r.runCount());
        assertFalse(r.add(b(2)));
        assertEquals(3, r.size());
        assertTrue(r.remove(b(2)));               // splits
        assertEquals(2, r.runCount());
        assertFalse(r.remove(b(2)));
        assertTrue(r.contains(b(1)));
        assertFalse(r.contains(b(2)));
        assertEquals(2, r.size());
    }

    @Test
    void firstFreeJumpsOverTheRunAtTheCursor() {
        OffsetRuns r = new OffsetRuns();
        for (int i = 0; i < 1000; i++) {
            r.add(b(i));
        }
        assertEquals(b(1000), r.firstFree(b(5), b(2000)));
        assertNull(r.firstFree(b(5), b(999)));
        assertEquals(b(1500), r.firstFree(b(1500), b(2000)));
        assertNull(r.firstFree(b(10), b(9)));
    }

    @Test
    void agreesWithASortedSetOnRandomOperations() {
        Random random = new Random(42);
        OffsetRuns r = new OffsetRuns();
        TreeSet<Long> model = new TreeSet<>();
        for (int i = 0; i < 20_000; i++) {
            long v = random.nextInt(300);
            if (random.nextBoolean()) {
                assertEquals(model.add(v), r.add(b(v)));
            } else {
                assertEquals(model.remove(v), r.remove(b(v)));
            }
            long from = random.nextInt(300);
            long to = from + random.nextInt(50);
            Long expected = null;
            for (long x = from; x <= to; x++) {
                if (!model.contains(x)) {
                    expected = x;
                    break;
                }
            }
            assertEquals(expected == null ? null : b(expected), r.firstFree(b(from), b(to)));
        }
        assertEquals(model.size(), r.size());
    }
}
