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
    }

    /** One network's names: {@code byName} keys are lower case, values in join order. */
    public record Net(String id, String name, String lowerName, boolean internal, Map<String, Entry> byEndpoint,
                      Map<String, List<Entry>> byName, Map<Key, Entry> byAddress) {
        static Net of(String id, String name, boolean internal, Map<String, Entry> byEndpoint) {
            Map<String, List<Entry>> byName = new HashMap<>();
            Map<Key, Entry> byAddress = new HashMap<>();
            for (Entry e : byEndpoint.values()) {
                for (String n : e.names()) {
                    byName.computeIfAbsent(n, k -> new ArrayList<>(1)).add(e);
                }
                if (e.ipv4() != null) {
                    byAddress.put(Key.of(e.ipv4()), e);
                }
                if (e.ipv6() != null) {
                    byAddress.put(Key.of(e.ipv6()), e);
                }
            }
            byName.replaceAll((k, v) -> List.copyOf(v));
            return new Net(id, name, name.toLowerCase(Locale.ROOT), internal,
                    Collections.unmodifiableMap(byEndpoint), Map.copyOf(byName), Map.copyOf(byAddress));
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

    /** Everything at one moment; never changed once published. */
    public record State(Map<String, Net> networks, Map<String, Set<String>> sandboxNetworks) {
        static final State EMPTY = new State(Map.of(), Map.of());

        /** The endpoint on {@code networkId} that has {@code source}, if any. */
        public Optional<Entry> asker(String networkId, InetAddress source) {
            Net n = networks.get(networkId);
            return n == null ? Optional.empty() : Optional.ofNullable(n.byAddress().get(Key.of(source)));
        }

        /** The networks (known here) a sandbox is on, in the order it joined them. */
        public List<Net> networksOf(String sandboxId) {
            Set<String> ids = sandboxNetworks.getOrDefault(sandboxId, Set.of());
            List<Net> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                Net n = networks.get(id);
                if (n != null) {
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

    public State state() {
        return state;
    }

    /**
     * Replaces everything with {@code networks} (user-defined ones, with their endpoints), in one
     * publish: a subscription's snapshot.
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
            nets.put(n.id(), Net.of(n.id(), n.name(), n.internal(), eps));
        }
        sbx.replaceAll((k, v) -> Collections.unmodifiableSet(v));
        state = new State(Map.copyOf(nets), Map.copyOf(sbx));
    }

    /** A network whose sandboxes get names (user-defined, served or not). */
    public synchronized void addNetwork(String id, String name, boolean internal) {
        if (state.networks().containsKey(id)) {
            return;
        }
        Map<String, Net> nets = new HashMap<>(state.networks());
        nets.put(id, Net.of(id, name, internal, new LinkedHashMap<>()));
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

    /** Adds (or replaces) an endpoint; ignored when its network is not one with names. */
    public synchronized void join(EndpointInfo endpoint) {
        Net n = state.networks().get(endpoint.networkId());
        if (n == null) {
            return;
        }
        Map<String, Entry> eps = new LinkedHashMap<>(n.byEndpoint());
        eps.put(endpoint.id(), Entry.of(endpoint));
        Map<String, Net> nets = new HashMap<>(state.networks());
        nets.put(n.id(), Net.of(n.id(), n.name(), n.internal(), eps));
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
        nets.put(n.id(), Net.of(n.id(), n.name(), n.internal(), eps));
        Map<String, Set<String>> sbx = new HashMap<>(state.sandboxNetworks());
        boolean stillThere = eps.values().stream().anyMatch(e -> e.sandboxId().equals(endpoint.sandboxId()));
        if (!stillThere) {
            withoutNetwork(sbx, endpoint.sandboxId(), n.id());
        }
        state = new State(Map.copyOf(nets), Map.copyOf(sbx));
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
