package dev.weft.core.internal;

import dev.weft.api.WeftException;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.State;
import dev.weft.core.internal.store.Store;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The controller's objects in memory, mirrored to the {@link Store} on every change. One monitor
 * guards the maps; it is held only for lookups and updates, never while the kernel or a driver is
 * called. Names are reserved by inserting a CREATING record, so two concurrent creates of one name
 * cannot both pass.
 */
final class Inventory {
    private final Store store;
    private final Map<String, NetworkRecord> networks = new LinkedHashMap<>();
    private final Map<String, SandboxRecord> sandboxes = new LinkedHashMap<>();
    private final Map<String, EndpointRecord> endpoints = new LinkedHashMap<>();

    Inventory(Store store) {
        this.store = store;
    }

    Store store() {
        return store;
    }

    // ---- networks

    synchronized Optional<NetworkRecord> network(String nameOrId) {
        return find(networks, nameOrId, NetworkRecord::name);
    }

    NetworkRecord requireNetwork(String nameOrId) {
        return network(nameOrId).orElseThrow(() -> new WeftException.NotFound("network \"" + nameOrId
                + "\" does not exist: see network:list"));
    }

    synchronized List<NetworkRecord> networks() {
        return networks.values().stream().sorted(Comparator.comparing(NetworkRecord::name)).toList();
    }

    /** Stores a new network; refuses a duplicate name. */
    synchronized void addNetwork(NetworkRecord r) {
        if (networks.values().stream().anyMatch(n -> n.name().equals(r.name()))) {
            throw new WeftException.Conflict("network \"" + r.name() + "\" already exists: choose another name");
        }
        networks.put(r.id(), r);
        store.put(r);
    }

    synchronized void updateNetwork(NetworkRecord r) {
        networks.put(r.id(), r);
        store.put(r);
    }

    synchronized void removeNetwork(String id) {
        networks.remove(id);
        store.deleteNetwork(id);
    }

    /** Marks a network REMOVING if no endpoint uses it; returns the endpoints' sandbox names otherwise. */
    synchronized List<String> markNetworkRemoving(NetworkRecord r) {
        List<String> users = endpoints.values().stream().filter(e -> e.network().equals(r.id()))
                .map(e -> sandboxes.containsKey(e.sandbox()) ? sandboxes.get(e.sandbox()).name() : e.sandbox())
                .sorted().toList();
        if (users.isEmpty()) {
            NetworkRecord removing = networks.get(r.id()).withState(State.REMOVING);
            networks.put(r.id(), removing);
            store.put(removing);
        }
        return users;
    }

    // ---- sandboxes

    synchronized Optional<SandboxRecord> sandbox(String nameOrId) {
        return find(sandboxes, nameOrId, SandboxRecord::name);
    }

    SandboxRecord requireSandbox(String nameOrId) {
        return sandbox(nameOrId).orElseThrow(() -> new WeftException.NotFound("sandbox \"" + nameOrId
                + "\" does not exist: see sandbox:list"));
    }

    synchronized List<SandboxRecord> sandboxes() {
        return sandboxes.values().stream().sorted(Comparator.comparing(SandboxRecord::name)).toList();
    }

    synchronized void addSandbox(SandboxRecord r) {
        if (sandboxes.values().stream().anyMatch(s -> s.name().equals(r.name()))) {
            throw new WeftException.Conflict("sandbox \"" + r.name() + "\" already exists: choose another name");
        }
        sandboxes.put(r.id(), r);
        store.put(r);
    }

    synchronized void updateSandbox(SandboxRecord r) {
        sandboxes.put(r.id(), r);
        store.put(r);
    }

    synchronized void removeSandbox(String id) {
        sandboxes.remove(id);
        store.deleteSandbox(id);
    }

    /**
     * The sandboxes sharing the namespace of the sandbox {@code id}, by name; not those being
     * removed (their name of it goes in the background, which nothing needs to wait for).
     */
    synchronized List<SandboxRecord> sharersOf(String id) {
        List<SandboxRecord> out = new ArrayList<>();
        for (SandboxRecord s : sandboxes.values()) {
            if (s.sharer() && id.equals(s.sharedWith()) && s.state() != State.REMOVING) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(SandboxRecord::name));
        return out;
    }

    /** For every sandbox whose namespace others share, by id: the sharers' names, as {@link #sharersOf}. */
    synchronized Map<String, List<String>> sharerNames() {
        Map<String, List<String>> out = new java.util.HashMap<>();
        for (SandboxRecord s : sandboxes()) { // sorted by name
            if (s.sharer() && s.state() != State.REMOVING) {
                out.computeIfAbsent(s.sharedWith(), k -> new ArrayList<>()).add(s.name());
            }
        }
        return out;
    }

    synchronized SandboxRecord freshSandbox(String id) {
        return sandboxes.get(id);
    }

    // ---- endpoints

    synchronized List<EndpointRecord> endpoints(Predicate<EndpointRecord> filter) {
        return endpoints.values().stream().filter(filter).toList();
    }

    /**
     * The endpoints of a sandbox, in the order they joined, from its record's list of ids: no scan
     * of every endpoint (the connect path asks several times).
     */
    synchronized List<EndpointRecord> endpointsOf(String sandboxId) {
        SandboxRecord s = sandboxes.get(sandboxId);
        return s == null ? List.of() : s.endpoints().stream().map(endpoints::get).filter(Objects::nonNull).toList();
    }

    synchronized Optional<EndpointRecord> endpoint(String id) {
        return Optional.ofNullable(endpoints.get(id));
    }

    synchronized Optional<EndpointRecord> endpoint(String networkId, String sandboxId) {
        return endpoints.values().stream()
                .filter(e -> e.network().equals(networkId) && e.sandbox().equals(sandboxId)).findFirst();
    }

    /**
     * Stores a new endpoint and appends it to its sandbox, refusing a second endpoint of the same
     * sandbox on the same network and a network that is being removed.
     */
    synchronized void addEndpoint(EndpointRecord e, String networkName, String sandboxName) {
        NetworkRecord n = networks.get(e.network());
        if (n == null || n.state() == State.REMOVING) {
            throw new WeftException.NotFound("network \"" + networkName + "\" is being removed");
        }
        SandboxRecord s = sandboxes.get(e.sandbox());
        if (s == null || s.state() == State.REMOVING) {
            throw new WeftException.NotFound("sandbox \"" + sandboxName + "\" is being removed");
        }
        if (endpoints.values().stream().anyMatch(x -> x.network().equals(e.network()) && x.sandbox().equals(e.sandbox()))) {
            throw new WeftException.Conflict("sandbox \"" + sandboxName + "\" is already connected to network \""
                    + networkName + "\"");
        }
        endpoints.put(e.id(), e);
        store.put(e);
        List<String> list = new ArrayList<>(s.endpoints());
        list.add(e.id());
        updateSandbox(s.withEndpoints(list));
    }

    synchronized void updateEndpoint(EndpointRecord e) {
        endpoints.put(e.id(), e);
        store.put(e);
    }

    synchronized void removeEndpoint(EndpointRecord e) {
        endpoints.remove(e.id());
        store.deleteEndpoint(e.id());
        SandboxRecord s = sandboxes.get(e.sandbox());
        if (s != null) {
            List<String> list = new ArrayList<>(s.endpoints());
            list.remove(e.id());
            updateSandbox(s.withEndpoints(list));
        }
    }

    /** Loads records without writing them back (reconcile). */
    synchronized void load(List<NetworkRecord> n, List<SandboxRecord> s, List<EndpointRecord> e) {
        n.forEach(r -> networks.put(r.id(), r));
        s.forEach(r -> sandboxes.put(r.id(), r));
        e.forEach(r -> endpoints.put(r.id(), r));
    }

    private static <T> Optional<T> find(Map<String, T> map, String key, java.util.function.Function<T, String> name) {
        if (key == null || key.isEmpty()) {
            return Optional.empty();
        }
        // as Docker resolves: an exact id, then a name, then a unique id prefix
        T exact = map.get(key);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (T v : map.values()) {
            if (name.apply(v).equals(key)) {
                return Optional.of(v);
            }
        }
        if (key.length() >= 12 && key.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            List<String> hits = map.keySet().stream().filter(id -> id.startsWith(key)).toList();
            if (hits.size() == 1) {
                return Optional.of(map.get(hits.get(0)));
            }
        }
        return Optional.empty();
    }
}
