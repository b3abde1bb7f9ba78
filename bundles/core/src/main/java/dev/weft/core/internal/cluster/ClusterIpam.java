package dev.weft.core.internal.cluster;

import com.google.gson.Gson;
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
 * {@code ipam/SUBNET/ADDRESS} created with compare-and-set, so two hosts never hold one address;
 * the subnets in use are one key, {@code pools}, changed only by compare-and-set on its revision,
 * so two networks never get overlapping subnets even when created on two hosts at once.
 *
 * <p>Free addresses are picked at random (not lowest first): the research measured that
 * lowest-first lets the host nearest the raft leader win nearly every race. What this host learns
 * is in use is cached per subnet and refreshed when a claim is lost. An endpoint's claim also
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
    private static final Gson GSON = new Gson();

    /** What this host knows of a global network: its key's revision, and whether it is being removed. */
    public interface NetworkView {
        /** The mod revision of {@code networks/ID} this host last saw, or 0 when it does not know it. */
        long revision(String network);
    }

    private final Supplier<ClusterStore> store;
    private final List<DefaultPool> pools;
    private final Predicate<IpPrefix> hostConflict;
    private final NetworkView networks;
    /** Per subnet key: offsets known to be in use (a hint; the store decides). */
    private final Map<String, Set<BigInteger>> used = new ConcurrentHashMap<>();

    public ClusterIpam(Supplier<ClusterStore> store, List<DefaultPool> pools, Predicate<IpPrefix> hostConflict,
                       NetworkView networks) {
        this.store = store;
        this.pools = List.copyOf(pools);
        this.hostConflict = hostConflict;
        this.networks = networks;
    }

    // ---- subnets -------------------------------------------------------------------------

    /**
     * Claims a subnet for {@code network}: {@code wanted} when given (refused when it overlaps a
     * subnet in use anywhere in the cluster), else the first free one of the global pools of
     * {@code length} bits (0: the pool's size) that overlaps no route of this host.
     */
    public IpPrefix claimSubnet(String network, String name, IpPrefix wanted, int length) {
        ClusterStore s = store.get();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<KeyValue> kv = s.get(ClusterKeys.POOLS);
            Map<String, String> map = kv.map(ClusterIpam::poolMap).orElseGet(LinkedHashMap::new);
            Optional<String> mine = map.entrySet().stream().filter(e -> e.getValue().equals(network)
                    && wanted != null && e.getKey().equals(wanted.toString())).map(Map.Entry::getKey)
                    .findFirst();
            IpPrefix chosen;
            if (wanted != null) {
                if (mine.isPresent()) {
                    return wanted;
                }
                for (String used : map.keySet()) {
                    IpPrefix p = IpPrefix.parse(used);
                    if (p.overlaps(wanted)) {
                        throw new IpamException(IpamException.Reason.POOL_OVERLAP, "subnet " + wanted
                                + " overlaps " + p + " of global network " + shortId(map.get(used))
                                + " in the cluster; choose another subnet or omit --subnet to get a free one", p, null);
                    }
                }
                chosen = wanted;
            } else {
                chosen = pickFree(map.keySet(), length);
            }
            map.put(chosen.toString(), network);
            byte[] value = GSON.toJson(map).getBytes(StandardCharsets.UTF_8);
            Compare at = kv.map(k -> Compare.modRevision(ClusterKeys.POOLS, k.modRevision()))
                    .orElse(Compare.absent(ClusterKeys.POOLS));
            try {
                if (s.txn(new Txn(List.of(at), List.of(Op.put(ClusterKeys.POOLS, value)), List.of())).succeeded()) {
                    return chosen;
                }
            } catch (ClusterException e) {
                if (e.reason() != ClusterException.Reason.INDETERMINATE) {
                    throw e;
                }
                // settled below: the next round reads the map and finds this network's entry if it landed
                if (s.get(ClusterKeys.POOLS).map(ClusterIpam::poolMap).map(m -> network.equals(m.get(chosen.toString())))
                        .orElse(false)) {
                    return chosen;
                }
            }
        }
        throw new ClusterException(ClusterException.Reason.UNAVAILABLE, "network \"" + name + "\": the cluster's "
                + "subnet list kept changing under " + ATTEMPTS + " attempts; try again");
    }

    private IpPrefix pickFree(Set<String> inUse, int length) {
        List<IpPrefix> taken = inUse.stream().map(IpPrefix::parse).toList();
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
            if (kv.isEmpty()) {
                return;
            }
            Map<String, String> map = poolMap(kv.get());
            List<String> mine = map.entrySet().stream().filter(e -> e.getValue().equals(network)).map(Map.Entry::getKey).toList();
            if (mine.isEmpty()) {
                return;
            }
            mine.forEach(map::remove);
            List<Op> ops = new ArrayList<>();
            ops.add(Op.put(ClusterKeys.POOLS, GSON.toJson(map).getBytes(StandardCharsets.UTF_8)));
            mine.forEach(k -> ops.add(Op.deletePrefix(ClusterKeys.addresses(IpPrefix.parse(k)))));
            try {
                if (s.txn(new Txn(List.of(Compare.modRevision(ClusterKeys.POOLS, kv.get().modRevision())), ops,
                        List.of())).succeeded()) {
                    mine.forEach(k -> used.remove(k));
                    return;
                }
            } catch (ClusterException e) {
                if (e.reason() != ClusterException.Reason.INDETERMINATE) {
                    throw e;
                }
            }
        }
    }

    /** The subnets in use in the cluster and their networks. */
    public Map<String, String> subnets() {
        return store.get().get(ClusterKeys.POOLS).map(ClusterIpam::poolMap).orElseGet(Map::of);
    }

    private static Map<String, String> poolMap(KeyValue kv) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonParser.parseString(kv.text()).getAsJsonObject().entrySet()
                .forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
        return out;
    }

    private static String shortId(String id) {
        return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
    }

    // ---- the IPAM SPI --------------------------------------------------------------------

    public static PoolId poolId(IpPrefix subnet, IpPrefix range) {
        return new PoolId(SPACE + "/" + subnet + (range == null ? "" : "/" + range));
    }

    @Override
    public AddressSpaces addressSpaces() {
        return SPACES;
    }

    /** Only for the replay of a recorded network's leases: the subnet was claimed when the network was made. */
    @Override
    public PoolAllocation requestPool(PoolRequest request) {
        if (request.pool() == null) {
            throw new IpamException(IpamException.Reason.INVALID_REQUEST, "the cluster's IPAM gives subnets only when a "
                    + "global network is created");
        }
        return new PoolAllocation(poolId(request.pool(), request.subPool()), request.pool(),
                request.pool().addressAt(BigInteger.ONE));
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
        IpPrefix range = pool.range != null ? pool.range : pool.subnet;
        BigInteger first = offset(pool.subnet, range.address());
        BigInteger size = BigInteger.ONE.shiftLeft((range.isIpv4() ? 32 : 128) - range.length());
        boolean refreshed = false;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Set<BigInteger> known = used.computeIfAbsent(ClusterKeys.subnet(pool.subnet), k -> load(s, pool.subnet));
            BigInteger pick = pickFree(pool.subnet, first, size, known);
            if (pick == null) {
                if (refreshed) {
                    throw new IpamException(IpamException.Reason.POOL_EXHAUSTED, "no free address is left in "
                            + range + " in the cluster", pool.subnet, null);
                }
                used.put(ClusterKeys.subnet(pool.subnet), load(s, pool.subnet));
                refreshed = true;
                continue;
            }
            InetAddress a = pool.subnet.addressAt(pick);
            if (claim(s, pool, a, request.kind()).isEmpty()) {
                known.add(pick);
                return new AddressAllocation(new InterfaceAddress(a, pool.subnet.length()));
            }
            known.add(pick); // someone else's: try another
        }
        throw new IpamException(IpamException.Reason.POOL_EXHAUSTED, "lost " + ATTEMPTS + " races for an address in "
                + range + " to other hosts; try again", pool.subnet, null);
    }

    @Override
    public void releaseAddress(PoolId id, InetAddress address) {
        Pool pool = Pool.parse(id);
        ClusterStore s = store.get();
        String key = ClusterKeys.address(pool.subnet, address);
        Optional<KeyValue> kv = s.get(key);
        if (kv.isEmpty() || !s.nodeId().equals(holder(kv.get()))) {
            return; // not held, or someone else's (reclaimed meanwhile): nothing of ours to give back
        }
        s.txn(new Txn(List.of(Compare.modRevision(key, kv.get().modRevision())), List.of(Op.delete(key)), List.of()));
        Set<BigInteger> known = used.get(ClusterKeys.subnet(pool.subnet));
        if (known != null) {
            known.remove(offset(pool.subnet, address));
        }
    }

    @Override
    public SubnetStatus poolStatus(PoolId id) {
        Pool pool = Pool.parse(id);
        int inUse = store.get().range(ClusterKeys.addresses(pool.subnet)).kvs().size();
        IpPrefix range = pool.range != null ? pool.range : pool.subnet;
        BigInteger size = BigInteger.ONE.shiftLeft((range.isIpv4() ? 32 : 128) - range.length());
        BigInteger usable = range.isIpv4() && range.length() < 31 ? size.subtract(BigInteger.TWO) : size;
        return new SubnetStatus(BigInteger.valueOf(inUse), usable.subtract(BigInteger.valueOf(inUse)).max(BigInteger.ZERO));
    }

    /** Who holds {@code key}'s address: the node in its claim. */
    static String holder(KeyValue kv) {
        try {
            JsonObject o = JsonParser.parseString(kv.text()).getAsJsonObject();
            return o.has("node") ? o.get("node").getAsString() : "";
        } catch (RuntimeException e) {
            return "";
        }
    }

    private void claimOrThrow(ClusterStore s, Pool pool, InetAddress a, AddressRequest.Kind kind) {
        Optional<KeyValue> lost = claim(s, pool, a, kind);
        if (lost.isEmpty()) {
            return;
        }
        String holder = holder(lost.get());
        if (holder.equals(s.nodeId()) || kind != AddressRequest.Kind.ENDPOINT && isGatewayOrAux(lost.get())) {
            return; // this host's already (a replay after a restart), or the network's own gateway/aux
        }
        throw new IpamException(IpamException.Reason.ADDRESS_IN_USE, "address " + IpAddresses.format(a)
                + " is in use in the cluster (held by host " + holder + ")", pool.subnet, a);
    }

    private static boolean isGatewayOrAux(KeyValue kv) {
        try {
            JsonObject o = JsonParser.parseString(kv.text()).getAsJsonObject();
            return o.has("kind") && !"ENDPOINT".equals(o.get("kind").getAsString());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Claims one address; empty when won, else what holds it. */
    private Optional<KeyValue> claim(ClusterStore s, Pool pool, InetAddress a, AddressRequest.Kind kind) {
        String key = ClusterKeys.address(pool.subnet, a);
        JsonObject claim = new JsonObject();
        claim.addProperty("node", s.nodeId());
        claim.addProperty("kind", kind.name());
        claim.addProperty("claim", UUID.randomUUID().toString());
        byte[] value = claim.toString().getBytes(StandardCharsets.UTF_8);
        String network = kind == AddressRequest.Kind.ENDPOINT ? networkOf(s, pool.subnet) : null;
        long revision = network == null ? 0 : networks.revision(network);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<Compare> compares = new ArrayList<>();
            compares.add(Compare.absent(key));
            if (revision > 0) {
                compares.add(Compare.modRevision(ClusterKeys.network(network), revision));
            }
            List<Op> failure = network == null ? List.of(Op.get(key))
                    : List.of(Op.get(key), Op.get(ClusterKeys.network(network)));
            TxnResult r;
            try {
                r = s.txn(new Txn(compares, List.of(Op.put(key, value)), failure));
            } catch (ClusterException e) {
                if (e.reason() != ClusterException.Reason.INDETERMINATE) {
                    throw e;
                }
                Optional<KeyValue> now = s.get(key); // did it land? the value is unique to this attempt
                if (now.isPresent()) {
                    return java.util.Arrays.equals(now.get().value(), value) ? Optional.empty() : now;
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
                throw new IpamException(IpamException.Reason.INVALID_REQUEST, "the network of subnet " + pool.subnet
                        + " is being removed in the cluster");
            }
            revision = net.get(0).modRevision(); // compare against what was just read
        }
        throw new ClusterException(ClusterException.Reason.UNAVAILABLE, "address " + IpAddresses.format(a)
                + ": the network kept changing in the cluster under " + ATTEMPTS + " attempts");
    }

    private String networkOf(ClusterStore s, IpPrefix subnet) {
        return s.get(ClusterKeys.POOLS).map(ClusterIpam::poolMap).map(m -> m.get(subnet.toString())).orElse(null);
    }

    private static Set<BigInteger> load(ClusterStore s, IpPrefix subnet) {
        Set<BigInteger> out = ConcurrentHashMap.newKeySet();
        String prefix = ClusterKeys.addresses(subnet);
        for (KeyValue kv : s.range(prefix).kvs()) {
            try {
                out.add(offset(subnet, IpAddresses.parse(kv.key().substring(prefix.length()))));
            } catch (RuntimeException ignored) {
                // not an address key: not ours to interpret
            }
        }
        return out;
    }

    private static BigInteger offset(IpPrefix subnet, InetAddress a) {
        return new BigInteger(1, a.getAddress()).subtract(new BigInteger(1, subnet.address().getAddress()));
    }

    /** A random free offset in [first, first+size), skipping the network and broadcast addresses of IPv4. */
    private static BigInteger pickFree(IpPrefix subnet, BigInteger first, BigInteger size, Set<BigInteger> known) {
        BigInteger subnetSize = BigInteger.ONE.shiftLeft((subnet.isIpv4() ? 32 : 128) - subnet.length());
        BigInteger last = subnetSize.subtract(BigInteger.ONE);
        Predicate<BigInteger> usable = o -> !known.contains(o)
                && !(subnet.isIpv4() && subnet.length() < 31 && (o.signum() == 0 || o.equals(last)));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 32; i++) {
            BigInteger o = first.add(new BigInteger(size.bitLength(), random).mod(size));
            if (usable.test(o)) {
                return o;
            }
        }
        BigInteger start = new BigInteger(size.bitLength(), random).mod(size);
        long limit = size.min(BigInteger.valueOf(1 << 22)).longValueExact();
        for (long i = 0; i < limit; i++) {
            BigInteger o = first.add(start.add(BigInteger.valueOf(i)).mod(size));
            if (usable.test(o)) {
                return o;
            }
        }
        return null;
    }

    /** A pool id of this IPAM: {@code global/SUBNET} or {@code global/SUBNET/RANGE}. */
    private record Pool(IpPrefix subnet, IpPrefix range) {
        static Pool parse(PoolId id) {
            String[] parts = id.value().split("/", -1);
            if (!parts[0].equals(SPACE) || parts.length != 3 && parts.length != 5) {
                throw new IpamException(IpamException.Reason.UNKNOWN_POOL, "pool id \"" + id
                        + "\" is not one of the cluster's IPAM (global/SUBNET)");
            }
            IpPrefix subnet = IpPrefix.parse(parts[1] + "/" + parts[2]);
            IpPrefix range = parts.length == 5 ? IpPrefix.parse(parts[3] + "/" + parts[4]) : null;
            return new Pool(subnet, range);
        }
    }

    /** Addresses of {@code subnet} held by {@code node} (for the reclaim of a host that is gone). */
    public static List<KeyValue> heldBy(ClusterStore s, String node) {
        List<KeyValue> out = new ArrayList<>();
        for (KeyValue kv : s.range(ClusterKeys.IPAM).kvs()) {
            if (node.equals(holder(kv)) && !isGatewayOrAux(kv)) {
                out.add(kv);
            }
        }
        return out;
    }
}
