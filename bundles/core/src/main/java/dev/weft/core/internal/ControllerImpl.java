package dev.weft.core.internal;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import dev.weft.core.internal.ports.BoundPorts;
import dev.weft.core.internal.ports.HostPorts;
import dev.weft.core.internal.ports.PortProxy;
import dev.weft.core.internal.ports.RelayMapper;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.State;
import dev.weft.core.internal.store.Store;
import dev.weft.spi.ControllerListener;
import dev.weft.spi.NameService;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import dev.weft.spi.DriverContext;
import dev.weft.spi.HostGateway;
import dev.weft.spi.PortMapper;
import dev.weft.spi.Reapplicable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * The controller: the API facade over networks, sandboxes and endpoints. Plain Java (constructed
 * by {@link CoreRuntime} in OSGi, directly in tests).
 */
public final class ControllerImpl implements Controller {
    private static final Logger LOG = Logger.getLogger(ControllerImpl.class.getName());

    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final IpamRegistry ipams;
    private final Networks networks;
    private final Endpoints endpoints;
    private final Sandboxes sandboxes;
    private final Views views;
    private final Reconciler reconciler;
    private final Leases leases;
    private final HostPorts hostPorts;
    /** The one relay thread behind {@link PortMapper#RELAY}. */
    private final PortProxy proxy;
    /** The port mappers core offers drivers, by name. */
    private final Map<String, PortMapper> portMappers;
    /** Users' operations in flight: background kernel work waits for quiet moments. */
    private final Activity activity = new Activity();
    /** The listeners that follow the controller (a DNS server, an API's events). */
    private final Events events;
    /** Every deferred-work queue, core's and the drivers'. */
    private final Background background;
    private final SandboxReaper reaper;
    /** Sandboxes' resolv.conf and hosts files, and the name service they name. */
    private final ResolverFiles files;
    /** The way out of networks whose driver gives none (the overlay's docker_gwbridge). */
    private final Egress egress;
    /** This host's part in a cluster, when a cluster store is there (global networks). */
    private final Cluster cluster;

    /**
     * @param ipams the IPAM drivers: the built-in ones added already, others following the
     *              whiteboard; their leases are replayed at {@link #start} and on arrival
     */
    ControllerImpl(HostSystem system, Store store, IpamRegistry ipams, DriverRegistry drivers, Path etcNetns,
                   Path hostResolvConf) {
        this(system, store, ipams, drivers, etcNetns, hostResolvConf, new Events());
    }

    ControllerImpl(HostSystem system, Store store, IpamRegistry ipams, DriverRegistry drivers, Path etcNetns,
                   Path hostResolvConf, Events events) {
        this.events = events;
        this.inventory = new Inventory(store);
        this.drivers = drivers;
        this.ipams = ipams;
        Locks locks = new Locks();
        this.proxy = new PortProxy(new PortProxy.HostSockets() {
            @Override
            public <T> T call(Callable<T> work) {
                return system.inHostNamespace(work);
            }
        });
        RelayMapper relay = new RelayMapper(proxy);
        // the relay holds what it can serve ([::1] and other IPv6 clients), bound sockets the rest
        this.hostPorts = new HostPorts(List.of(relay, new BoundPorts(system::reservePort)));
        this.portMappers = Map.of(PortMapper.RELAY, relay);
        this.files = new ResolverFiles(inventory, etcNetns, hostResolvConf,
                hostResolvConf.equals(Path.of("/etc/resolv.conf")) ? Path.of("/run/systemd/resolve/resolv.conf") : null);
        this.views = new Views(inventory, drivers, ipams, this::scopeOf, files::nameService);
        this.networks = new Networks(inventory, drivers, ipams, events, views);
        this.cluster = new Cluster(inventory, drivers, events, views, ipams);
        networks.cluster(cluster);
        this.background = new Background(activity::quietMillis);
        SandboxReaper reaper = new SandboxReaper(system, background, new SandboxReaper.Steps() {
            @Override
            public void removeResolvConf(String sandbox) {
                files.remove(sandbox);
            }

            @Override
            public void removeRecord(SandboxRecord sandbox) {
                inventory.removeSandbox(sandbox.id());
            }
        });
        this.reaper = reaper;
        this.endpoints = new Endpoints(inventory, drivers, ipams, hostPorts, locks, reaper, background, events, views);
        this.sandboxes = new Sandboxes(system, inventory, drivers, endpoints, locks, reaper, files);
        this.egress = new Egress(inventory, drivers, networks, endpoints);
        sandboxes.egress(egress);
        this.leases = new Leases(inventory, ipams);
        this.reconciler = new Reconciler(inventory, drivers, networks, endpoints, sandboxes, hostPorts, ipams, leases);
    }

    /** Loads the records, reconciles them with the kernel and starts following IPAM and network drivers. */
    void start() {
        reconciler.reconcile();
        // An IPAM driver registered meanwhile is replayed here or by the listener, once either way.
        ipams.onArrival(leases::replay);
        ipams.entries().forEach(leases::replay);
        drivers.onArrival(this::driverArrived);
        for (DriverRegistry.Entry e : drivers.entries()) {
            driverArrived(e);
        }
    }

    /**
     * The cluster store arrived (the instance is configured for a cluster): this host joins it, and
     * global networks can be made and used.
     *
     * @param hostConflict true when a subnet overlaps a route of the host namespace (never picked)
     * @param reclaimAfter how long a host may be gone before its addresses are given back
     */
    public void attachCluster(dev.weft.spi.ClusterStore store, String instance,
                              java.util.function.Predicate<dev.weft.net.IpPrefix> hostConflict,
                              java.time.Duration reclaimAfter) {
        cluster.attach(store, clusterListeners(), instance, hostConflict, reclaimAfter);
    }

    /** How long claims of a network never written must stay so before they are given back (tests). */
    void clusterOrphanAge(java.time.Duration age) {
        cluster.orphanAge(age);
    }

    /** The cluster store went: global networks keep their kernel state and take no new endpoints. */
    public void detachCluster() {
        cluster.detach(clusterListeners());
    }

    /** The cluster store this instance uses, if any ({@link DriverContext#cluster()}). */
    public Optional<dev.weft.spi.ClusterStore> clusterStore() {
        return cluster.current();
    }

    private Cluster.Controllers clusterListeners() {
        return new Cluster.Controllers() {
            @Override
            public void addListener(ControllerListener l) {
                ControllerImpl.this.addListener(l);
            }

            @Override
            public void removeListener(ControllerListener l) {
                ControllerImpl.this.removeListener(l);
            }
        };
    }

    /**
     * Frees JVM resources only (the sockets that hold published host ports): kernel state and
     * records stay, and a new controller on the same directories takes them over.
     */
    void close() {
        cluster.detach(clusterListeners());
        sandboxes.close();
        background.close();
        hostPorts.closeAll();
        proxy.close();
        events.close();
    }

    /**
     * Subscribes a listener: it gets the current state, then every change as it happens (see
     * {@link ControllerListener}).
     */
    public void addListener(ControllerListener listener) {
        // what listeners have been told of: networks and endpoints being made come as events
        events.add(listener,
                () -> inventory.networks().stream().filter(n -> n.state() != State.CREATING)
                        .map(n -> views.network(n, true)).toList(),
                () -> views.sandboxes(inventory.sandboxes().stream().filter(s -> s.state() != State.REMOVING).toList(),
                        true));
        if (listener instanceof NameService service) {
            // after its snapshot: it serves what sandboxes' resolv.conf will name
            files.nameService(service);
            files.refreshAll();
            LOG.info("name service " + service + " serves names; sandboxes' resolv.conf name it");
        }
    }

    /** Unsubscribes a listener; when it was the name service, sandboxes' resolv.conf go back to the host's resolvers. */
    public void removeListener(ControllerListener listener) {
        events.remove(listener);
        if (listener instanceof NameService && files.nameService().orElse(null) == listener) {
            files.nameService(null);
            files.refreshAll();
            LOG.info("name service " + listener + " is gone; sandboxes' resolv.conf name the host's resolvers again");
        }
    }

    /** The port mapper core offers drivers under {@code name} ({@link PortMapper#RELAY}), if any. */
    public Optional<PortMapper> portMapper(String name) {
        return Optional.ofNullable(portMappers.get(name));
    }

    /**
     * Waits until removed sandboxes are entirely gone: their namespaces, and their interfaces and
     * addresses (removal returns before the kernel has destroyed them; see {@link SandboxReaper}).
     */
    public void awaitRemovals() {
        drainBackground();
    }

    /** Works off every deferred queue (namespaces, then what drivers wait on), then releases what is overdue. */
    private void drainBackground() {
        background.drain();
        reaper.releaseOverdue();
    }

    /**
     * A deferred-work queue for a driver (see {@link DriverContext#deferredWork}): core's thread,
     * the runtime's quiet moments, drained with core's own work.
     */
    public <K> DeferredWork<K> deferredWork(DeferredPolicy policy, DeferredWork.Task<K> task) {
        return background.queue(policy, task);
    }

    /**
     * A driver (re)arrived: it re-adopts its networks, their records learn its sandbox mode (so it is
     * known while the driver is away), and the networks it declares as predefined are made.
     */
    private void driverArrived(DriverRegistry.Entry e) {
        reconciler.restore(e);
        cluster.driverArrived(e); // a global driver learns the hosts and its networks' peers
        networks.recordMode(e);
        networks.ensurePredefined(e);
        announceAvailable(e);
    }

    /**
     * Tells listeners that the driver's networks are available (a name service serves them now),
     * then rewrites the resolver files of their sandboxes, which may name it now.
     */
    private void announceAvailable(DriverRegistry.Entry e) {
        List<NetworkRecord> mine = inventory.networks().stream().filter(n -> n.state() == State.READY
                && n.driver().equals(e.name) && n.driverBundle().equals(e.bundle)).toList();
        if (mine.isEmpty()) {
            return;
        }
        events.change(() -> { }, "networks of driver " + e.name + " available", () -> {
            List<NetworkInfo> views = mine.stream().map(n -> this.views.network(n, true)).toList();
            return l -> views.forEach(l::networkAvailable);
        });
        if (files.nameService().isPresent()) {
            java.util.Set<String> ids = mine.stream().map(NetworkRecord::id).collect(java.util.stream.Collectors.toSet());
            inventory.sandboxes().stream().filter(s -> s.state() == State.READY && inventory.endpointsOf(s.id()).stream()
                    .anyMatch(ep -> ids.contains(ep.network()))).forEach(s -> files.refresh(s.id()));
        }
    }

    private String scopeOf(String driver) {
        return drivers.entries().stream().filter(e -> e.name.equals(driver)).findFirst()
                .map(e -> e.driver.scope().label()).orElse("local");
    }

    @Override
    public NetworkInfo createNetwork(NetworkSpec spec) {
        try (Activity.Op op = activity.begin()) {
            return views.inspected(networks.create(spec));
        }
    }

    @Override
    public void removeNetwork(String network) {
        drainBackground(); // removed sandboxes still hold addresses of its pools
        try (Activity.Op op = activity.begin()) {
            networks.remove(network);
        }
    }

    @Override
    public List<String> pruneNetworks() {
        drainBackground();
        List<String> removed = new ArrayList<>();
        for (NetworkRecord n : inventory.networks()) {
            if (!n.predefined() && n.state() == State.READY && inventory.endpoints(e -> e.network().equals(n.id())).isEmpty()
                    && drivers.available(n.driver(), n.driverBundle()) && ipams.available(n.ipam())) {
                try {
                    networks.remove(n.id());
                    removed.add(n.name());
                } catch (WeftException e) {
                    LOG.info("prune kept network " + n.name() + ": " + e.getMessage());
                }
            }
        }
        return removed;
    }

    @Override
    public List<NetworkInfo> networks() {
        return inventory.networks().stream().map(views::inspected).toList();
    }

    @Override
    public Optional<NetworkInfo> network(String network) {
        return inventory.network(network).map(views::inspected);
    }

    @Override
    public SandboxInfo createSandbox(SandboxSpec spec) {
        try (Activity.Op op = activity.begin()) {
            SandboxRecord created = sandboxes.create(spec);
            files.refreshLinkers(created.name()); // a sandbox others link to by name came
            return views.sandbox(created);
        }
    }

    @Override
    public void removeSandbox(String sandbox, boolean force) {
        try (Activity.Op op = activity.begin()) {
            String name = inventory.sandbox(sandbox).map(SandboxRecord::name).orElse(sandbox);
            sandboxes.remove(sandbox, force);
            files.refreshLinkers(name); // links to it leave its linkers' hosts files
        }
    }

    /** How long no user's operation has been running, in milliseconds (0 while one is). */
    public long quietMillis() {
        return activity.quietMillis();
    }

    @Override
    public void awaitRemoval(String sandbox) {
        sandboxes.awaitRemoval(sandbox);
    }

    @Override
    public List<SandboxInfo> sandboxes() {
        return views.sandboxes(inventory.sandboxes().stream().filter(s -> s.state() != State.REMOVING).toList(), false);
    }

    @Override
    public Optional<SandboxInfo> sandbox(String sandbox) {
        return inventory.sandbox(sandbox).filter(s -> s.state() != State.REMOVING).map(views::inspected);
    }

    @Override
    public Optional<SandboxInfo> listedSandbox(String sandbox) {
        return inventory.sandbox(sandbox).filter(s -> s.state() != State.REMOVING).map(views::sandbox);
    }

    @Override
    public EndpointInfo connect(String network, String sandbox, EndpointSpec spec) {
        try (Activity.Op op = activity.begin()) {
            NetworkRecord n = inventory.requireNetwork(network);
            EndpointRecord joined = endpoints.connect(network, sandbox, egress.forNetwork(n, spec));
            try {
                egress.joined(n, joined.sandbox(), spec.ports());
            } catch (RuntimeException e) {
                endpoints.disconnect(n.id(), joined.sandbox(), true);
                throw e;
            }
            files.refresh(joined.sandbox()); // its resolv.conf names the new network's server, its hosts the address
            return views.endpoint(joined).orElseThrow();
        }
    }

    @Override
    public void disconnect(String network, String sandbox, boolean force) {
        try (Activity.Op op = activity.begin()) {
            Optional<String> id = inventory.sandbox(sandbox).map(SandboxRecord::id);
            endpoints.disconnect(network, sandbox, force);
            id.ifPresent(egress::left);
            id.ifPresent(files::refresh);
        }
    }

    @Override
    public List<DriverInfo> drivers() {
        Map<String, DriverInfo> out = new LinkedHashMap<>();
        List<NetworkRecord> all = inventory.networks();
        for (DriverRegistry.Entry e : drivers.entries()) {
            List<String> nets = all.stream().filter(n -> n.driver().equals(e.name) && n.driverBundle().equals(e.bundle))
                    .map(NetworkRecord::name).toList();
            out.putIfAbsent(e.name + "/" + e.bundle, new DriverInfo(e.name, e.driver.scope().label(), e.bundle, e.version,
                    true, nets));
        }
        for (NetworkRecord n : all) {
            out.computeIfAbsent(n.driver() + "/" + n.driverBundle(), k -> new DriverInfo(n.driver(), "local",
                    n.driverBundle(), "", false, all.stream().filter(x -> x.driver().equals(n.driver())
                    && x.driverBundle().equals(n.driverBundle())).map(NetworkRecord::name).toList()));
        }
        return List.copyOf(out.values());
    }

    @Override
    public List<java.net.InetAddress> hostGateways(String network) {
        NetworkRecord n = inventory.requireNetwork(network);
        Optional<NetworkRecord> out = egress.of(n).flatMap(spec -> inventory.network(spec.name())
                .filter(e -> e.name().equals(spec.name())));
        if (out.isPresent()) {
            // its sandboxes reach the host namespace through the egress network's gateway
            return hostGateways(out.get().id());
        }
        Optional<DriverRegistry.Handle> held = drivers.forNetwork(n.driver(), n.driverBundle());
        if (held.isEmpty()) {
            return List.of();
        }
        try (DriverRegistry.Handle h = held.get()) {
            if (!(h.driver() instanceof HostGateway<?>)) {
                return List.of();
            }
            @SuppressWarnings("unchecked")
            HostGateway<Object> gateway = (HostGateway<Object>) h.driver();
            return List.copyOf(gateway.hostGatewayAddresses(n.config(), h.driver().parseOptions(n.options())));
        }
    }

    @Override
    public List<DriverInfo> ipamDrivers() {
        Map<String, DriverInfo> out = new LinkedHashMap<>();
        List<NetworkRecord> all = inventory.networks();
        for (IpamRegistry.Entry e : ipams.entries()) {
            List<String> nets = all.stream().filter(n -> e.serves(n.ipam())).map(NetworkRecord::name).toList();
            out.putIfAbsent(e.name + "/" + e.bundle, new DriverInfo(e.name, "local", e.bundle, e.version, true, nets));
        }
        for (NetworkRecord n : all) {
            out.computeIfAbsent(n.ipam().driver() + "/" + n.ipam().bundle(), k -> new DriverInfo(n.ipam().driver(),
                    "local", n.ipam().bundle(), "", false, all.stream().filter(x -> x.ipam().driver().equals(
                    n.ipam().driver()) && x.ipam().bundle().equals(n.ipam().bundle())).map(NetworkRecord::name).toList()));
        }
        return List.copyOf(out.values());
    }

    @Override
    public List<String> reapply() {
        List<String> done = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        RuntimeException first = null;
        List<DriverRegistry.Entry> byName = new ArrayList<>(drivers.entries());
        byName.sort(java.util.Comparator.comparing((DriverRegistry.Entry e) -> e.name)); // the same order every time
        for (DriverRegistry.Entry e : byName) {
            if (!(e.driver instanceof Reapplicable)) {
                continue;
            }
            // A handle, not the entry: a driver leaving meanwhile waits for this call to end.
            Optional<DriverRegistry.Handle> held = drivers.forNetwork(e.name, e.bundle);
            if (held.isEmpty()) {
                continue;
            }
            try (DriverRegistry.Handle h = held.get()) {
                ((Reapplicable) h.driver()).reapply();
                done.add(e.name);
                LOG.info("driver \"" + e.name + "\" of " + e.bundle + " reapplied its kernel state");
            } catch (RuntimeException ex) {
                failures.add("driver \"" + e.name + "\" of " + e.bundle + " could not reapply its state: " + ex.getMessage());
                first = first == null ? ex : first;
            }
        }
        if (!failures.isEmpty()) {
            String reapplied = done.isEmpty() ? "" : " (reapplied: " + String.join(", ", done) + ")";
            throw new WeftException.Failed(String.join("; ", failures) + reapplied, first);
        }
        return List.copyOf(done);
    }

    /** The host namespace's resolv.conf ({@link dev.weft.spi.DriverContext#hostResolvConf}). */
    public Path hostResolvConf() {
        return files.hostResolvConf();
    }

    @Override
    public Map<String, String> resolverFiles(String sandbox) {
        return sandboxes.resolverFiles(sandbox);
    }
}
