package dev.weft.core.internal.ipam;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of non-negative integers stored as sorted runs of consecutive values: the allocated offsets
 * of one pool. Memory grows with the number of runs, never with the pool's size (a /8 or a /64 costs
 * nothing until used; 10,000 consecutive allocations are one run), and every operation, including
 * finding the first free offset after a cursor in a nearly full pool, is O(log runs): a free offset
 * is found by jumping over the one run that covers the cursor, never by probing one by one.
 *
 * <p>Invariant: runs are disjoint and never adjacent (adjacent runs are merged on insert), so the
 * value right after a run is always free. Not thread-safe.
 */
final class OffsetRuns {
    private static final BigInteger ONE = BigInteger.ONE;

    /** Run start to run end, both inclusive. */
    private final TreeMap<BigInteger, BigInteger> runs = new TreeMap<>();
    private long count;

    boolean contains(BigInteger x) {
        Map.Entry<BigInteger, BigInteger> e = runs.floorEntry(x);
        return e != null && e.getValue().compareTo(x) >= 0;
    }

    /** Adds {@code x}; false when it was in the set already. */
    boolean add(BigInteger x) {
        Map.Entry<BigInteger, BigInteger> below = runs.floorEntry(x);
        if (below != null && below.getValue().compareTo(x) >= 0) {
            return false;
        }
        Map.Entry<BigInteger, BigInteger> above = runs.higherEntry(x);
        boolean joinBelow = below != null && below.getValue().add(ONE).equals(x);
        boolean joinAbove = above != null && above.getKey().equals(x.add(ONE));
        if (joinBelow && joinAbove) {
            runs.remove(above.getKey());
            runs.put(below.getKey(), above.getValue());
        } else if (joinBelow) {
            runs.put(below.getKey(), x);
        } else if (joinAbove) {
            runs.remove(above.getKey());
            runs.put(x, above.getValue());
        } else {
            runs.put(x, x);
        }
        count++;
        return true;
    }

    /** Removes {@code x}; false when it was not in the set. */
    boolean remove(BigInteger x) {
        Map.Entry<BigInteger, BigInteger> e = runs.floorEntry(x);
        if (e == null || e.getValue().compareTo(x) < 0) {
            return false;
        }
        BigInteger start = e.getKey();
        BigInteger end = e.getValue();
        runs.remove(start);
        if (start.compareTo(x) < 0) {
            runs.put(start, x.subtract(ONE));
        }
        if (x.compareTo(end) < 0) {
            runs.put(x.add(ONE), end);
        }
        count--;
        return true;
    }

    /** The smallest value in {@code [from, to]} that is not in the set, or null when there is none. */
    BigInteger firstFree(BigInteger from, BigInteger to) {
        if (from.compareTo(to) > 0) {
            return null;
        }
        Map.Entry<BigInteger, BigInteger> e = runs.floorEntry(from);
        BigInteger candidate = e != null && e.getValue().compareTo(from) >= 0 ? e.getValue().add(ONE) : from;
        return candidate.compareTo(to) <= 0 ? candidate : null;
    }

    /**
     * How many values of {@code [from, to]} the set holds: O(runs that meet the interval), never
     * O(values).
     */
    BigInteger countIn(BigInteger from, BigInteger to) {
        BigInteger n = BigInteger.ZERO;
        if (from.compareTo(to) > 0) {
            return n;
        }
        Map.Entry<BigInteger, BigInteger> first = runs.floorEntry(from);
        BigInteger start = first != null && first.getValue().compareTo(from) >= 0 ? first.getKey() : from;
        for (Map.Entry<BigInteger, BigInteger> e : runs.subMap(start, true, to, true).entrySet()) {
            BigInteger lo = e.getKey().max(from);
            BigInteger hi = e.getValue().min(to);
            n = n.add(hi.subtract(lo).add(ONE));
        }
        return n;
    }

    /** How many values the set holds. */
    long size() {
        return count;
    }

    /** How many runs store them: the memory the set costs. */
    int runCount() {
        return runs.size();
    }
}
