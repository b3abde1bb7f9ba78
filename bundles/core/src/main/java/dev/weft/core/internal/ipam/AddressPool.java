package dev.weft.core.internal.ipam;

import static dev.weft.spi.IpamException.Reason.ADDRESS_IN_USE;
import static dev.weft.spi.IpamException.Reason.ADDRESS_OUTSIDE_POOL;
import static dev.weft.spi.IpamException.Reason.INVALID_REQUEST;
import static dev.weft.spi.IpamException.Reason.POOL_EXHAUSTED;

import dev.weft.api.SubnetStatus;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolId;
import java.math.BigInteger;
import java.net.InetAddress;

/**
 * The state of one pool in use: which addresses are allocated and where automatic allocation
 * continues. Addresses are offsets from the pool's network address, kept in {@link OffsetRuns}
 * together with the reserved ones, so memory grows with what is allocated, not with the pool.
 *
 * <p>Reserved, never handed out: the network address (for IPv6 the subnet-router anycast address,
 * RFC 4291 §2.6.1) and for IPv4 the broadcast address, except in point-to-point pools (IPv4 /31
 * and /32, RFC 3021; IPv6 /127 and /128, RFC 6164), where every address is usable.
 *
 * <p>Endpoints without a preferred address get the next free address after the last one handed
 * out, from the ip-range when there is one, wrapping around at its end (libnetwork's serial
 * allocation): an address just released is not reused at once, so stale neighbour and conntrack
 * entries for it have time to go. Not thread-safe: {@link DefaultIpam} guards it.
 */
final class AddressPool {
    private static final BigInteger ONE = BigInteger.ONE;

    private final PoolId id;
    private final String space;
    private final IpPrefix prefix;
    private final IpPrefix range;
    private final boolean ipv6;
    private final BigInteger base;
    private final BigInteger lastOffset;
    /** The offsets endpoints without a preferred address are given from: the ip-range or the pool. */
    private final BigInteger lo;
    private final BigInteger hi;
    private final BigInteger networkOffset;
    private final BigInteger broadcastOffset;
    private final OffsetRuns taken = new OffsetRuns();
    private int reservedCount;
    private BigInteger cursor;

    AddressPool(PoolId id, String space, IpPrefix prefix, IpPrefix range) {
        this.id = id;
        this.space = space;
        this.prefix = prefix;
        this.range = range;
        this.ipv6 = !prefix.isIpv4();
        this.base = Addresses.first(prefix);
        this.lastOffset = Addresses.size(prefix).subtract(ONE);
        IpPrefix r = range != null ? range : prefix;
        this.lo = Addresses.first(r).subtract(base);
        this.hi = Addresses.last(r).subtract(base);
        boolean pointToPoint = Addresses.width(prefix) - prefix.length() < 2;
        this.networkOffset = pointToPoint ? null : BigInteger.ZERO;
        this.broadcastOffset = pointToPoint || ipv6 ? null : lastOffset;
        for (BigInteger reserved : new BigInteger[] {networkOffset, broadcastOffset}) {
            if (reserved != null && taken.add(reserved)) {
                reservedCount++;
            }
        }
        this.cursor = lo;
    }

    PoolId id() {
        return id;
    }

    String space() {
        return space;
    }

    IpPrefix prefix() {
        return prefix;
    }

    boolean ipv6() {
        return ipv6;
    }

    BigInteger firstAddress() {
        return base;
    }

    BigInteger lastAddress() {
        return base.add(lastOffset);
    }

    /** The first usable address, or null when the pool has a single address (no room for a gateway). */
    InetAddress suggestedGateway() {
        if (lastOffset.signum() == 0) {
            return null;
        }
        BigInteger first = taken.firstFree(BigInteger.ZERO, lastOffset);
        return first == null ? null : address(first);
    }

    /** The next free address after the last one handed out, in the ip-range if any, wrapping around. */
    InetAddress allocateNext() {
        BigInteger found = taken.firstFree(cursor, hi);
        if (found == null) {
            found = taken.firstFree(lo, cursor.subtract(ONE));
        }
        if (found == null) {
            throw exhausted(range);
        }
        taken.add(found);
        cursor = found.compareTo(hi) < 0 ? found.add(ONE) : lo;
        return address(found);
    }

    /** The lowest free address of the whole pool, for a gateway or auxiliary address without preference. */
    InetAddress allocateLowest() {
        BigInteger found = taken.firstFree(BigInteger.ZERO, lastOffset);
        if (found == null) {
            throw exhausted(null);
        }
        taken.add(found);
        return address(found);
    }

    /** Exactly {@code a}, anywhere in the pool (the ip-range does not apply). Does not move the cursor. */
    void allocate(InetAddress a, AddressRequest.Kind kind) {
        BigInteger offset = offsetOf(a, kind);
        refuseReserved(offset, a, kind);
        if (!taken.add(offset)) {
            throw new IpamException(ADDRESS_IN_USE, noun(kind) + " " + IpAddresses.format(a)
                    + " is already in use in the pool " + prefix
                    + "; choose another address or omit it to get a free one", prefix, a);
        }
    }

    /** Frees {@code a}; nothing happens when it is free already or reserved (never handed out). */
    void release(InetAddress a) {
        BigInteger offset = offsetOf(a, AddressRequest.Kind.ENDPOINT);
        if (!offset.equals(networkOffset) && !offset.equals(broadcastOffset)) {
            taken.remove(offset);
        }
    }

    /** Automatic allocation continues after {@code last}. */
    void restoreCursor(InetAddress last) {
        BigInteger next = offsetOf(last, AddressRequest.Kind.ENDPOINT).add(ONE);
        cursor = next.compareTo(lo) < 0 || next.compareTo(hi) > 0 ? lo : next;
    }

    /**
     * Docker's subnet status: addresses in use or reserved (network, broadcast, gateway, auxiliary,
     * endpoints), and the free addresses of the ip-range (the whole pool without one).
     */
    SubnetStatus status() {
        BigInteger inRange = hi.subtract(lo).add(ONE);
        return new SubnetStatus(BigInteger.valueOf(taken.size()), inRange.subtract(taken.countIn(lo, hi)));
    }

    /** Addresses handed out (reserved ones not counted). */
    long allocatedCount() {
        return taken.size() - reservedCount;
    }

    /** Entries the allocation state is stored in: what the pool costs in memory. */
    int storedRuns() {
        return taken.runCount();
    }

    private BigInteger offsetOf(InetAddress a, AddressRequest.Kind kind) {
        if (!prefix.contains(a)) {
            throw new IpamException(ADDRESS_OUTSIDE_POOL, noun(kind) + " " + IpAddresses.format(a)
                    + " is outside the pool " + prefix + "; choose an address in " + prefix, prefix, a);
        }
        return Addresses.toInteger(a).subtract(base);
    }

    private void refuseReserved(BigInteger offset, InetAddress a, AddressRequest.Kind kind) {
        String what = offset.equals(networkOffset)
                ? (ipv6 ? "the subnet-router anycast address" : "the network address")
                : offset.equals(broadcastOffset) ? "the broadcast address" : null;
        if (what != null) {
            throw new IpamException(INVALID_REQUEST, noun(kind) + " " + IpAddresses.format(a) + " is " + what
                    + " of the pool " + prefix + " and cannot be assigned; choose an address from "
                    + IpAddresses.format(address(firstUsable())) + " to " + IpAddresses.format(address(lastUsable())),
                    prefix, a);
        }
    }

    private BigInteger firstUsable() {
        return networkOffset == null ? BigInteger.ZERO : ONE;
    }

    private BigInteger lastUsable() {
        return broadcastOffset == null ? lastOffset : lastOffset.subtract(ONE);
    }

    private IpamException exhausted(IpPrefix inRange) {
        BigInteger from = inRange == null ? BigInteger.ZERO : lo;
        BigInteger to = inRange == null ? lastOffset : hi;
        BigInteger usable = to.subtract(from).add(ONE);
        for (BigInteger reserved : new BigInteger[] {networkOffset, broadcastOffset}) {
            if (reserved != null && reserved.compareTo(from) >= 0 && reserved.compareTo(to) <= 0) {
                usable = usable.subtract(ONE);
            }
        }
        String where = inRange == null ? "the pool " + prefix : "the ip-range " + inRange + " of the pool " + prefix;
        String fix = inRange == null ? "release addresses or use a larger subnet"
                : "release addresses, widen the ip-range, or give addresses outside it explicitly";
        return new IpamException(POOL_EXHAUSTED, "no free address left in " + where + ": all " + usable
                + " usable addresses are in use; " + fix, prefix, null);
    }

    private InetAddress address(BigInteger offset) {
        return Addresses.toAddress(base.add(offset), ipv6);
    }

    private static String noun(AddressRequest.Kind kind) {
        return switch (kind) {
            case GATEWAY -> "gateway";
            case AUX -> "auxiliary address";
            case ENDPOINT -> "address";
        };
    }
}
