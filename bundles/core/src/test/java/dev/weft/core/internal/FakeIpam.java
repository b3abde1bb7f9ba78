package dev.weft.core.internal;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressAllocation;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A third-party-style IPAM driver for controller tests: pools only as requested ({@code --subnet}),
 * endpoints get the first free address of the list in the option {@code addresses}, in the list's
 * order. Every call is recorded as one line, e.g. {@code requestPool 10.77.0.0/24 {addresses=...}}.
 */
final class FakeIpam implements IpamDriver {
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<PoolId, Pool> pools = new HashMap<>();

    private record Pool(IpPrefix prefix, List<InetAddress> list, Set<InetAddress> taken) {}

    @Override
    public AddressSpaces addressSpaces() {
        return new AddressSpaces("fake-local", "fake-global");
    }

    @Override
    public synchronized PoolAllocation requestPool(PoolRequest r) {
        calls.add("requestPool " + r.pool() + " " + new java.util.TreeMap<>(r.options()));
        if (r.pool() == null) {
            throw new IpamException(IpamException.Reason.INVALID_REQUEST, "the fake IPAM picks no subnets: give one");
        }
        PoolId id = new PoolId("fake/" + r.pool());
        if (pools.containsKey(id)) {
            throw new IpamException(IpamException.Reason.POOL_OVERLAP, "pool " + r.pool() + " is in use", r.pool(), null);
        }
        for (String k : r.options().keySet()) {
            if (!k.equals("addresses")) {
                throw new IpamException(IpamException.Reason.INVALID_REQUEST, "option \"" + k + "\" is not supported");
            }
        }
        List<InetAddress> list = new ArrayList<>();
        String text = r.options().getOrDefault("addresses", "");
        Arrays.stream(text.split(",")).filter(a -> !a.isBlank()).map(IpAddresses::parse).forEach(list::add);
        pools.put(id, new Pool(r.pool(), list, new LinkedHashSet<>()));
        return new PoolAllocation(id, r.pool(), null);
    }

    @Override
    public synchronized void releasePool(PoolId pool) {
        calls.add("releasePool " + pool);
        pools.remove(pool);
    }

    @Override
    public synchronized AddressAllocation requestAddress(PoolId id, AddressRequest r) {
        calls.add("requestAddress " + id + " " + r.kind() + (r.preferred() == null ? "" : " " + IpAddresses.format(r.preferred())));
        Pool p = pools.get(id);
        if (p == null) {
            throw new IpamException(IpamException.Reason.UNKNOWN_POOL, "no pool " + id);
        }
        InetAddress a = r.preferred();
        if (a == null && r.kind() == AddressRequest.Kind.GATEWAY) {
            a = p.prefix().address(); // no gateway suggested: the test always gives one, or uses the first list entry
        }
        if (a == null) {
            a = p.list().stream().filter(x -> !p.taken().contains(x)).findFirst().orElseThrow(() -> new IpamException(
                    IpamException.Reason.POOL_EXHAUSTED, "no address left in " + id));
        }
        if (!p.taken().add(a)) {
            throw new IpamException(IpamException.Reason.ADDRESS_IN_USE, IpAddresses.format(a) + " is in use", null, a);
        }
        return new AddressAllocation(new InterfaceAddress(a, p.prefix().length()));
    }

    @Override
    public synchronized void releaseAddress(PoolId id, InetAddress address) {
        calls.add("releaseAddress " + id + " " + IpAddresses.format(address));
        Pool p = pools.get(id);
        if (p != null) {
            p.taken().remove(address);
        }
    }

    synchronized Set<String> taken(String pool) {
        Pool p = pools.get(new PoolId(pool));
        return p == null ? Set.of() : p.taken().stream().map(IpAddresses::format).collect(java.util.stream.Collectors
                .toCollection(java.util.TreeSet::new));
    }
}
