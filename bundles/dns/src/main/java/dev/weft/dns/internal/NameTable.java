package dev.weft.dns.internal;

import dev.weft.api.EndpointInfo;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who answers to which name on which network. Writers (the controller's listener events, one at a
 * time) build a new immutable {@link State} and publish it with one volatile write, so a query
 * sees either all of an event or none of it, and never waits for a writer: the moment an event
 * callback returns, every query after it sees the change.
 */
public final class NameTable {

    /** One endpoint as names see it; {@code names} are lower case. */
    public record Entry(String endpointId, String networkId, String network, String sandboxId, String sandbox,
                        InetAddress ipv4, InetAddress ipv6, List<String> names) {
        static Entry of(EndpointInfo e) {
            List<String> names = e.dnsNames().stream().map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
            return new Entry(e.id(), e.networkId(), e.network(), e.sandboxId(), e.sandbox(),
                    e.ipv4() == null ? null : e.ipv4().address(), e.ipv6() == null ? null : e.ipv6().address(), names);
        }

        /**
         * An endpoint of another host of the cluster (from its record in the cluster store): it
         * has names and addresses here, and never asks (its sandbox is not on this host), so its
         * sandbox id is one no local sandbox has.
         */
        public static Entry remote(String endpointId, String networkId, String node, String sandbox, InetAddress ipv4,
                                   InetAddress ipv6, List<String> names) {
            List<String> lower = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
            return new Entry(endpointId, networkId, "", "remote:" + node + "/" + sandbox, sandbox, ipv4, ipv6, lower);
        }

        Entry withNetwork(String name) {
            return name.equals(network) ? this : new Entry(endpointId, networkId, name, sandboxId, sandbox, ipv4, ipv6, names);
        }
    }

    /**
     * What a network is, apart from its endpoints: {@code names} false for a predefined network
     * (Docker's {@code bridge}, the egress network {@code docker_gwbridge}): its endpoints are known,
     * so that they can be recognised as askers, but it contributes no names and no reverse names;
     * {@code global} for a network across hosts; {@code gateways} its subnets' gateway addresses.
     */
    public record Meta(String id, String name, boolean internal, boolean names, boolean global, List<Key> gateways) {
        public Meta {
            gateways = List.copyOf(gateways);
        }

        static Meta of(dev.weft.api.NetworkInfo n) {
            List<Key> gws = new ArrayList<>();
            for (dev.weft.api.SubnetInfo s : n.subnets()) {
                if (s.gateway() != null) {
                    gws.add(Key.of(s.gateway()));
                }
            }
            return new Meta(n.id(), n.name(), n.internal(), !n.predefined(), "global".equals(n.scope()), gws);
        }
    }

    /**
     * One network's names: {@code byName} keys are lower case, values in join order (this host's
     * endpoints first, then the other hosts' of a global network). {@code byEndpoint} holds this
     * host's endpoints, {@code remote} the other hosts'.
     */
    public record Net(Meta meta, String id, String name, String lowerName, boolean internal, Map<String, Entry> byEndpoint,
                      Map<String, Entry> remote, Map<String, List<Entry>> byName, Map<Key, Entry> byAddress) {
        static Net of(Meta meta, Map<String, Entry> byEndpoint, Map<String, Entry> remote) {
            Map<String, List<Entry>> byName = new HashMap<>();
            Map<Key, Entry> byAddress = new HashMap<>();
            Map<String, Entry> remotes = new LinkedHashMap<>();
            for (Entry e : remote.values()) {
                remotes.put(e.endpointId(), e.withNetwork(meta.name()));
            }
            List<Entry> all = new ArrayList<>(byEndpoint.values());
            remotes.values().stream().filter(e -> !byEndpoint.containsKey(e.endpointId())).forEach(all::add);
            for (Entry e : all) {
                if (meta.names()) {
                    for (String n : e.names()) {
                        byName.computeIfAbsent(n, k -> new ArrayList<>(1)).add(e);
                    }
                }
                if (e.ipv4() != null) {
                    byAddress.putIfAbsent(Key.of(e.ipv4()), e);
                }
                if (e.ipv6() != null) {
                    byAddress.putIfAbsent(Key.of(e.ipv6()), e);
                }
            }
            byName.replaceAll((k, v) -> List.copyOf(v));
            return new Net(meta, meta.id(), meta.name(), meta.name().toLowerCase(Locale.ROOT), meta.internal(),
                    Collections.unmodifiableMap(byEndpoint), Collections.unmodifiableMap(remotes), Map.copyOf(byName),
                    Map.copyOf(byAddress));
        }

        /** Whether it gives names (not predefined). */
        public boolean names() {
            return meta.names();
        }

        Net withLocal(Map<String, Entry> local) {
            return of(meta, local, remote);
        }

        Net withRemote(Map<String, Entry> remotes) {
            return of(meta, byEndpoint, remotes);
        }
    }

    /** An address by its bytes only (an IPv6 source's scope id must not matter). */
    public record Key(byte[] bytes) {
        public static Key of(InetAddress a) {
            return new Key(a.getAddress());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return Arrays.toString(bytes);
        }
    }

    /**
     * Everything at one moment; never changed once published. {@code byGateway}: the local (not
     * global) networks by their gateway addresses, where their sandboxes' queries come from.
     */
    public record State(Map<String, Net> networks, Map<String, Set<String>> sandboxNetworks,
                        Map<Key, List<String>> byGateway) {
        static final State EMPTY = new State(Map.of(), Map.of(), Map.of());

        State(Map<String, Net> networks, Map<String, Set<String>> sandboxNetworks) {
            this(networks, sandboxNetworks, gateways(networks));
        }

        private static Map<Key, List<String>> gateways(Map<String, Net> networks) {
            Map<Key, List<String>> out = new HashMap<>();
            for (Net n : networks.values()) {
                if (!n.meta().global()) {
                    for (Key k : n.meta().gateways()) {
                        out.computeIfAbsent(k, x -> new ArrayList<>(1)).add(n.id());
                    }
                }
            }
            out.replaceAll((k, v) -> List.copyOf(v));
            return Map.copyOf(out);
        }

        /**
         * The sandbox of this host that sent a query from {@code source} to {@code listenerAddress},
         * where the networks {@code served} are served: the endpoint with that source address on a
         * local network whose gateway is the listener's address (for a bridge network itself; for an
         * overlay, whose sandboxes reach the host through the egress network, the egress network:
         * predefined, it names nothing but tells who asks), or on one of the served local networks.
         * A global network's endpoints never ask here (their gateway is not in the host namespace).
         */
        public Optional<Entry> asker(java.util.Collection<String> served, InetAddress listenerAddress, InetAddress source) {
            for (String id : byGateway.getOrDefault(Key.of(listenerAddress), List.of())) {
                Entry e = local(networks.get(id), source);
                if (e != null) {
                    return Optional.of(e);
                }
            }
            for (String id : served) {
                Net n = networks.get(id);
                if (n != null && !n.meta().global()) {
                    Entry e = local(n, source);
                    if (e != null) {
                        return Optional.of(e);
                    }
                }
            }
            return Optional.empty();
        }

        private static Entry local(Net n, InetAddress source) {
            if (n == null) {
                return null;
            }
            Entry e = n.byAddress().get(Key.of(source));
            return e != null && n.byEndpoint().containsKey(e.endpointId()) ? e : null;
        }

        /**
         * The networks (known here) with names that a sandbox is on, in the order it joined them;
         * predefined ones are left out (they resolve nothing).
         */
        public List<Net> networksOf(String sandboxId) {
            Set<String> ids = sandboxNetworks.getOrDefault(sandboxId, Set.of());
            List<Net> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                Net n = networks.get(id);
                if (n != null && n.names()) {
                    out.add(n);
                }
            }
            return out;
        }

        /**
         * The endpoints {@code name} (lower case, no trailing dot, search domain removed) stands for
         * as seen by a sandbox: {@code NAME} on any of its networks, or {@code NAME.NETWORK} for one
         * of its networks. Empty when the name is not known there.
         */
        public List<Entry> lookup(String askerSandboxId, String name) {
            List<Entry> found = null;
            for (Net n : networksOf(askerSandboxId)) {
                found = addAll(found, n.byName().get(name));
                int cut = name.length() - n.lowerName().length() - 1;
                if (cut > 0 && name.charAt(cut) == '.' && name.endsWith(n.lowerName())) {
                    found = addAll(found, n.byName().get(name.substring(0, cut)));
                }
            }
            if (found == null) {
                return List.of();
            }
            if (found.size() > 1) {
                Map<String, Entry> unique = new LinkedHashMap<>();
                found.forEach(e -> unique.putIfAbsent(e.endpointId(), e));
                return new ArrayList<>(unique.values());
            }
            return found;
        }

        /** The endpoint holding {@code address} on one of the sandbox's networks. */
        public Optional<Entry> reverse(String askerSandboxId, InetAddress address) {
            Key k = Key.of(address);
            for (Net n : networksOf(askerSandboxId)) {
                Entry e = n.byAddress().get(k);
                if (e != null) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }

        /** Whether every network the sandbox is on is internal (no way out, so no forwarding). */
        public boolean onlyInternal(String sandboxId) {
            List<Net> nets = networksOf(sandboxId);
            return !nets.isEmpty() && nets.stream().allMatch(Net::internal);
        }

        private static List<Entry> addAll(List<Entry> to, List<Entry> more) {
            if (more == null || more.isEmpty()) {
                return to;
            }
            if (to == null) {
                return new ArrayList<>(more);
            }
            to.addAll(more);
            return to;
        }
    }

    private volatile State state = State.EMPTY;
    /**
     * The other hosts' endpoints by network id, then endpoint id, as the cluster store has them;
     * kept also for networks not known here (yet): a network arriving takes its own.
     */
    private Map<String, Map<String, Entry>> remotes = Map.of();

    public State state() {
        return state;
    }

    /**
     * Replaces everything with {@code networks} (with their endpoints; predefined ones give no
     * names), in one publish: a subscription's snapshot. The other hosts' endpoints stay.
     */
    public synchronized void load(List<dev.weft.api.NetworkInfo> networks) {
        Map<String, Net> nets = new HashMap<>();
        Map<String, Set<String>> sbx = new HashMap<>();
        for (dev.weft.api.NetworkInfo n : networks) {
            Map<String, Entry> eps = new LinkedHashMap<>();
            for (EndpointInfo e : n.endpoints()) {
                eps.put(e.id(), Entry.of(e));
                sbx.computeIfAbsent(e.sandboxId(), k -> new LinkedHashSet<>()).add(n.id());
            }
            nets.put(n.id(), Net.of(Meta.of(n), eps, remotes.getOrDefault(n.id(), Map.of())));
        }
        sbx.replaceAll((k, v) -> Collections.unmodifiableSet(v));
        state = new State(Map.copyOf(nets), Map.copyOf(sbx));
    }

    /** A user-defined, local network (tests). */
    public synchronized void addNetwork(String id, String name, boolean internal) {
        addNetwork(new Meta(id, name, internal, true, false, List.of()));
    }

    /** A network: its endpoints are known from now on; it gives names unless it is predefined. */
    public synchronized void addNetwork(dev.weft.api.NetworkInfo network) {
        addNetwork(Meta.of(network));
    }

    private void addNetwork(Meta meta) {
        if (state.networks().containsKey(meta.id())) {
            return;
        }
        Map<String, Net> nets = new HashMap<>(state.networks());
        nets.put(meta.id(), Net.of(meta, new LinkedHashMap<>(), remotes.getOrDefault(meta.id(), Map.of())));
        state = new State(Map.copyOf(nets), state.sandboxNetworks());
    }

    public synchronized void removeNetwork(String id) {
        Net old = state.networks().get(id);
        if (old == null) {
            return;
        }
        Map<String, Net> nets = new HashMap<>(state.networks());
        nets.remove(id);
        Map<String, Set<String>> sbx = new HashMap<>(state.sandboxNetworks());
        for (Entry e : old.byEndpoint().values()) {
            withoutNetwork(sbx, e.sandboxId(), id);
        }
        state = new State(Map.copyOf(nets), Map.copyOf(sbx));
    }

    public boolean knows(String networkId) {
        return state.networks().containsKey(networkId);
    }

    /** Adds (or replaces) an endpoint of this host; ignored when its network is not known. */
    public synchronized void join(EndpointInfo endpoint) {
        Net n = state.networks().get(endpoint.networkId());
        if (n == null) {
            return;
        }
        Map<String, Entry> eps = new LinkedHashMap<>(n.byEndpoint());
        eps.put(endpoint.id(), Entry.of(endpoint));
        Map<String, Net> nets = new HashMap<>(state.networks());
        nets.put(n.id(), n.withLocal(eps));
        Map<String, Set<String>> sbx = new HashMap<>(state.sandboxNetworks());
        Set<String> ids = new LinkedHashSet<>(sbx.getOrDefault(endpoint.sandboxId(), Set.of()));
        ids.add(n.id());
        sbx.put(endpoint.sandboxId(), Collections.unmodifiableSet(ids));
        state = new State(Map.copyOf(nets), Map.copyOf(sbx));
    }

    public synchronized void leave(EndpointInfo endpoint) {
        Net n = state.networks().get(endpoint.networkId());
        if (n == null || !n.byEndpoint().containsKey(endpoint.id())) {
            return;
        }
        Map<String, Entry> eps = new LinkedHashMap<>(n.byEndpoint());
        eps.remove(endpoint.id());
        Map<String, Net> nets = new HashMap<>(state.networks());
        nets.put(n.id(), n.withLocal(eps));
        Map<String, Set<String>> sbx = new HashMap<>(state.sandboxNetworks());
        boolean stillThere = eps.values().stream().anyMatch(e -> e.sandboxId().equals(endpoint.sandboxId()));
        if (!stillThere) {
            withoutNetwork(sbx, endpoint.sandboxId(), n.id());
        }
        state = new State(Map.copyOf(nets), Map.copyOf(sbx));
    }

    /**
     * Replaces every other host's endpoints ({@link Entry#remote}, by network id then endpoint id),
     * in one publish: the cluster store's state after a watch's reset, or nothing when the store went.
     */
    public synchronized void resetRemotes(Map<String, Map<String, Entry>> all) {
        Map<String, Map<String, Entry>> copy = new HashMap<>();
        all.forEach((net, eps) -> {
            if (!eps.isEmpty()) {
                copy.put(net, Collections.unmodifiableMap(new LinkedHashMap<>(eps)));
            }
        });
        Set<String> touched = new java.util.HashSet<>(remotes.keySet());
        touched.addAll(copy.keySet());
        remotes = Map.copyOf(copy);
        republish(touched);
    }

    /** Adds or replaces one endpoint of another host. */
    public synchronized void putRemote(Entry e) {
        Map<String, Map<String, Entry>> copy = new HashMap<>(remotes);
        Map<String, Entry> eps = new LinkedHashMap<>(copy.getOrDefault(e.networkId(), Map.of()));
        eps.put(e.endpointId(), e);
        copy.put(e.networkId(), Collections.unmodifiableMap(eps));
        remotes = Map.copyOf(copy);
        republish(Set.of(e.networkId()));
    }

    /** Removes one endpoint of another host (its key was deleted: it left, or its host's lease lapsed). */
    public synchronized void removeRemote(String networkId, String endpointId) {
        Map<String, Entry> old = remotes.get(networkId);
        if (old == null || !old.containsKey(endpointId)) {
            return;
        }
        Map<String, Map<String, Entry>> copy = new HashMap<>(remotes);
        Map<String, Entry> eps = new LinkedHashMap<>(old);
        eps.remove(endpointId);
        if (eps.isEmpty()) {
            copy.remove(networkId);
        } else {
            copy.put(networkId, Collections.unmodifiableMap(eps));
        }
        remotes = Map.copyOf(copy);
        republish(Set.of(networkId));
    }

    /** The other hosts' endpoints now known (tests, inspection). */
    public synchronized int remoteCount() {
        return remotes.values().stream().mapToInt(Map::size).sum();
    }

    private void republish(Set<String> networkIds) {
        Map<String, Net> nets = null;
        for (String id : networkIds) {
            Net n = state.networks().get(id);
            if (n != null) {
                if (nets == null) {
                    nets = new HashMap<>(state.networks());
                }
                nets.put(id, n.withRemote(remotes.getOrDefault(id, Map.of())));
            }
        }
        if (nets != null) {
            state = new State(Map.copyOf(nets), state.sandboxNetworks(), state.byGateway());
        }
    }

    /** Whether any network still has an endpoint of the sandbox. */
    public boolean hasSandbox(String sandboxId) {
        return state.sandboxNetworks().containsKey(sandboxId);
    }

    private static void withoutNetwork(Map<String, Set<String>> sbx, String sandboxId, String networkId) {
        Set<String> ids = sbx.get(sandboxId);
        if (ids == null) {
            return;
        }
        Set<String> rest = new LinkedHashSet<>(ids);
        rest.remove(networkId);
        if (rest.isEmpty()) {
            sbx.remove(sandboxId);
        } else {
            sbx.put(sandboxId, Collections.unmodifiableSet(rest));
        }
    }
}
