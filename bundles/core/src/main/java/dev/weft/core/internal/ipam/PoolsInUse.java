package dev.weft.core.internal.ipam;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pools in use in one address space, by family, sorted by first address. Pools in one space
 * never overlap, so the one pool that can overlap a range is the last one starting at or before
 * its end: an O(log n) check.
 */
final class PoolsInUse {
    private final TreeMap<BigInteger, AddressPool> v4 = new TreeMap<>();
    private final TreeMap<BigInteger, AddressPool> v6 = new TreeMap<>();

    /** A pool in use that shares an address with {@code [first, last]}, or null. */
    AddressPool overlapping(BigInteger first, BigInteger last, boolean ipv6) {
        Map.Entry<BigInteger, AddressPool> e = (ipv6 ? v6 : v4).floorEntry(last);
        return e != null && e.getValue().lastAddress().compareTo(first) >= 0 ? e.getValue() : null;
    }

    void add(AddressPool pool) {
        (pool.ipv6() ? v6 : v4).put(pool.firstAddress(), pool);
    }

    void remove(AddressPool pool) {
        (pool.ipv6() ? v6 : v4).remove(pool.firstAddress(), pool);
    }
}
