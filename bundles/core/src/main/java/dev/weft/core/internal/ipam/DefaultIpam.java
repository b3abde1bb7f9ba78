package dev.weft.core.internal.ipam;

import static dev.weft.spi.IpamException.Reason.INVALID_REQUEST;
import static dev.weft.spi.IpamException.Reason.NO_FREE_POOL;
import static dev.weft.spi.IpamException.Reason.POOL_OVERLAP;
import static dev.weft.spi.IpamException.Reason.UNKNOWN_POOL;

import dev.weft.api.SubnetStatus;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressAllocation;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.IpamException;
import dev.weft.spi.IpamPoolStatus;
import dev.weft.spi.IpamRestore;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Weft's default IPAM: in memory, rebuilt from the controller's records at start (see
 * {@link IpamDriver}). Two address spaces, {@value #LOCAL} and {@value #GLOBAL}, with independent
 * pools in use.
 *
 * <p><b>Pools.</b> A request without a subnet gets the first subnet of the space's default pools,
 * in their order, that overlaps no pool in use in any address space and is not refused by
 * {@code hostConflict}; IPv6 requests use the IPv6 entries of the default pools, or, when there are
 * none, the configured IPv6 prefix (the instance's ULA /48) split into /64s. A request for a size
 * ({@link PoolRequest#prefixLength()}, Docker 29's {@code --subnet 0.0.0.0/24}) gets the first free
 * subnet of that length from the default pools of the family whose base can hold it, whatever
 * size those pools are split into otherwise. A request with a subnet gets exactly that subnet unless
 * it overlaps a pool in use in the same address space; host routes are not checked for it (the user
 * asked for it, and a replay after restart must not fail).
 *
 * <p><b>Pool ids</b> are {@code SPACE/SUBNET} or {@code SPACE/SUBNET/IP-RANGE}, e.g.
 * {@code local/172.17.0.0/24}, {@code local/10.1.0.0/16/10.1.1.0/24},
 * {@code local/fd12:3456:789a::/64}: derived from the request alone, so replaying the request after
 * a restart gives the same id (libnetwork's format, with lower-case space names).
 *
 * <p><b>Addresses:</b> see {@link AddressPool}. Gateways and auxiliary addresses requested without
 * a preference get the lowest free address of the pool.
 *
 * <p><b>Threads:</b> one lock guards all state; every call holds it for microseconds. The results
 * depend only on the sequence of calls (deterministic). {@code hostConflict} is called with the lock
 * held: it must be quick (look up a cached route table) and must not call back into this IPAM.
 *
 * <p><b>Status</b> ({@link IpamPoolStatus}): counted from the allocation runs, so a /8 or a /64 costs
 * as little as a /24.
 *
 * <p>Accepts no pool options: any option is refused, so a misspelt one is not silently ignored.
 */
public final class DefaultIpam implements IpamDriver, IpamRestore, IpamPoolStatus {
    public static final String LOCAL = "local";
    public static final String GLOBAL = "global";

    private static final AddressSpaces SPACES = new AddressSpaces(LOCAL, GLOBAL);

    private final Object lock = new Object();
    private final Map<String, List<DefaultPool>> defaults;
    private final Predicate<IpPrefix> hostConflict;
    private final Map<String, PoolsInUse> inUse = Map.of(LOCAL, new PoolsInUse(), GLOBAL, new PoolsInUse());
    private final Map<PoolId, AddressPool> pools = new HashMap<>();

    /**
     * A default IPAM with {@link DefaultPool#globalDefaults()} for the global space.
     *
     * @param localPools   the local space's default pools, e.g. {@link DefaultPool#defaults()}
     * @param ipv6Prefix   split into /64s for IPv6 requests without a subnet (normally a ULA /48 from
     *                     {@link DefaultPool#randomUla()}, persisted by the caller), or null for none;
     *                     not used in a space whose default pools have IPv6 entries of their own
     * @param hostConflict true when a prefix overlaps a route of the host namespace: such a subnet is
     *                     never picked automatically
     */
    public DefaultIpam(List<DefaultPool> localPools, IpPrefix ipv6Prefix, Predicate<IpPrefix> hostConflict) {
        this(localPools, DefaultPool.globalDefaults(), ipv6Prefix, hostConflict);
    }

    /** As {@link #DefaultIpam(List, IpPrefix, Predicate)}, with the global space's default pools given. */
    public DefaultIpam(List<DefaultPool> localPools, List<DefaultPool> globalPools, IpPrefix ipv6Prefix,
                       Predicate<IpPrefix> hostConflict) {
        DefaultPool ipv6 = ipv6Prefix == null ? null : DefaultPool.ipv6(ipv6Prefix);
        this.defaults = Map.of(LOCAL, withIpv6(localPools, ipv6), GLOBAL, withIpv6(globalPools, ipv6));
        this.hostConflict = Objects.requireNonNull(hostConflict, "hostConflict");
    }

    /** The pools, with the ULA pool after them when none of them is IPv6 (configured IPv6 pools replace it). */
    private static List<DefaultPool> withIpv6(List<DefaultPool> pools, DefaultPool ipv6) {
        List<DefaultPool> all = new ArrayList<>(pools);
        if (ipv6 != null && pools.stream().noneMatch(DefaultPool::isIpv6)) {
            all.add(ipv6);
        }
        return List.copyOf(all);
    }

    @Override
    public AddressSpaces addressSpaces() {
        return SPACES;
    }

    @Override
    public PoolAllocation requestPool(PoolRequest request) {
        validate(request);
        synchronized (lock) {
            IpPrefix prefix = request.pool();
            if (prefix != null) {
                AddressPool used = inUse.get(request.addressSpace())
                        .overlapping(Addresses.first(prefix), Addresses.last(prefix), !prefix.isIpv4());
                if (used != null) {
                    throw new IpamException(POOL_OVERLAP, "subnet " + prefix + " overlaps the pool " + used.prefix()
                            + " in use; choose another subnet or omit it to get a free one", used.prefix(), null);
                }
            } else {
                prefix = pickFree(request.addressSpace(), request.ipv6(), request.prefixLength());
            }
            PoolId id = poolId(request.addressSpace(), prefix, request.subPool());
            AddressPool pool = new AddressPool(id, request.addressSpace(), prefix, request.subPool());
            inUse.get(pool.space()).add(pool);
            pools.put(id, pool);
            return new PoolAllocation(id, prefix, pool.suggestedGateway());
        }
    }

    @Override
    public void releasePool(PoolId id) {
        checkFormat(id);
        synchronized (lock) {
            AddressPool pool = pools.remove(id);
            if (pool != null) {
                inUse.get(pool.space()).remove(pool);
            }
        }
    }

    @Override
    public AddressAllocation requestAddress(PoolId id, AddressRequest request) {
        synchronized (lock) {
            AddressPool pool = held(id);
            InetAddress a;
            if (request.preferred() != null) {
                pool.allocate(request.preferred(), request.kind());
                a = request.preferred();
            } else if (request.kind() == AddressRequest.Kind.ENDPOINT) {
                a = pool.allocateNext();
            } else {
                a = pool.allocateLowest();
            }
            return new AddressAllocation(new InterfaceAddress(a, pool.prefix().length()));
        }
    }

    @Override
    public void releaseAddress(PoolId id, InetAddress address) {
        checkFormat(id);
        synchronized (lock) {
            AddressPool pool = pools.get(id);
            if (pool != null) {
                pool.release(address);
            }
        }
    }

    @Override
    public void restoreCursor(PoolId id, InetAddress lastAllocated) {
        synchronized (lock) {
            held(id).restoreCursor(lastAllocated);
        }
    }

    @Override
    public SubnetStatus poolStatus(PoolId id) {
        synchronized (lock) {
            return held(id).status();
        }
    }

    /** The state of a held pool, for tests; null when not held. */
    AddressPool pool(PoolId id) {
        synchronized (lock) {
            return pools.get(id);
        }
    }

    private void validate(PoolRequest r) {
        if (!SPACES.contains(r.addressSpace())) {
            throw new IpamException(INVALID_REQUEST, "address space \"" + r.addressSpace()
                    + "\" is not known to the default IPAM; use \"" + LOCAL + "\" or \"" + GLOBAL + "\"");
        }
        if (!r.options().isEmpty()) {
            throw new IpamException(INVALID_REQUEST, "option \"" + r.options().keySet().stream().sorted().findFirst().get()
                    + "\" is not supported: the default IPAM accepts no options");
        }
        String family = r.ipv6() ? "IPv6" : "IPv4";
        if (r.prefixLength() != 0) {
            int width = r.ipv6() ? 128 : 32;
            if (r.pool() != null) {
                throw new IpamException(INVALID_REQUEST, "a prefix length (/" + r.prefixLength() + ") is asked for "
                        + "together with the subnet " + r.pool() + "; give one or the other", r.pool(), null);
            }
            if (r.prefixLength() > width) {
                throw new IpamException(INVALID_REQUEST, "prefix length /" + r.prefixLength() + " is longer than an "
                        + family + " address (" + width + " bits); ask for a length of at most " + width);
            }
        }
        if (r.pool() != null && r.pool().isIpv4() == r.ipv6()) {
            throw new IpamException(INVALID_REQUEST, "subnet " + r.pool() + " is not " + family + " but an "
                    + family + " pool was requested; give an " + family + " subnet", r.pool(), null);
        }
        if (r.subPool() != null) {
            if (r.pool() == null) {
                throw new IpamException(INVALID_REQUEST, "ip-range " + r.subPool()
                        + " needs a subnet: give the subnet that contains it", r.subPool(), null);
            }
            if (!r.pool().overlaps(r.subPool()) || r.subPool().length() < r.pool().length()) {
                throw new IpamException(INVALID_REQUEST, "ip-range " + r.subPool() + " is not inside the subnet "
                        + r.pool() + "; choose an ip-range within " + r.pool() + " or omit it to use the whole subnet",
                        r.pool(), null);
            }
        }
    }

    /**
     * The first free subnet of the space's default pools; see the class comment. With {@code length}
     * 0 each pool is split into its own size, otherwise into subnets of {@code length}, from the
     * pools whose base can hold one.
     */
    private IpPrefix pickFree(String space, boolean ipv6, int length) {
        String family = ipv6 ? "IPv6" : "IPv4";
        List<DefaultPool> ofFamily = defaults.get(space).stream().filter(d -> d.isIpv6() == ipv6).toList();
        if (ofFamily.isEmpty()) {
            throw new IpamException(NO_FREE_POOL, "no " + family + " default address pool is configured for the \""
                    + space + "\" address space; give an " + family + " subnet or add a pool with an " + family
                    + " base to " + DefaultPoolList.SETTING + " (" + DefaultPoolList.ENV + " for ./weft; "
                    + DefaultPoolList.SHAPE + ")");
        }
        List<DefaultPool> candidates = length == 0 ? ofFamily
                : ofFamily.stream().filter(d -> d.base().length() <= length).toList();
        if (candidates.isEmpty()) {
            throw new IpamException(INVALID_REQUEST, "no default address pool can give a /" + length + " subnet: the "
                    + family + " pools are " + describe(ofFamily) + ", each smaller than a /" + length + "; ask for /"
                    + ofFamily.stream().mapToInt(d -> d.base().length()).min().getAsInt() + " or longer, add a pool "
                    + "with a larger base to " + DefaultPoolList.SETTING + " (" + DefaultPoolList.ENV + " for ./weft; "
                    + DefaultPoolList.SHAPE + "), or give a subnet");
        }
        for (DefaultPool d : candidates) {
            int size = length == 0 ? d.size() : length;
            BigInteger start = Addresses.first(d.base());
            BigInteger end = Addresses.last(d.base());
            BigInteger block = BigInteger.ONE.shiftLeft(Addresses.width(d.base()) - size);
            BigInteger c = start;
            while (c.compareTo(end) <= 0) {
                BigInteger cLast = c.add(block).subtract(BigInteger.ONE);
                AddressPool used = usedAnywhere(c, cLast, ipv6);
                if (used != null) {
                    // Jump over the pool in use to the first candidate after it: O(pools in use), not O(candidates).
                    BigInteger past = used.lastAddress().add(BigInteger.ONE).subtract(start);
                    BigInteger[] qr = past.divideAndRemainder(block);
                    c = start.add(qr[0].add(qr[1].signum() == 0 ? BigInteger.ZERO : BigInteger.ONE).multiply(block));
                    continue;
                }
                IpPrefix p = Addresses.prefixAt(c, size, ipv6);
                if (!hostConflict.test(p)) {
                    return p;
                }
                c = c.add(block);
            }
        }
        throw new IpamException(NO_FREE_POOL, "no free " + family + " subnet" + (length == 0 ? "" : " of size /" + length)
                + " left in the default address pools (" + describe(candidates) + "): each is in use or overlaps a "
                + "route of the host; remove unused networks, add a pool to " + DefaultPoolList.SETTING + " ("
                + DefaultPoolList.ENV + " for ./weft; " + DefaultPoolList.SHAPE + ", e.g. base=10.200.0.0/16,size=24), "
                + "or give a subnet");
    }

    private static String describe(List<DefaultPool> pools) {
        return pools.stream().map(DefaultPool::toString).collect(Collectors.joining(", "));
    }

    /** Automatic pools keep clear of every address space: a sandbox may join networks of both. */
    private AddressPool usedAnywhere(BigInteger first, BigInteger last, boolean ipv6) {
        for (PoolsInUse space : inUse.values()) {
            AddressPool used = space.overlapping(first, last, ipv6);
            if (used != null) {
                return used;
            }
        }
        return null;
    }

    private AddressPool held(PoolId id) {
        AddressPool pool = pools.get(id);
        if (pool == null) {
            throw new IpamException(UNKNOWN_POOL, "pool \"" + id + "\" is not held by the default IPAM; "
                    + "request the pool before its addresses");
        }
        return pool;
    }

    static PoolId poolId(String space, IpPrefix pool, IpPrefix range) {
        return new PoolId(space + "/" + pool + (range == null ? "" : "/" + range));
    }

    /** Refuses ids this IPAM cannot have made: {@code SPACE/ADDR/LEN} or {@code SPACE/ADDR/LEN/ADDR/LEN}. */
    private static void checkFormat(PoolId id) {
        String[] parts = id.value().split("/", -1);
        boolean ok = (parts.length == 3 || parts.length == 5) && SPACES.contains(parts[0]);
        for (int i = 1; ok && i < parts.length; i += 2) {
            try {
                IpPrefix.parse(parts[i] + "/" + parts[i + 1]);
            } catch (IllegalArgumentException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IpamException(INVALID_REQUEST, "pool id \"" + id + "\" was not made by the default IPAM: "
                    + "expected SPACE/SUBNET or SPACE/SUBNET/IP-RANGE, like local/10.1.0.0/16/10.1.1.0/24");
        }
    }
}
