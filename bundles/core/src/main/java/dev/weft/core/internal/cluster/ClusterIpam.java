package dev.weft.core.internal.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.SubnetStatus;
import dev.weft.core.internal.ipam.DefaultPool;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressAllocation;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.ClusterStore.Compare;
import dev.weft.spi.ClusterStore.KeyValue;
import dev.weft.spi.ClusterStore.Op;
import dev.weft.spi.ClusterStore.Txn;
import dev.weft.spi.ClusterStore.TxnResult;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.IpamException;
import dev.weft.spi.IpamPoolStatus;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The addresses of global networks, kept in the cluster store so that every host allocates from
 * one truth (the research notes' "global IPAM by CAS"): each address in use is a key
 * {@code ipam/NETWORK/ADDRESS} created with compare-and-set, so two hosts never hold one address;
 * the subnets of every global network are one key, {@code pools}, changed only by compare-and-set
 * on its revision, so a subnet this IPAM picks never overlaps another global network's, even when
 * two hosts create networks at once. A subnet the user gives may overlap another global network's:
 * each overlay is a segment of its own (its own namespace on every host), so the same subnet on two
 * overlays is isolated, as the data plane was verified to be.
 *
 * <p>Free addresses are picked at random (not lowest first): the research measured that
 * lowest-first lets the host nearest the raft leader win nearly every race. What this host learns
 * is in use is cached per network and refreshed when a claim is lost. An endpoint's claim also
 * compares the network's own key at the revision this host knows, so no address is handed out on
 * a network that another host is removing.
 *
 * <p>A claim whose answer was lost ({@link ClusterException.Reason#INDETERMINATE}) is settled by
 * reading the key: its value carries this host's id and a token unique to the attempt.
 */
public final class ClusterIpam implements IpamDriver, IpamPoolStatus {
    public static final String SPACE = "global";
    private static final AddressSpaces SPACES = new AddressSpaces("local", SPACE); // only global is served
    private static final int ATTEMPTS = 64;

    /** What this host knows of a global network: its key's revision. */
    public interface NetworkView {
        /** The mod revision of {@code networks/ID} this host last saw, or 0 when it does not know it. */
        long revision(String network);
    }

    private final Supplier<ClusterStore> store;
    private final List<DefaultPool> pools;
    private final Predicate<IpPrefix> hostConflict;
    private final NetworkView networks;
    /** Where releases go: off the caller's path, in order (the cluster's publisher thread). */
    private final java.util.concurrent.Executor releases;
    /** Per network: offsets (from the subnet's base) known to be in use (a hint; the store decides). */
    private final Map<String, Set<BigInteger>> used = new ConcurrentHashMap<>();

    public ClusterIpam(Supplier<ClusterStore> store, List<DefaultPool> pools, Predicate<IpPrefix> hostConflict,
                       NetworkView networks) {
        this(store, pools, hostConflict, networks, Runnable::run);
    }

    /** @param releases runs the store's part of {@link #releaseAddress} (off the caller's path, in order) */
    public ClusterIpam(Supplier<ClusterStore> store, List<DefaultPool> pools, Predicate<IpPrefix> hostConflict,
                       NetworkView networks, java.util.concurrent.Executor releases) {
        this.releases = releases;
        this.store = store;
        this.pools = List.copyOf(pools);
        this.hostConflict = hostConflict;
        this.networks = networks;
    }

    // ---- subnets -------------------------------------------------------------------------

    /**
     * Claims a subnet for {@code network}: {@code wanted} when given, else the first subnet of
     * {@code length} bits (0: the pool's size) of the global pools that overlaps no global network's
     * subnet and no route of this host.
     */
    public IpPrefix claimSubnet(String network, String name, IpPrefix wanted, int length) {
        ClusterStore s = store.get();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<KeyValue> kv = s.get(ClusterKeys.POOLS);
            Map<String, List<String>> map = kv.map(ClusterIpam::poolMap).orElseGet(LinkedHashMap::new);
            List<String> mine = new ArrayList<>(map.getOrDefault(network, List.of()));
            if (wanted != null && mine.contains(wanted.toString())) {
                return wanted;
            }
            IpPrefix chosen = wanted != null ? wanted : pickFree(map, length);
            mine.add(chosen.toString());
            map.put(network, mine);
            Compare at = kv.map(k -> Compare.modRevision(ClusterKeys.POOLS, k.modRevision()))
                    .orElse(Compare.absent(ClusterKeys.POOLS));
            try {
                if (s.txn(new Txn(List.of(at), List.of(Op.put(ClusterKeys.POOLS, json(map))), List.of())).succeeded()) {
                    return chosen;
                }
            } catch (ClusterException e) {
                if (e.reason() != ClusterException.Reason.INDETERMINATE) {
                    throw e;
                }
                boolean landed = s.get(ClusterKeys.POOLS).map(ClusterIpam::poolMap)
                        .map(m -> m.getOrDefault(network, List.of()).contains(chosen.toString())).orElse(false);
                if (landed) {
                    return chosen;
                }
            }
        }
        throw new ClusterException(ClusterException.Reason.UNAVAILABLE, "network \"" + name + "\": the cluster's "
                + "subnet list kept changing under " + ATTEMPTS + " attempts; try again");
    }

    private IpPrefix pickFree(Map<String, List<String>> inUse, int length) {
        List<IpPrefix> taken = inUse.values().stream().flatMap(List::stream).map(IpPrefix::parse).toList();
        for (DefaultPool pool : pools) {
            int size = length == 0 ? pool.size() : length;
            if (size < pool.base().length() || !pool.base().isIpv4()) {
                continue;
            }
            BigInteger count = BigInteger.ONE.shiftLeft(size - pool.base().length());
            BigInteger step = BigInteger.ONE.shiftLeft(32 - size);
            for (BigInteger i = BigInteger.ZERO; i.compareTo(count) < 0; i = i.add(BigInteger.ONE)) {
                IpPrefix candidate = new IpPrefix(pool.base().addressAt(i.multiply(step)), size);
                if (taken.stream().noneMatch(candidate::overlaps) && !hostConflict.test(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IpamException(IpamException.Reason.NO_FREE_POOL, "no free " + (length == 0 ? "" : "/" + length + " ")
                + "subnet is left in the global pools " + pools + "; give a --subnet");
    }

    /** Gives back every subnet of {@code network} and every address held in them. */
    public void releaseSubnets(String network) {
        ClusterStore s = store.get();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<KeyValue> kv = s.get(ClusterKeys.POOLS);
            Map<String, List<String>> map = kv.map(ClusterIpam::poolMap).orElseGet(LinkedHashMap::new);
            List<Op> ops = new ArrayList<>();
            ops.add(Op.deletePrefix(ClusterKeys.addresses(network)));
            List<Compare> compares = new ArrayList<>();
            if (map.remove(network) != null) {
                ops.add(Op.put(ClusterKeys.POOLS, json(map)));
                compares.add(Compare.modRevision(ClusterKeys.POOLS, kv.get().modRevision()));
            }
            try {
                if (s.txn(new Txn(compares, ops, List.of())).succeeded()) {
                    used.remove(network);
                    return;
                }
            } catch (ClusterException e) {
                if (e.reason() != ClusterException.Reason.INDETERMINATE) {
                    throw e;
                }
            }
        }
    }

    private static Map<String, List<String>> poolMap(KeyValue kv) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        JsonParser.parseString(kv.text()).getAsJsonObject().entrySet().forEach(e -> {
            List<String> subnets = new ArrayList<>();
            e.getValue().getAsJsonArray().forEach(x -> subnets.add(x.getAsString()));
            out.put(e.getKey(), subnets);
        });
        return out;
    }

    private static byte[] json(Map<String, List<String>> map) {
        JsonObject o = new JsonObject();
        map.forEach((k, v) -> {
            JsonArray a = new JsonArray();
            v.forEach(a::add);
            o.add(k, a);
        });
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---- the IPAM SPI --------------------------------------------------------------------

    /** The pool id of a global network's subnet: {@code global/NETWORK/SUBNET}. */
    public static PoolId poolId(String network, IpPrefix subnet) {
        return new PoolId(SPACE + "/" + network + "/" + subnet);
    }

    @Override
    public AddressSpaces addressSpaces() {
        return SPACES;
    }

    /** Only for the replay of a recorded network's leases: its pool ids were made when the network was. */
    @Override
    public PoolAllocation requestPool(PoolRequest request) {
        throw new IpamException(IpamException.Reason.INVALID_REQUEST, "the cluster's IPAM gives subnets only when a "
                + "global network is created");
    }

    @Override
    public void releasePool(PoolId id) {
        // subnets go with their network: releaseSubnets
    }

    @Override
    public AddressAllocation requestAddress(PoolId id, AddressRequest request) {
        Pool pool = Pool.parse(id);
        ClusterStore s = store.get();
        if (request.preferred() != null) {
            if (!pool.subnet.contains(request.preferred())) {
                throw new IpamException(IpamException.Reason.ADDRESS_OUTSIDE_POOL, "address "
                        + IpAddresses.format(request.preferred()) + " is not in subnet " + pool.subnet, pool.subnet,
                        request.preferred());
            }
            claimOrThrow(s, pool, request.preferred(), request.kind());
            return new AddressAllocation(new InterfaceAddress(request.preferred(), pool.subnet.length()));
        }
        BigInteger size = BigInteger.ONE.shiftLeft((pool.subnet.isIpv4() ? 32 : 128) - pool.subnet.length());
        boolean refreshed = false;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Set<BigInteger> known = used.computeIfAbsent(pool.network, k -> load(s, pool));
            BigInteger pick = pickFree(pool.subnet, size, known);
            if (pick == null) {
                if (refreshed) {
                    throw new IpamException(IpamException.Reason.POOL_EXHAUSTED, "no free address is left in "
                            + pool.subnet + " in the cluster", pool.subnet, null);
                }
                used.put(pool.network, load(s, pool));
                refreshed = true;
                continue;
            }
            InetAddress a = pool.subnet.addressAt(pick);
            known.add(pick);
            if (claim(s, pool, a, request.kind()).isEmpty()) {
                return new AddressAllocation(new InterfaceAddress(a, pool.subnet.length()));
            }
            // another host's: try another
        }
        throw new IpamException(IpamException.Reason.POOL_EXHAUSTED, "lost " + ATTEMPTS + " races for an address in "
                + pool.subnet + " to other hosts; try again", pool.subnet, null);
    }

    @Override
    /**
     * Gives an address back: its key deleted if this host holds it (compared, so a reclaimed and
     * re-claimed address stays its new holder's). The store's part runs on {@code releases}, off the
     * caller's path (a removal does not wait for etcd); a failure is logged, and the address then
     * goes with the reclaim of this host's claims or stays until the network is removed.
     */
    public void releaseAddress(PoolId id, InetAddress address) {
        Pool pool = Pool.parse(id);
        ClusterStore s = store.get();
        releases.execute(() -> {
            try {
                String key = ClusterKeys.address(pool.network, address);
                Optional<KeyValue> kv = s.get(key);
                if (kv.isEmpty() || !s.nodeId().equals(holder(kv.get()))) {
                    return; // not held, or someone else's (reclaimed meanwhile): nothing of ours to give back
                }
                s.txn(new Txn(List.of(Compare.modRevision(key, kv.get().modRevision())), List.of(Op.delete(key)), List.of()));
                Set<BigInteger> known = used.get(pool.network);
                if (known != null) {
                    known.remove(offset(pool.subnet, address));
                }
            } catch (RuntimeException e) {
                java.util.logging.Logger.getLogger(ClusterIpam.class.getName()).warning("cluster: address "
                        + IpAddresses.format(address) + " not given back to the store: " + e.getMessage());
            }
        });
    }

    @Override
    public SubnetStatus poolStatus(PoolId id) {
        Pool pool = Pool.parse(id);
        long inUse = store.get().range(ClusterKeys.addresses(pool.network)).kvs().stream()
                .filter(kv -> pool.subnet.contains(addressOf(kv, pool))).count();
        BigInteger size = BigInteger.ONE.shiftLeft((pool.subnet.isIpv4() ? 32 : 128) - pool.subnet.length());
        BigInteger usable = pool.subnet.isIpv4() && pool.subnet.length() < 31 ? size.subtract(BigInteger.TWO) : size;
        return new SubnetStatus(BigInteger.valueOf(inUse), usable.subtract(BigInteger.valueOf(inUse)).max(BigInteger.ZERO));
    }

    /** Who holds an address key: the node in its claim. */
    static String holder(KeyValue kv) {
        return ClusterKeys.field(kv, "node");
    }


    private static boolean isEndpoint(KeyValue kv) {
        return AddressRequest.Kind.ENDPOINT.name().equals(ClusterKeys.field(kv, "kind"));
    }

    private void claimOrThrow(ClusterStore s, Pool pool, InetAddress a, AddressRequest.Kind kind) {
        Optional<KeyValue> lost = claim(s, pool, a, kind);
        if (lost.isEmpty()) {
            return;
        }
        String holder = holder(lost.get());
        if (holder.equals(s.nodeId()) || kind != AddressRequest.Kind.ENDPOINT && !isEndpoint(lost.get())) {
            return; // this host's already (a replay after a restart), or the network's own gateway
        }
        throw new IpamException(IpamException.Reason.ADDRESS_IN_USE, "address " + IpAddresses.format(a)
                + " is in use in the cluster (held by host " + holder + ")", pool.subnet, a);
    }

    /** Claims one address; empty when won, else what holds it. */
    private Optional<KeyValue> claim(ClusterStore s, Pool pool, InetAddress a, AddressRequest.Kind kind) {
        String key = ClusterKeys.address(pool.network, a);
        JsonObject claim = new JsonObject();
        claim.addProperty("node", s.nodeId());
        claim.addProperty("kind", kind.name());
        claim.addProperty("claim", UUID.randomUUID().toString());
        byte[] value = claim.toString().getBytes(StandardCharsets.UTF_8);
        boolean guarded = kind == AddressRequest.Kind.ENDPOINT;
        long revision = guarded ? networks.revision(pool.network) : 0;
        String networkKey = ClusterKeys.network(pool.network);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<Compare> compares = new ArrayList<>();
            compares.add(Compare.absent(key));
            if (revision > 0) {
                compares.add(Compare.modRevision(networkKey, revision));
            }
            List<Op> failure = guarded ? List.of(Op.get(key), Op.get(networkKey)) : List.of(Op.get(key));
            TxnResult r;
            try {
                r = s.txn(new Txn(compares, List.of(Op.put(key, value)), failure));
            } catch (ClusterException e) {
                if (e.reason() != ClusterException.Reason.INDETERMINATE) {
                    throw e;
                }
                Optional<KeyValue> now = s.get(key); // did it land? the value is unique to this attempt
                if (now.isPresent()) {
                    return Arrays.equals(now.get().value(), value) ? Optional.empty() : now;
                }
                continue;
            }
            if (r.succeeded()) {
                return Optional.empty();
            }
            if (!r.results().get(0).isEmpty()) {
                return Optional.of(r.results().get(0).get(0));
            }
            // the address is free, but the network changed since this host saw it
            List<KeyValue> net = r.results().get(1);
            if (net.isEmpty() || net.get(0).text().contains("\"REMOVING\"")) {
                throw new IpamException(IpamException.Reason.INVALID_REQUEST, "the network is being removed in the cluster");
            }
            revision = net.get(0).modRevision(); // compare against what was just read
        }
        throw new ClusterException(ClusterException.Reason.UNAVAILABLE, "address " + IpAddresses.format(a)
                + ": the network kept changing in the cluster under " + ATTEMPTS + " attempts");
    }

    private static InetAddress addressOf(KeyValue kv, Pool pool) {
        String prefix = ClusterKeys.addresses(pool.network);
        try {
            return IpAddresses.parse(kv.key().substring(prefix.length()));
        } catch (RuntimeException e) {
            return pool.subnet.address(); // not an address key: counted nowhere useful
        }
    }

    private static Set<BigInteger> load(ClusterStore s, Pool pool) {
        Set<BigInteger> out = ConcurrentHashMap.newKeySet();
        for (KeyValue kv : s.range(ClusterKeys.addresses(pool.network)).kvs()) {
            InetAddress a = addressOf(kv, pool);
            if (pool.subnet.contains(a)) {
                out.add(offset(pool.subnet, a));
            }
        }
        return out;
    }

    private static BigInteger offset(IpPrefix subnet, InetAddress a) {
        return new BigInteger(1, a.getAddress()).subtract(new BigInteger(1, subnet.address().getAddress()));
    }

    /** A random free offset in the subnet, skipping the network and broadcast addresses of IPv4. */
    private static BigInteger pickFree(IpPrefix subnet, BigInteger size, Set<BigInteger> known) {
        BigInteger last = size.subtract(BigInteger.ONE);
        Predicate<BigInteger> usable = o -> !known.contains(o)
                && !(subnet.isIpv4() && subnet.length() < 31 && (o.signum() == 0 || o.equals(last)));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 32; i++) {
            BigInteger o = new BigInteger(size.bitLength(), random).mod(size);
            if (usable.test(o)) {
                return o;
            }
        }
        BigInteger start = new BigInteger(size.bitLength(), random).mod(size);
        long limit = size.min(BigInteger.valueOf(1 << 22)).longValueExact();
        for (long i = 0; i < limit; i++) {
            BigInteger o = start.add(BigInteger.valueOf(i)).mod(size);
            if (usable.test(o)) {
                return o;
            }
        }
        return null;
    }

    /** A pool id of this IPAM: {@code global/NETWORK/ADDRESS/LENGTH}. */
    private record Pool(String network, IpPrefix subnet) {
        static Pool parse(PoolId id) {
            String[] parts = id.value().split("/", -1);
            if (parts.length != 4 || !parts[0].equals(SPACE)) {
                throw new IpamException(IpamException.Reason.UNKNOWN_POOL, "pool id \"" + id
                        + "\" is not one of the cluster's IPAM (global/NETWORK/SUBNET)");
            }
            return new Pool(parts[1], IpPrefix.parse(parts[2] + "/" + parts[3]));
        }
    }

    /** Of the address keys {@code kvs} (a range of {@code ipam/}), the endpoint addresses held by {@code node}. */
    public static List<KeyValue> heldBy(List<KeyValue> kvs, String node) {
        List<KeyValue> out = new ArrayList<>();
        for (KeyValue kv : kvs) {
            if (node.equals(holder(kv)) && isEndpoint(kv)) {
                out.add(kv);
            }
        }
        return out;
    }
}
