package dev.weft.core.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.core.internal.cluster.ClusterIpam;
import dev.weft.core.internal.cluster.ClusterKeys;
import dev.weft.core.internal.ipam.DefaultPool;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.State;
import dev.weft.core.internal.store.Store;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.ClusterStore.KeyValue;
import dev.weft.spi.ControllerListener;
import dev.weft.spi.Discovery;
import dev.weft.spi.Peers;
import dev.weft.spi.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This host's part in a cluster (docs/architecture.md §3c): present while a {@link ClusterStore}
 * is. It keeps this host's node record, brings global networks that other hosts create or remove
 * into the inventory, publishes this host's endpoints of global networks (bound to its lease) and
 * tells global drivers of the others' ({@link Peers}) and of the hosts ({@link Discovery}), and
 * reclaims the addresses of hosts that are gone longer than a grace period.
 *
 * <p>All calls into drivers for peers and nodes run on one thread, in the order the store's watches
 * deliver them, so a driver sees one network's peers in order. Local networks never reach here.
 */
final class Cluster implements ControllerListener {
    private static final Logger LOG = Logger.getLogger(Cluster.class.getName());

    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final Events events;
    private final Views views;
    private final IpamRegistry ipams;
    private volatile String instance = "default";
    private volatile Predicate<IpPrefix> hostConflict = p -> false;
    private volatile Duration reclaimAfter = Duration.ofSeconds(30);

    private volatile ClusterStore store;
    private volatile ClusterIpam ipam;
    private volatile IpamRegistry.Entry ipamEntry;
    private final List<ClusterStore.Watch> watches = new ArrayList<>();
    private ScheduledExecutorService thread;
    private volatile java.util.concurrent.ExecutorService publisher;
    private volatile long publishedLease;
    /** Remote endpoints by network id, then endpoint id. */
    private final Map<String, Map<String, Peers.Peer>> peers = new ConcurrentHashMap<>();
    /** Hosts of the cluster other than this one. */
    private final Map<String, Discovery.Node> nodes = new ConcurrentHashMap<>();
    /** The revision of each global network's key as last seen. */
    private final Map<String, Long> revisions = new ConcurrentHashMap<>();

    Cluster(Inventory inventory, DriverRegistry drivers, Events events, Views views, IpamRegistry ipams) {
        this.inventory = inventory;
        this.drivers = drivers;
        this.events = events;
        this.views = views;
        this.ipams = ipams;
    }

    /** The store, or a refusal that says what to configure. */
    ClusterStore store(String what) {
        ClusterStore s = store;
        if (s == null) {
            throw new dev.weft.api.WeftException.InvalidRequest(what + " spans the hosts of a cluster, and this Weft has "
                    + "no cluster store: set weft.cluster.store (WEFT_CLUSTER_STORE=etcd://HOST:2379,...) and "
                    + "weft.cluster.advertise (WEFT_CLUSTER_ADVERTISE=this host's underlay address), then restart Weft");
        }
        return s;
    }

    Optional<ClusterStore> current() {
        return Optional.ofNullable(store);
    }

    ClusterIpam ipam() {
        ClusterIpam i = ipam;
        if (i == null) {
            store("a global network");
        }
        return i;
    }

    /** The store arrived: join the cluster. Returns at once; what needs the store runs on the cluster's thread. */
    synchronized void attach(ClusterStore s, Controllers controller, String instance, Predicate<IpPrefix> hostConflict,
                             Duration reclaimAfter) {
        if (store != null) {
            detach(controller);
        }
        this.instance = instance;
        this.hostConflict = hostConflict;
        this.reclaimAfter = reclaimAfter;
        store = s;
        ipam = new ClusterIpam(() -> current().orElseThrow(() -> new ClusterException(ClusterException.Reason.UNAVAILABLE,
                "the cluster store is gone")), DefaultPool.globalDefaults(), hostConflict,
                this::revision, this::publishing);
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-cluster");
            t.setDaemon(true);
            return t;
        });
        publisher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "weft-cluster-publisher");
            t.setDaemon(true);
            return t;
        });
        thread.execute(() -> join(s, controller));
        long every = Math.max(500, s.leaseTtl().toMillis() / 3);
        thread.scheduleWithFixedDelay(() -> checkSession(s), every, every, TimeUnit.MILLISECONDS);
        long sweep = orphanAge.toMillis();
        thread.scheduleWithFixedDelay(() -> sweepOrphans(s), sweep, sweep, TimeUnit.MILLISECONDS);
        LOG.info("cluster: node " + s.nodeId() + " (" + IpAddresses.format(s.advertise()) + ") joining");
    }

    /** Failed attempts to join since the store arrived (only the cluster's thread touches it). */
    private int joinFailures;

    private void join(ClusterStore s, Controllers controller) {
        try {
            if (ipamEntry == null) {
                ipamEntry = ipams.addCluster(ipam); // global networks' leases are replayed into it: claimed again
            }
            putNode(s);
            watches.add(s.watch(ClusterKeys.NODES, new NodesWatcher(s)));
            watches.add(s.watch(ClusterKeys.NETWORKS, new NetworksWatcher()));
            watches.add(s.watch(ClusterKeys.ENDPOINTS, new EndpointsWatcher(s)));
            controller.addListener(this); // snapshot: this host's endpoints are published
        } catch (RuntimeException e) {
            // once, then every minute: a store that is down at start is tried again every second
            if (joinFailures++ % 60 == 0) {
                LOG.log(Level.WARNING, "cluster: cannot join yet (" + e.getMessage() + "); trying again every second", e);
            }
            thread.schedule(() -> join(s, controller), 1, TimeUnit.SECONDS);
        }
    }

    /** The store went: stop following it. Leased keys expire on their own; nothing else changes. */
    synchronized void detach(Controllers controller) {
        if (store == null) {
            return;
        }
        controller.removeListener(this);
        synchronized (watches) {
            watches.forEach(ClusterStore.Watch::close);
            watches.clear();
        }
        thread.shutdownNow();
        publisher.shutdown(); // what is queued still goes out
        if (ipamEntry != null) {
            ipams.removeCluster();
            ipamEntry = null;
        }
        store = null;
        ipam = null;
        peers.clear();
        nodes.clear();
        LOG.info("cluster: store gone; global networks keep their kernel state and take no new endpoints");
    }

    /** What {@link Cluster} needs of the controller: to follow it as a listener. */
    interface Controllers {
        void addListener(ControllerListener l);

        void removeListener(ControllerListener l);
    }

    // ---- this host's node record and lease ---------------------------------------------------

    private void putNode(ClusterStore s) {
        ClusterStore.Session session = s.session();
        JsonObject node = new JsonObject();
        node.addProperty("address", IpAddresses.format(s.advertise()));
        node.addProperty("instance", instance);
        s.txn(new ClusterStore.Txn(List.of(), List.of(ClusterStore.Op.putLeased(ClusterKeys.node(s.nodeId()),
                bytes(node.toString()))), List.of()));
        publishedLease = session.lease();
    }

    /** When the lease was lost (this host was cut off longer than its TTL), put everything leased again. */
    private void checkSession(ClusterStore s) {
        try {
            ClusterStore.Session session = s.session();
            if (session.lease() != publishedLease) {
                LOG.warning("cluster: this host's lease lapsed (cut off longer than " + s.leaseTtl().toSeconds()
                        + " s); announcing the node and its endpoints again");
                putNode(s);
                for (NetworkRecord n : inventory.networks()) {
                    if (n.isGlobal()) {
                        for (EndpointRecord e : inventory.endpoints(x -> x.network().equals(n.id())
                                && x.state() == State.READY)) {
                            views.endpoint(e).ifPresent(this::publish);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.fine("cluster: lease check: " + e.getMessage());
        }
    }

    // ---- this host's endpoints (as a listener of the controller) ---------------------------

    @Override
    public void snapshot(List<NetworkInfo> networks, List<SandboxInfo> sandboxes) {
        ClusterStore s = store;
        if (s == null) {
            return;
        }
        java.util.Set<String> local = new java.util.HashSet<>();
        for (NetworkInfo n : networks) {
            if ("global".equals(n.scope()) || inventory.network(n.id()).map(NetworkRecord::isGlobal).orElse(false)) {
                for (EndpointInfo e : n.endpoints()) {
                    publish(e);
                    local.add(ClusterKeys.endpoint(n.id(), e.id()));
                }
            }
        }
        // what a crash left published of endpoints that are gone
        for (KeyValue kv : s.range(ClusterKeys.ENDPOINTS).kvs()) {
            if (s.nodeId().equals(ClusterKeys.field(kv, "node")) && !local.contains(kv.key())) {
                s.delete(kv.key());
            }
        }
    }

    @Override
    public void endpointJoined(EndpointInfo e) {
        if (isGlobal(e.networkId())) {
            publishing(() -> publish(e));
        }
    }

    @Override
    public void endpointLeft(EndpointInfo e) {
        ClusterStore s = store;
        if (s != null && isGlobal(e.networkId())) {
            publishing(() -> {
                try {
                    s.delete(ClusterKeys.endpoint(e.networkId(), e.id()));
                } catch (RuntimeException ex) {
                    LOG.warning("cluster: cannot withdraw endpoint " + e.id().substring(0, 12) + " of " + e.sandbox()
                            + ": " + ex.getMessage() + " (it goes with this host's lease)");
                }
            });
        }
    }

    /**
     * Publications and withdrawals go to the store in order on a thread of their own, off the user's
     * path: the operation does not wait for etcd's write (an fsync on every member), the other hosts
     * learn of the endpoint a write later (bench/README.md, "Overlay across hosts": convergence).
     */
    private void publishing(Runnable work) {
        java.util.concurrent.ExecutorService p = publisher;
        if (p == null || p.isShutdown()) {
            work.run();
            return;
        }
        try {
            p.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            work.run();
        }
    }


    private boolean isGlobal(String network) {
        return inventory.network(network).map(NetworkRecord::isGlobal).orElse(false);
    }

    private void publish(EndpointInfo e) {
        ClusterStore s = store;
        if (s == null || e.mac() == null) {
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("node", s.nodeId());
        o.addProperty("vtep", IpAddresses.format(s.advertise()));
        o.addProperty("mac", e.mac().toString());
        JsonArray addresses = new JsonArray();
        if (e.ipv4() != null) {
            addresses.add(e.ipv4().toString());
        }
        if (e.ipv6() != null) {
            addresses.add(e.ipv6().toString());
        }
        o.add("addresses", addresses);
        o.addProperty("sandbox", e.sandbox());
        JsonArray names = new JsonArray();
        e.dnsNames().forEach(names::add);
        o.add("names", names);
        try {
            s.txn(new ClusterStore.Txn(List.of(), List.of(ClusterStore.Op.putLeased(
                    ClusterKeys.endpoint(e.networkId(), e.id()), bytes(o.toString()))), List.of()));
        } catch (RuntimeException ex) {
            LOG.warning("cluster: cannot publish endpoint " + e.id().substring(0, 12) + " of " + e.sandbox() + ": "
                    + ex.getMessage() + " (published again when the store answers)");
        }
    }

    // ---- other hosts' endpoints -> drivers' Peers -------------------------------------------

    private final class EndpointsWatcher implements ClusterStore.Watcher {
        private final ClusterStore s;

        EndpointsWatcher(ClusterStore s) {
            this.s = s;
        }

        @Override
        public void reset(ClusterStore.Range current) {
            Map<String, Map<String, Peers.Peer>> all = new ConcurrentHashMap<>();
            for (KeyValue kv : current.kvs()) {
                peer(kv).ifPresent(p -> all.computeIfAbsent(networkOfKey(kv.key()), k -> new ConcurrentHashMap<>())
                        .put(p.endpointId(), p));
            }
            peers.clear();
            peers.putAll(all);
            for (NetworkRecord n : inventory.networks()) {
                if (n.isGlobal()) {
                    resetPeers(n.id());
                }
            }
        }

        @Override
        public void events(List<ClusterStore.Event> list) {
            for (ClusterStore.Event ev : list) {
                String network = networkOfKey(ev.kv().key());
                if (ev.type() == ClusterStore.Event.Type.PUT) {
                    peer(ev.kv()).ifPresent(p -> {
                        peers.computeIfAbsent(network, k -> new ConcurrentHashMap<>()).put(p.endpointId(), p);
                        callPeers(network, (d, o, c) -> d.peerJoined(c, o, p));
                    });
                } else if (ev.previous() != null) {
                    peer(ev.previous()).ifPresent(p -> {
                        Map<String, Peers.Peer> m = peers.get(network);
                        if (m != null) {
                            m.remove(p.endpointId());
                        }
                        callPeers(network, (d, o, c) -> d.peerLeft(c, o, p));
                    });
                }
            }
        }

        /** A remote endpoint from its key; empty for this host's own and for what does not parse. */
        private Optional<Peers.Peer> peer(KeyValue kv) {
            try {
                JsonObject o = JsonParser.parseString(kv.text()).getAsJsonObject();
                String node = o.get("node").getAsString();
                if (node.equals(s.nodeId())) {
                    return Optional.empty();
                }
                List<InterfaceAddress> addresses = new ArrayList<>();
                o.getAsJsonArray("addresses").forEach(a -> addresses.add(InterfaceAddress.parse(a.getAsString())));
                String key = kv.key();
                return Optional.of(new Peers.Peer(key.substring(key.lastIndexOf('/') + 1), node,
                        IpAddresses.parse(o.get("vtep").getAsString()), addresses, MacAddress.parse(o.get("mac").getAsString())));
            } catch (RuntimeException e) {
                LOG.warning("cluster: endpoint record " + kv.key() + " does not parse: " + e.getMessage());
                return Optional.empty();
            }
        }
    }

    private static String networkOfKey(String key) {
        String rest = key.substring(ClusterKeys.ENDPOINTS.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** Tells the driver of a global network its remote endpoints, all of them (after create, restore or resync). */
    void resetPeers(String network) {
        List<Peers.Peer> all = List.copyOf(peers.getOrDefault(network, Map.of()).values());
        callPeers(network, (d, o, c) -> d.peersReset(c, o, all));
    }

    private interface PeersCall {
        void call(Peers<Object> driver, Object options, dev.weft.spi.NetworkConfig config);
    }

    private void callPeers(String network, PeersCall call) {
        ScheduledExecutorService t = thread;
        if (t == null || t.isShutdown()) {
            return;
        }
        t.execute(() -> {
            Optional<NetworkRecord> n = inventory.network(network).filter(x -> x.isGlobal() && x.state() == State.READY);
            if (n.isEmpty()) {
                return; // not here (yet): told all at once when it arrives
            }
            Optional<DriverRegistry.Handle> held = drivers.forNetwork(n.get().driver(), n.get().driverBundle());
            if (held.isEmpty()) {
                return; // told at its restore
            }
            try (DriverRegistry.Handle h = held.get()) {
                if (h.driver() instanceof Peers<?> p) {
                    @SuppressWarnings("unchecked")
                    Peers<Object> peersOf = (Peers<Object>) p;
                    call.call(peersOf, h.driver().parseOptions(n.get().options()), n.get().config());
                }
            } catch (RuntimeException e) {
                LOG.warning("cluster: network " + n.get().name() + ": driver " + n.get().driver()
                        + " could not program a peer: " + e.getMessage());
            }
        });
    }

    // ---- global networks from other hosts -> the inventory ----------------------------------

    private final class NetworksWatcher implements ClusterStore.Watcher {
        @Override
        public void reset(ClusterStore.Range current) {
            java.util.Set<String> present = new java.util.HashSet<>();
            for (KeyValue kv : current.kvs()) {
                present.add(kv.key().substring(ClusterKeys.NETWORKS.length()));
                arrived(kv);
            }
            for (NetworkRecord n : inventory.networks()) {
                if (n.isGlobal() && n.state() == State.READY && !present.contains(n.id())) {
                    gone(n.id());
                }
            }
        }

        @Override
        public void events(List<ClusterStore.Event> list) {
            for (ClusterStore.Event ev : list) {
                String id = ev.kv().key().substring(ClusterKeys.NETWORKS.length());
                if (ev.type() == ClusterStore.Event.Type.PUT) {
                    arrived(ev.kv());
                } else {
                    revisions.remove(id);
                    gone(id);
                }
            }
        }
    }

    private void arrived(KeyValue kv) {
        NetworkRecord r;
        try {
            r = Store.network(kv.text()).asGlobal();
        } catch (RuntimeException e) {
            LOG.warning("cluster: network record " + kv.key() + " does not parse: " + e.getMessage());
            return;
        }
        revisions.put(r.id(), kv.modRevision());
        if (r.state() != State.READY || inventory.network(r.id()).isPresent()) {
            return; // being made or removed, or known here (made here, or seen before)
        }
        Optional<NetworkRecord> sameName = inventory.network(r.name()).filter(n -> n.name().equals(r.name()));
        if (sameName.isPresent()) {
            LOG.warning("cluster: global network " + r.name() + " (" + r.id().substring(0, 12) + ") is not taken in: "
                    + "this host has a network of that name (" + sameName.get().id().substring(0, 12) + ")");
            return;
        }
        Optional<DriverRegistry.Handle> held = drivers.forNetwork(r.driver(), r.driverBundle());
        if (held.isEmpty()) {
            held = drivers.forNew(r.driver()); // another host's bundle of the same driver
        }
        NetworkRecord local = held.map(h -> r.withDriverBundle(h.entry.bundle)).orElse(r);
        if (held.isPresent()) {
            try (DriverRegistry.Handle h = held.get()) {
                h.driver().createNetwork(local.config(), h.driver().parseOptions(local.options()));
            } catch (RuntimeException e) {
                LOG.warning("cluster: global network " + r.name() + ": driver " + r.driver() + " cannot create it here: "
                        + e.getMessage());
                return;
            }
        }
        events.change(() -> inventory.addNetwork(local), "networkCreated", () -> Events.networkCreated(views.network(local)));
        LOG.info("cluster: global network " + r.name() + " (" + r.driver() + ") arrived");
        resetPeers(r.id());
    }

    private void gone(String id) {
        Optional<NetworkRecord> n = inventory.network(id).filter(NetworkRecord::isGlobal);
        if (n.isEmpty() || n.get().state() != State.READY) {
            return;
        }
        if (!inventory.endpoints(e -> e.network().equals(id)).isEmpty()) {
            LOG.warning("cluster: global network " + n.get().name() + " was removed in the cluster but has endpoints "
                    + "here; kept until they leave");
            return;
        }
        drivers.forNetwork(n.get().driver(), n.get().driverBundle()).ifPresent(h -> {
            try (h) {
                h.driver().deleteNetwork(n.get().config(), h.driver().parseOptions(n.get().options()));
            } catch (RuntimeException e) {
                LOG.warning("cluster: global network " + n.get().name() + ": driver could not delete it here: "
                        + e.getMessage());
            }
        });
        peers.remove(id);
        events.changeAfter(() -> Events.networkRemoved(views.network(n.get())), "networkRemoved",
                () -> inventory.removeNetwork(id));
        LOG.info("cluster: global network " + n.get().name() + " was removed in the cluster");
    }

    // ---- the hosts -> drivers' Discovery, and reclaim -----------------------------------------

    private final class NodesWatcher implements ClusterStore.Watcher {
        private final ClusterStore s;

        NodesWatcher(ClusterStore s) {
            this.s = s;
        }

        @Override
        public void reset(ClusterStore.Range current) {
            Map<String, Discovery.Node> now = new java.util.HashMap<>();
            for (KeyValue kv : current.kvs()) {
                node(kv).ifPresent(n -> now.put(n.id(), n));
            }
            for (Discovery.Node old : List.copyOf(nodes.values())) {
                if (!now.containsKey(old.id())) {
                    left(old);
                }
            }
            now.values().forEach(this::joined);
        }

        @Override
        public void events(List<ClusterStore.Event> list) {
            for (ClusterStore.Event ev : list) {
                if (ev.type() == ClusterStore.Event.Type.PUT) {
                    node(ev.kv()).ifPresent(this::joined);
                } else {
                    Discovery.Node n = nodes.get(ev.kv().key().substring(ClusterKeys.NODES.length()));
                    if (n != null) {
                        left(n);
                    }
                }
            }
        }

        private void joined(Discovery.Node n) {
            nodes.put(n.id(), n);
            discovery(d -> d.nodeJoined(n));
        }

        private void left(Discovery.Node n) {
            nodes.remove(n.id());
            discovery(d -> d.nodeLeft(n));
            ScheduledExecutorService t = thread;
            if (t != null && !t.isShutdown()) {
                t.schedule(() -> reclaim(s, n.id()), reclaimAfter.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        private Optional<Discovery.Node> node(KeyValue kv) {
            String id = kv.key().substring(ClusterKeys.NODES.length());
            if (id.equals(s.nodeId())) {
                return Optional.empty();
            }
            try {
                JsonObject o = JsonParser.parseString(kv.text()).getAsJsonObject();
                return Optional.of(new Discovery.Node(id, IpAddresses.parse(o.get("address").getAsString()),
                        Map.of("instance", o.has("instance") ? o.get("instance").getAsString() : "")));
            } catch (RuntimeException e) {
                LOG.warning("cluster: node record " + kv.key() + " does not parse: " + e.getMessage());
                return Optional.empty();
            }
        }
    }

    private void discovery(java.util.function.Consumer<Discovery> call) {
        ScheduledExecutorService t = thread;
        if (t == null || t.isShutdown()) {
            return;
        }
        t.execute(() -> {
            for (DriverRegistry.Entry e : drivers.entries()) {
                if (e.driver.scope() == Scope.GLOBAL && e.driver instanceof Discovery d) {
                    try {
                        call.accept(d);
                    } catch (RuntimeException ex) {
                        LOG.warning("cluster: driver " + e.name + ": " + ex.getMessage());
                    }
                }
            }
        });
    }

    /** A driver arrived: it learns the hosts, and the peers of its global networks (after its restore). */
    void driverArrived(DriverRegistry.Entry e) {
        if (store == null || e.driver.scope() != Scope.GLOBAL) {
            return;
        }
        if (e.driver instanceof Discovery d) {
            List<Discovery.Node> all = List.copyOf(nodes.values());
            thread.execute(() -> all.forEach(n -> {
                try {
                    d.nodeJoined(n);
                } catch (RuntimeException ex) {
                    LOG.warning("cluster: driver " + e.name + ": " + ex.getMessage());
                }
            }));
        }
        for (NetworkRecord n : inventory.networks()) {
            if (n.isGlobal() && n.driver().equals(e.name)) {
                resetPeers(n.id());
            }
        }
    }

    /**
     * Gives back the addresses of a host whose lease lapsed {@code reclaimAfter} ago and that has not
     * come back: each deleted only if unchanged since it was read (compare-and-set), so a host that
     * returns and claims again keeps what it claimed.
     */
    private void reclaim(ClusterStore s, String node) {
        try {
            if (s.get(ClusterKeys.node(node)).isPresent()) {
                return; // it came back
            }
            int n = 0;
            for (KeyValue kv : ClusterIpam.heldBy(s.range(ClusterKeys.IPAM).kvs(), node)) {
                if (s.txn(new ClusterStore.Txn(List.of(ClusterStore.Compare.modRevision(kv.key(), kv.modRevision())),
                        List.of(ClusterStore.Op.delete(kv.key())), List.of())).succeeded()) {
                    n++;
                }
            }
            if (n > 0) {
                LOG.info("cluster: host " + node + " is gone longer than " + reclaimAfter.toSeconds() + " s; " + n
                        + " of its address(es) given back");
            }
        } catch (RuntimeException e) {
            LOG.warning("cluster: cannot reclaim the addresses of host " + node + ": " + e.getMessage());
        }
    }

    /** How long a claim without its network must stay so before it is given back (tests shorten it). */
    private volatile Duration orphanAge = Duration.ofSeconds(60);

    void orphanAge(Duration age) {
        this.orphanAge = age;
    }
    /** Network ids with claims but no {@code networks/ID}, and when this host first saw them so. */
    private final Map<String, Long> orphans = new ConcurrentHashMap<>();

    /**
     * Gives back the subnets and addresses claimed for a network that was never written to the store
     * (its host crashed in the milliseconds of a create): ids in {@code pools} or under {@code ipam/}
     * without a {@code networks/ID}, seen so at two sweeps at least a minute apart, and not being
     * made here. Every host may do it; the release compares revisions.
     */
    private void sweepOrphans(ClusterStore s) {
        try {
            java.util.Set<String> written = new java.util.HashSet<>();
            s.range(ClusterKeys.NETWORKS).kvs().forEach(kv -> written.add(kv.key().substring(ClusterKeys.NETWORKS.length())));
            java.util.Set<String> claimed = new java.util.HashSet<>();
            s.get(ClusterKeys.POOLS).ifPresent(kv -> JsonParser.parseString(kv.text()).getAsJsonObject().keySet()
                    .forEach(claimed::add));
            List<KeyValue> addresses = s.range(ClusterKeys.IPAM).kvs(); // one read for both sweeps
            for (KeyValue kv : addresses) {
                String rest = kv.key().substring(ClusterKeys.IPAM.length());
                int slash = rest.indexOf('/');
                if (slash > 0) {
                    claimed.add(rest.substring(0, slash));
                }
            }
            strayClaims(s, addresses);
            claimed.removeAll(written);
            claimed.removeIf(id -> inventory.network(id).isPresent()); // being made here
            orphans.keySet().retainAll(claimed);
            long now = System.nanoTime();
            for (String id : claimed) {
                Long first = orphans.putIfAbsent(id, now);
                if (first != null && now - first >= orphanAge.toNanos()
                        && s.get(ClusterKeys.network(id)).isEmpty()) {
                    ipam.releaseSubnets(id);
                    orphans.remove(id);
                    LOG.info("cluster: gave back the subnets and addresses claimed for network " + id.substring(0,
                            Math.min(12, id.length())) + ", which was never made (its host stopped while making it)");
                }
            }
        } catch (RuntimeException e) {
            LOG.fine("cluster: orphan sweep: " + e.getMessage());
        }
    }

    /** This host's endpoint claims that no endpoint record explains, and when first seen so. */
    private final Map<String, Long> strays = new ConcurrentHashMap<>();

    /**
     * Gives back this host's address claims that none of its endpoint records explains (the runtime
     * stopped between the claim and the record, or a release failed), seen so at two sweeps a
     * minute apart: an endpoint being made claims its address a moment before its record is written.
     */
    private void strayClaims(ClusterStore s, List<KeyValue> addresses) {
        java.util.Set<String> held = new java.util.HashSet<>();
        for (EndpointRecord e : inventory.endpoints(x -> true)) {
            e.addresses().forEach(a -> held.add(ClusterKeys.address(e.network(), a.address())));
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        long now = System.nanoTime();
        for (KeyValue kv : ClusterIpam.heldBy(addresses, s.nodeId())) {
            if (held.contains(kv.key())) {
                continue;
            }
            seen.add(kv.key());
            Long first = strays.putIfAbsent(kv.key(), now);
            if (first != null && now - first >= orphanAge.toNanos() && s.txn(new ClusterStore.Txn(List.of(
                    ClusterStore.Compare.modRevision(kv.key(), kv.modRevision())), List.of(ClusterStore.Op.delete(kv.key())),
                    List.of())).succeeded()) {
                strays.remove(kv.key());
                LOG.info("cluster: gave back " + kv.key() + ", claimed by this host for no endpoint it has");
            }
        }
        strays.keySet().retainAll(seen);
    }

    /** The revision of a global network's key this host last saw (0: none). */
    long revision(String network) {
        return revisions.getOrDefault(network, 0L);
    }

    void revision(String network, long revision) {
        revisions.put(network, revision);
    }


    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
