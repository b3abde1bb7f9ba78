package dev.weft.core.internal;

import dev.weft.api.NetworkSpec;
import dev.weft.api.SubnetInfo;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.core.internal.cluster.ClusterIpam;
import dev.weft.core.internal.cluster.ClusterKeys;
import dev.weft.core.internal.store.NetworkRecord.IpamRecord;
import dev.weft.core.internal.store.NetworkRecord.SubnetRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.State;
import dev.weft.core.internal.store.Store;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.ClusterAllocation;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore.Compare;
import dev.weft.spi.ClusterStore.KeyValue;
import dev.weft.spi.ClusterStore.Op;
import dev.weft.spi.ClusterStore.Txn;
import dev.weft.spi.ClusterStore.TxnResult;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.GatewayAddress;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.IpamException;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import dev.weft.spi.PredefinedNetworks;
import dev.weft.spi.SandboxMode;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Network lifecycle: validate, allocate subnets from the network's IPAM driver, let the driver
 * create it; and the reverse. Pools live in each IPAM driver's local address space (a global one
 * comes with global-scope networks).
 */
final class Networks {
    private static final Logger LOG = Logger.getLogger(Networks.class.getName());
    /** How many picks of an IPAM driver that overlap other IPAM drivers' networks are skipped. */
    private static final int MAX_SKIPPED = 64;

    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final IpamRegistry ipams;

    private final Events events;
    private final Views views;
    /** The cluster, for global networks (their definition and addresses live in its store). */
    private Cluster cluster;

    Networks(Inventory inventory, DriverRegistry drivers, IpamRegistry ipams, Events events, Views views) {
        this.events = events;
        this.views = views;
        this.inventory = inventory;
        this.drivers = drivers;
        this.ipams = ipams;
    }

    void cluster(Cluster c) {
        this.cluster = c;
    }

    /** Creates a user's network. */
    NetworkRecord create(NetworkSpec spec) {
        return create(spec, false, false);
    }

    /**
     * Creates a network; a predefined one (declared by its driver, see {@link PredefinedNetworks})
     * cannot be removed, and {@code sandboxDefault} makes it the network of sandboxes created
     * without one.
     */
    NetworkRecord create(NetworkSpec spec, boolean predefined, boolean sandboxDefault) {
        Names.check("network", spec.name());
        if (!predefined && reservedNames().contains(spec.name())) {
            throw new WeftException.Conflict("network name \"" + spec.name() + "\" is reserved for a predefined network");
        }
        if (inventory.network(spec.name()).filter(n -> n.name().equals(spec.name())).isPresent()) {
            throw new WeftException.Conflict("network \"" + spec.name() + "\" already exists: choose another name");
        }
        if (spec.driver().isBlank()) {
            throw new WeftException.InvalidRequest("network \"" + spec.name() + "\": driver name is empty; give one of "
                    + "the installed drivers (" + installedDrivers() + ", see driver:list) or omit -d for the default, "
                    + NetworkSpec.DEFAULT_DRIVER);
        }
        if (spec.ipamDriver().isBlank()) {
            throw new WeftException.InvalidRequest("network \"" + spec.name() + "\": IPAM driver name is empty; give "
                    + "one of the installed IPAM drivers (" + installedIpams() + ") or omit --ipam-driver for the "
                    + "default, " + IpamDriver.DEFAULT);
        }
        DriverRegistry.Handle handle = drivers.forNew(spec.driver()).orElseThrow(() -> noDriver(spec.driver()));
        IpamRegistry.Handle ipamHandle;
        try {
            ipamHandle = ipams.forNew(spec.ipamDriver()).orElseThrow(() -> noIpam(spec.ipamDriver()));
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
        try (handle; ipamHandle) {
            Object options = handle.driver().parseOptions(spec.options());
            if (handle.driver().scope() == dev.weft.spi.Scope.GLOBAL) {
                return createGlobal(spec, handle, ipamHandle.entry, options, predefined);
            }
            IpamRegistry.Entry ipam = ipamHandle.entry;
            if (ipam.isNull()) {
                checkNullIpam(spec);
            }
            checkFamilies(spec);
            boolean addresses = handle.driver().usesAddresses() && !ipam.isNull();
            Gateways gateways = new Gateways(handle.driver().gatewayAddress(options, false),
                    handle.driver().gatewayAddress(options, true));
            List<Wanted> wanted = addresses ? subnetsWanted(spec, gateways) : List.of();
            String id = Ids.newId();
            handle.driver().validate(new NetworkConfig(id, spec.name(), spec.ipv6(), spec.internal(),
                    draft(wanted), spec.labels(), predefined, ipam.name, spec.ipv4()), options);
            checkOverlaps(spec.name(), wanted);

            NetworkRecord record = new NetworkRecord(id, spec.name(), spec.driver(), handle.entry.bundle, State.CREATING,
                    Instant.now(), spec.ipv6(), spec.internal(), predefined, List.of(), spec.options(), spec.labels(),
                    handle.driver().sandboxMode(), sandboxDefault, new IpamRecord(ipam.name, ipam.bundle, spec.ipamOptions()),
                    !handle.driver().givesDefaultRoutes(options))
                    .withIpv4(spec.ipv4());
            Rollback rollback = new Rollback();
            try {
                inventory.addNetwork(record);
                rollback.add(() -> inventory.removeNetwork(id));
                List<SubnetRecord> subnets = new ArrayList<>();
                for (Wanted w : wanted) {
                    subnets.add(allocate(spec.name(), ipam, spec.ipamOptions(), w, gateways.of(w.ipv6()), rollback));
                }
                record = record.withSubnets(subnets);
                inventory.updateNetwork(record);
                handle.driver().createNetwork(record.config(), options);
                CrashPoints.reach("network-created");
                NetworkRecord ready = record.withState(State.READY);
                events.change(() -> inventory.updateNetwork(ready), "networkCreated",
                        () -> Events.networkCreated(views.network(ready)));
                record = ready;
                rollback.commit();
                LOG.info("network " + spec.name() + " (" + spec.driver() + ") created: " + subnets.stream()
                        .map(SubnetRecord::subnet).toList());
                return record;
            } catch (RuntimeException e) {
                rollback.run(e);
                throw translate(e, "create network \"" + spec.name() + "\"");
            }
        }
    }

    void remove(String nameOrId) {
        NetworkRecord n = inventory.requireNetwork(nameOrId);
        if (n.predefined()) {
            throw new WeftException.Conflict("network \"" + n.name() + "\" is predefined and cannot be removed");
        }
        if (n.isGlobal()) {
            removeGlobal(n);
            return;
        }
        DriverRegistry.Handle handle = drivers.forNetwork(n.driver(), n.driverBundle())
                .orElseThrow(() -> unavailable(n));
        IpamRegistry.Handle ipamHandle;
        try {
            ipamHandle = ipams.forNetwork(n.ipam()).orElseThrow(() -> ipamUnavailable(n));
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
        try (handle; ipamHandle) {
            List<String> users = inventory.markNetworkRemoving(n);
            if (!users.isEmpty()) {
                throw new WeftException.Conflict("network \"" + n.name() + "\" has active endpoints (sandboxes "
                        + String.join(", ", users) + "): disconnect them first");
            }
            Object options = handle.driver().parseOptions(n.options());
            try {
                handle.driver().deleteNetwork(n.config(), options);
            } catch (RuntimeException e) {
                inventory.updateNetwork(n.withState(State.READY));
                throw translate(e, "remove network \"" + n.name() + "\"");
            }
            release(n, ipamHandle.driver());
            events.changeAfter(() -> Events.networkRemoved(views.network(n)), "networkRemoved",
                    () -> inventory.removeNetwork(n.id()));
            LOG.info("network " + n.name() + " removed");
        }
    }

    /**
     * Gives back a network's addresses and pools to its IPAM driver (after its kernel state is
     * gone). When that driver is not here, there is nothing to give back: it gets the leases of the
     * networks that are still recorded when it returns, and this one will not be.
     */
    void release(NetworkRecord n) {
        if (n.subnets().isEmpty()) {
            return;
        }
        Optional<IpamRegistry.Handle> held = ipams.forNetwork(n.ipam());
        if (held.isEmpty()) {
            LOG.info("network " + n.name() + ": IPAM driver \"" + n.ipam().driver() + "\" is not here; its pools are "
                    + "not replayed when it returns");
            return;
        }
        try (IpamRegistry.Handle h = held.get()) {
            release(n, h.driver());
        }
    }

    private static void release(NetworkRecord n, IpamDriver ipam) {
        for (SubnetRecord s : n.subnets()) {
            if (s.gateway() != null && fromIpam(s)) {
                ipam.releaseAddress(s.pool(), s.gateway());
            }
            s.aux().values().forEach(a -> ipam.releaseAddress(s.pool(), a));
            ipam.releasePool(s.pool());
        }
    }

    /**
     * Requests a recorded network's pools and addresses again from its IPAM driver, with the
     * options it was created with (reconcile after a restart, or the driver's arrival).
     */
    static void replay(NetworkRecord n, IpamRegistry.Entry ipam) {
        for (SubnetRecord s : n.subnets()) {
            IpamDriver driver = ipam.driver;
            driver.requestPool(new PoolRequest(ipam.spaces.local(), s.subnet(), s.ipRange(), !s.subnet().isIpv4(),
                    n.ipam().options()));
            if (s.gateway() != null && fromIpam(s)) {
                driver.requestAddress(s.pool(), AddressRequest.gateway(s.gateway()));
            }
            s.aux().values().forEach(a -> driver.requestAddress(s.pool(), AddressRequest.aux(a)));
        }
    }

    /**
     * A subnet to allocate: as given, or (subnet null) a free one of the family, of prefix length
     * {@code length} when that is not 0 (a size request: {@code --subnet 0.0.0.0/24}).
     */
    private record Wanted(SubnetSpec spec, boolean ipv6, int length) {
        Wanted(SubnetSpec spec, boolean ipv6) {
            this(spec, ipv6, 0);
        }
    }

    /** Where each family's gateway comes from ({@link dev.weft.spi.NetworkDriver#gatewayAddress}). */
    record Gateways(GatewayAddress v4, GatewayAddress v6) {
        GatewayAddress of(boolean ipv6) {
            return ipv6 ? v6 : v4;
        }
    }

    private SubnetRecord allocate(String network, IpamRegistry.Entry entry, Map<String, String> ipamOptions, Wanted w,
                                  GatewayAddress gatewayFrom, Rollback rollback) {
        IpamDriver ipam = entry.driver;
        SubnetSpec s = w.spec();
        PoolAllocation pool = requestPool(network, entry, new PoolRequest(entry.spaces.local(), s.subnet(), s.ipRange(),
                w.ipv6(), ipamOptions, w.length()));
        rollback.add(() -> ipam.releasePool(pool.id()));
        InetAddress gateway;
        if (gatewayFrom == GatewayAddress.NONE || gatewayFrom == GatewayAddress.IF_GIVEN && s.gateway() == null) {
            gateway = null; // the host has no address on this network, and no router was named
        } else if (s.gateway() != null && SubnetRules.isLinkLocalGateway(pool.pool(), s.gateway())) {
            gateway = s.gateway(); // outside the pool: not IPAM's to hand out
        } else {
            gateway = ipam.requestAddress(pool.id(), AddressRequest.gateway(
                    s.gateway() != null ? s.gateway() : pool.gateway())).address().address();
        }
        for (InetAddress a : s.auxAddresses().values()) {
            ipam.requestAddress(pool.id(), AddressRequest.aux(a));
        }
        return new SubnetRecord(pool.id(), pool.pool(), s.ipRange(), gateway, s.auxAddresses());
    }

    /**
     * The subnets to allocate: as given (a size request as a free subnet of that length), plus a free
     * IPv4 subnet when none is given (unless IPv6-only), plus a free IPv6 one with --ipv6 when none is
     * given.
     */
    private static List<Wanted> subnetsWanted(NetworkSpec spec, Gateways gateways) {
        List<Wanted> out = new ArrayList<>();
        boolean v4 = false, v6 = false;
        for (SubnetSpec s : spec.subnets()) {
            if (s.subnet() == null) {
                throw new WeftException.InvalidRequest("network \"" + spec.name()
                        + "\": an ip-range, gateway or aux address needs a subnet (--subnet)");
            }
            if (s.subnet().isIpv4()) {
                v4 = true;
                if (!spec.ipv4()) {
                    throw new WeftException.InvalidRequest("network \"" + spec.name() + "\": subnet " + s.subnet()
                            + " is IPv4, but the network is IPv6-only (--ipv4=false); drop the IPv4 --subnet (with its "
                            + "--ip-range, --gateway and --aux-address) or drop --ipv4=false");
                }
            } else {
                v6 = true;
                if (!spec.ipv6()) {
                    throw new WeftException.InvalidRequest("network \"" + spec.name() + "\": subnet " + s.subnet()
                            + " is IPv6; add --ipv6 to make a dual-stack network");
                }
            }
            if (SubnetRules.isSizeRequest(s.subnet())) {
                SubnetRules.checkSizeRequest(spec.name(), s);
                out.add(new Wanted(new SubnetSpec(null, null, null, Map.of()), !s.subnet().isIpv4(), s.subnet().length()));
                continue;
            }
            SubnetRules.check(spec.name(), s, gateways.of(!s.subnet().isIpv4()));
            out.add(new Wanted(s, !s.subnet().isIpv4()));
        }
        if (!v4 && spec.ipv4()) {
            out.add(0, new Wanted(new SubnetSpec(null, null, null, Map.of()), false));
        }
        if (spec.ipv6() && !v6) {
            out.add(new Wanted(new SubnetSpec(null, null, null, Map.of()), true));
        }
        return out;
    }

    /** Whether the recorded gateway came from IPAM: not an IPv6 link-local one outside the subnet. */
    private static boolean fromIpam(SubnetRecord s) {
        return !SubnetRules.isLinkLocalGateway(s.subnet(), s.gateway());
    }

    /**
     * A network has IPv4, IPv6 or both: IPv6-only ({@code ipv4} false) needs {@code ipv6} (Docker:
     * "no IP address family enabled").
     */
    private static void checkFamilies(NetworkSpec spec) {
        if (!spec.ipv4() && !spec.ipv6()) {
            throw new WeftException.InvalidRequest("network \"" + spec.name() + "\": no IP address family enabled: "
                    + "--ipv4=false needs --ipv6 (an IPv6-only network); add --ipv6 or drop --ipv4=false");
        }
    }

    /**
     * The {@code null} IPAM driver gives no addresses: a request for subnets, IPv6 or IPAM options is
     * refused rather than silently dropped.
     */
    private void checkNullIpam(NetworkSpec spec) {
        String why = "network \"" + spec.name() + "\": IPAM driver \"" + IpamDriver.NULL + "\" gives no addresses";
        if (!spec.subnets().isEmpty()) {
            throw new WeftException.InvalidRequest(why + ", so it takes no --subnet, --ip-range, --gateway or "
                    + "--aux-address; drop them, or choose another --ipam-driver (installed: " + installedIpams() + ")");
        }
        if (spec.ipv6()) {
            throw new WeftException.InvalidRequest(why + ", so --ipv6 has no IPv6 subnet to give; drop --ipv6, or "
                    + "choose another --ipam-driver");
        }
        if (!spec.ipamOptions().isEmpty()) {
            throw new WeftException.InvalidRequest(why + " and takes no --ipam-opt, got "
                    + String.join(", ", new java.util.TreeSet<>(spec.ipamOptions().keySet())));
        }
    }

    /**
     * Requests a pool. A subnet the IPAM driver picks itself keeps clear of its own pools only, not
     * of the networks of other IPAM drivers: such a pick is held while the driver is asked again
     * (so it picks another), up to {@value #MAX_SKIPPED} times, and then every skipped one is given
     * back. (Requested subnets were checked against every network before.)
     */
    private PoolAllocation requestPool(String network, IpamRegistry.Entry entry, PoolRequest request) {
        List<PoolId> skipped = new ArrayList<>();
        try {
            while (true) {
                PoolAllocation pool = entry.driver.requestPool(request);
                if (request.sizeOnly() && pool.pool().length() != request.prefixLength()) {
                    skipped.add(pool.id()); // given back below
                    throw new WeftException.InvalidRequest("network \"" + network + "\": IPAM driver \"" + entry.name
                            + "\" gave subnet " + pool.pool() + " where a /" + request.prefixLength() + " was asked for "
                            + "(it does not take requests for a size); give a --subnet, or choose another --ipam-driver");
                }
                Optional<NetworkRecord> clash = otherIpamsNetwork(network, entry, pool.pool());
                if (clash.isEmpty()) {
                    return pool;
                }
                skipped.add(pool.id());
                if (request.pool() != null || skipped.size() > MAX_SKIPPED) {
                    throw new WeftException.Conflict("network \"" + network + "\": IPAM driver \"" + entry.name
                            + "\" gave subnet " + pool.pool() + ", which overlaps network \"" + clash.get().name()
                            + "\" of IPAM driver \"" + clash.get().ipam().driver() + "\"; give a --subnet that is free");
                }
            }
        } finally {
            skipped.forEach(entry.driver::releasePool);
        }
    }

    /** A network of another IPAM driver with a subnet that overlaps {@code subnet}. */
    private Optional<NetworkRecord> otherIpamsNetwork(String network, IpamRegistry.Entry ipam, IpPrefix subnet) {
        for (NetworkRecord other : inventory.networks()) {
            if (other.name().equals(network) || ipam.serves(other.ipam())) {
                continue;
            }
            if (other.subnets().stream().anyMatch(o -> o.subnet().overlaps(subnet))) {
                return Optional.of(other);
            }
        }
        return Optional.empty();
    }

    /** A global network's subnets may overlap other global networks' (each is a segment of its own), not local ones. */
    private void checkOverlapsWithLocal(String network, List<Wanted> wanted) {
        for (Wanted w : wanted) {
            if (w.spec().subnet() == null) {
                continue;
            }
            for (NetworkRecord other : inventory.networks()) {
                if (other.isGlobal()) {
                    continue;
                }
                for (SubnetRecord o : other.subnets()) {
                    if (o.subnet().overlaps(w.spec().subnet())) {
                        throw new WeftException.Conflict("network \"" + network + "\": subnet " + w.spec().subnet()
                                + " overlaps network \"" + other.name() + "\" (" + o.subnet() + ") of this host; choose "
                                + "another subnet or omit --subnet to get a free one");
                    }
                }
            }
        }
    }

    private void checkOverlaps(String network, List<Wanted> wanted) {
        for (Wanted w : wanted) {
            SubnetSpec s = w.spec();
            if (s.subnet() == null) {
                continue;
            }
            for (NetworkRecord other : inventory.networks()) {
                for (SubnetRecord o : other.subnets()) {
                    IpPrefix theirs = o.subnet();
                    if (theirs.overlaps(s.subnet())) {
                        throw new WeftException.Conflict("network \"" + network + "\": subnet " + s.subnet()
                                + " overlaps network \"" + other.name() + "\" (" + theirs
                                + "); choose another subnet or omit --subnet to get a free one");
                    }
                }
            }
        }
    }

    private static List<SubnetInfo> draft(List<Wanted> wanted) {
        return wanted.stream().map(Wanted::spec).filter(s -> s.subnet() != null)
                .map(s -> new SubnetInfo(s.subnet(), s.ipRange(), s.gateway(), s.auxAddresses())).toList();
    }

    /**
     * Names no user network may take: those of the predefined networks that exist, and those the
     * installed drivers declare (so a name stays free for a driver's predefined network).
     */
    private Set<String> reservedNames() {
        Set<String> names = new TreeSet<>();
        inventory.networks().stream().filter(NetworkRecord::predefined).map(NetworkRecord::name).forEach(names::add);
        for (DriverRegistry.Entry e : drivers.entries()) {
            declared(e).forEach(d -> names.add(d.spec().name()));
        }
        return names;
    }

    /** What a driver declares as predefined networks; nothing when it declares none or fails to say. */
    private static List<PredefinedNetworks.Predefined> declared(DriverRegistry.Entry e) {
        if (!(e.driver instanceof PredefinedNetworks p)) {
            return List.of();
        }
        try {
            return p.predefinedNetworks();
        } catch (RuntimeException ex) {
            LOG.warning("driver \"" + e.name + "\" of " + e.bundle + " cannot say its predefined networks: " + ex.getMessage());
            return List.of();
        }
    }

    /**
     * Records a driver's sandbox mode in its networks' records (it arrived): so that the mode is
     * known while the driver is away, and records written before modes existed get theirs.
     */
    void recordMode(DriverRegistry.Entry e) {
        SandboxMode mode = e.driver.sandboxMode();
        for (NetworkRecord n : inventory.networks()) {
            if (n.driver().equals(e.name) && n.driverBundle().equals(e.bundle) && n.mode() != mode) {
                inventory.updateNetwork(n.declared(mode, n.sandboxDefault()));
            }
        }
    }

    /**
     * Makes the predefined networks an arriving driver declares that do not exist yet, and keeps
     * the "default for sandboxes" mark of existing ones as the driver states it now. A failure is
     * logged; the next arrival tries again.
     */
    void ensurePredefined(DriverRegistry.Entry e) {
        for (PredefinedNetworks.Predefined d : declared(e)) {
            Optional<NetworkRecord> existing = inventory.network(d.spec().name()).filter(NetworkRecord::predefined);
            if (existing.isPresent()) {
                NetworkRecord n = existing.get();
                if (n.sandboxDefault() != d.sandboxDefault() && n.driver().equals(e.name)) {
                    inventory.updateNetwork(n.declared(n.mode(), d.sandboxDefault()));
                }
                continue;
            }
            try {
                create(d.spec(), true, d.sandboxDefault());
            } catch (RuntimeException ex) {
                LOG.warning("cannot create the predefined network \"" + d.spec().name() + "\" of driver \"" + e.name
                        + "\": " + ex.getMessage());
            }
        }
    }

    WeftException noDriver(String name) {
        return new WeftException.Unavailable("no network driver \"" + name + "\" is installed; installed drivers: "
                + installedDrivers() + " (see driver:list)");
    }

    WeftException noIpam(String name) {
        return new WeftException.Unavailable("no IPAM driver \"" + name + "\" is installed; installed IPAM drivers: "
                + installedIpams() + " (omit --ipam-driver for the default)");
    }

    private String installedIpams() {
        return ipams.entries().stream().map(e -> e.name).distinct().sorted().collect(java.util.stream.Collectors.joining(", "));
    }

    static WeftException ipamUnavailable(NetworkRecord n) {
        return new WeftException.Unavailable("network \"" + n.name() + "\" is unavailable: its IPAM driver \""
                + n.ipam().driver() + "\" (bundle " + n.ipam().bundle() + ") is not installed; its addresses are kept "
                + "and it works again once the IPAM driver is back");
    }

    private String installedDrivers() {
        List<String> names = drivers.entries().stream().map(e -> e.name).distinct().sorted().toList();
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    static WeftException unavailable(NetworkRecord n) {
        return new WeftException.Unavailable("network \"" + n.name() + "\" is unavailable: its driver \"" + n.driver()
                + "\" (bundle " + n.driverBundle() + ") is not installed; its kernel state is kept and it works again "
                + "once the driver is back");
    }

    // ---- global networks (docs/architecture.md §3c) ----------------------------------------

    /**
     * Creates a network that spans the hosts of the cluster: its name claimed in the store, its
     * subnets and gateways from the cluster's IPAM, the driver's cluster-wide resources
     * ({@link ClusterAllocation}), then its record written to the store, where the other
     * hosts find it; here it is made like a local one. Every claim is given back when a later step
     * fails.
     */
    private NetworkRecord createGlobal(NetworkSpec spec, DriverRegistry.Handle handle, IpamRegistry.Entry ipamEntry,
                                       Object options, boolean predefined) {
        String what = "network \"" + spec.name() + "\" (driver " + spec.driver() + ")";
        ClusterStore store = cluster.store(what); // or the refusal that says what to configure
        if (!ipamEntry.name.equals(dev.weft.spi.IpamDriver.DEFAULT) || !spec.ipamOptions().isEmpty()) {
            throw new WeftException.InvalidRequest(what + ": a global network takes its addresses from the cluster's "
                    + "IPAM; drop --ipam-driver and --ipam-opt");
        }
        if (spec.ipv6() || !spec.ipv4()) {
            throw new WeftException.InvalidRequest(what + ": global networks are IPv4-only in this version; drop --ipv6 "
                    + "(and --ipv4=false)");
        }
        Gateways gateways = new Gateways(handle.driver().gatewayAddress(options, false),
                handle.driver().gatewayAddress(options, true));
        List<Wanted> wanted = subnetsWanted(spec, gateways);
        for (Wanted w : wanted) {
            if (w.spec().ipRange() != null || !w.spec().auxAddresses().isEmpty()) {
                throw new WeftException.InvalidRequest(what + ": --ip-range and --aux-address are not taken for global "
                        + "networks in this version; drop them");
            }
        }
        String id = Ids.newId();
        handle.driver().validate(new NetworkConfig(id, spec.name(), false, spec.internal(), draft(wanted), spec.labels(),
                predefined, IpamDriver.DEFAULT, true), options);
        checkOverlapsWithLocal(spec.name(), wanted); // other overlays may have the same subnet: segments of their own
        ClusterIpam ipam = cluster.ipam();

        NetworkRecord record = new NetworkRecord(id, spec.name(), spec.driver(), handle.entry.bundle, State.CREATING,
                Instant.now(), false, spec.internal(), predefined, List.of(), spec.options(), spec.labels(),
                handle.driver().sandboxMode(), false, IpamRecord.CLUSTER, !handle.driver().givesDefaultRoutes(options))
                .asGlobal();
        Rollback rollback = new Rollback();
        String nameKey = ClusterKeys.name(spec.name());
        try {
            byte[] idBytes = Cluster.bytes(id);
            Optional<KeyValue> named = store.get(nameKey); // early refusal; the claim is at the end
            if (named.isPresent()) {
                throw nameTaken(spec.name(), named.get().text());
            }
            inventory.addNetwork(record);
            rollback.add(() -> inventory.removeNetwork(id));
            rollback.add(() -> ipam.releaseSubnets(id));
            List<SubnetRecord> subnets = new ArrayList<>();
            for (Wanted w : wanted) {
                IpPrefix subnet = ipam.claimSubnet(id, spec.name(), w.spec().subnet(), w.length());
                PoolId pool = ClusterIpam.poolId(id, subnet);
                InetAddress gateway = null;
                GatewayAddress from = gateways.of(false);
                if (!(from == GatewayAddress.NONE || from == GatewayAddress.IF_GIVEN && w.spec().gateway() == null)) {
                    InetAddress g = w.spec().gateway() != null ? w.spec().gateway() : subnet.addressAt(java.math.BigInteger.ONE);
                    gateway = ipam.requestAddress(pool, AddressRequest.gateway(g)).address().address();
                }
                subnets.add(new SubnetRecord(pool, subnet, null, gateway, Map.of()));
            }
            record = record.withSubnets(subnets);
            if (handle.driver() instanceof ClusterAllocation<?> a) {
                @SuppressWarnings("unchecked")
                ClusterAllocation<Object> alloc = (ClusterAllocation<Object>) a;
                Map<String, String> extra = alloc.allocateNetwork(record.config(), options, store);
                if (!extra.isEmpty()) {
                    Map<String, String> merged = new java.util.LinkedHashMap<>(spec.options());
                    merged.putAll(extra);
                    record = record.withOptions(merged);
                    options = handle.driver().parseOptions(merged);
                }
                NetworkRecord allocated = record;
                Object allocatedOptions = options;
                rollback.add(() -> alloc.freeNetwork(allocated.config(), allocatedOptions, store));
            }
            inventory.updateNetwork(record);
            NetworkRecord ready = record.withState(State.READY);
            String networkKey = ClusterKeys.network(id);
            byte[] json = Cluster.bytes(Store.json(ready));
            // the name and the network in one transaction: a crash before leaves no name taken
            Txn claim = new Txn(
                    List.of(Compare.absent(nameKey), Compare.absent(networkKey)),
                    List.of(Op.put(nameKey, idBytes), Op.put(networkKey, json)),
                    List.of(Op.get(nameKey)));
            long revision;
            try {
                TxnResult written = store.txn(claim);
                if (!written.succeeded()) {
                    List<KeyValue> holder = written.results().get(0);
                    throw nameTaken(spec.name(), holder.isEmpty() ? "?" : holder.get(0).text());
                }
                revision = written.revision();
            } catch (ClusterException e) {
                if (e.reason() != ClusterException.Reason.INDETERMINATE) {
                    throw e;
                }
                Optional<KeyValue> landed = store.get(networkKey); // was it applied?
                if (landed.isEmpty() || !java.util.Arrays.equals(landed.get().value(), json)) {
                    throw e;
                }
                revision = landed.get().modRevision();
            }
            cluster.revision(id, revision);
            rollback.add(() -> store.txn(new Txn(List.of(
                    Compare.value(nameKey, idBytes)), List.of(
                    Op.delete(nameKey), Op.delete(networkKey)), List.of())));
            handle.driver().createNetwork(ready.config(), options);
            events.change(() -> inventory.updateNetwork(ready), "networkCreated",
                    () -> Events.networkCreated(views.network(ready)));
            rollback.commit();
            cluster.resetPeers(id);
            LOG.info("global network " + spec.name() + " (" + spec.driver() + ") created: " + subnets.stream()
                    .map(SubnetRecord::subnet).toList() + " " + ready.options());
            return ready;
        } catch (RuntimeException e) {
            rollback.run(e);
            throw translateCluster(e, "create network \"" + spec.name() + "\"");
        }
    }

    /**
     * Removes a global network everywhere: marked {@code REMOVING} in the store (no host claims an
     * address on it after that), refused and unmarked while any host has endpoints on it, else its
     * claims are given back and its key deleted; each host then deletes its own part.
     */
    private void removeGlobal(NetworkRecord n) {
        String what = "network \"" + n.name() + "\"";
        ClusterStore store = cluster.current().orElse(null);
        if (store == null) {
            throw new WeftException.Unavailable(what + " is global and this Weft has no cluster store now; it can be "
                    + "removed once the store is back");
        }
        DriverRegistry.Handle handle = drivers.forNetwork(n.driver(), n.driverBundle()).orElseThrow(() -> unavailable(n));
        try (handle) {
            List<String> users = inventory.markNetworkRemoving(n);
            if (!users.isEmpty()) {
                throw new WeftException.Conflict(what + " has active endpoints (sandboxes " + String.join(", ", users)
                        + "): disconnect them first");
            }
            Object options = handle.driver().parseOptions(n.options());
            String key = ClusterKeys.network(n.id());
            try {
                Optional<KeyValue> kv = store.get(key);
                if (kv.isPresent()) {
                    NetworkRecord removing = n.withState(State.REMOVING);
                    if (!store.txn(new Txn(List.of(Compare.modRevision(
                            key, kv.get().modRevision())), List.of(Op.put(key,
                            Cluster.bytes(Store.json(removing)))), List.of())).succeeded()) {
                        throw new WeftException.Conflict(what + " changed in the cluster meanwhile; try again");
                    }
                    List<String> remote = remoteEndpoints(store, n);
                    if (!remote.isEmpty()) {
                        Optional<KeyValue> now = store.get(key);
                        now.ifPresent(k -> store.txn(new Txn(List.of(
                                Compare.modRevision(key, k.modRevision())),
                                List.of(Op.put(key, Cluster.bytes(
                                        Store.json(n.withState(State.READY))))), List.of())));
                        throw new WeftException.Conflict(what + " has endpoints on other hosts of the cluster ("
                                + String.join(", ", remote) + "): disconnect them there first");
                    }
                    if (handle.driver() instanceof ClusterAllocation<?> a) {
                        @SuppressWarnings("unchecked")
                        ClusterAllocation<Object> alloc = (ClusterAllocation<Object>) a;
                        alloc.freeNetwork(n.config(), options, store);
                    }
                    cluster.ipam().releaseSubnets(n.id());
                    String nameKey = ClusterKeys.name(n.name());
                    store.txn(new Txn(List.of(), List.of(
                            Op.delete(key),
                            Op.deletePrefix(ClusterKeys.endpoints(n.id()))),
                            List.of()));
                    store.txn(new Txn(List.of(Compare.value(nameKey,
                            Cluster.bytes(n.id()))), List.of(Op.delete(nameKey)), List.of()));
                }
                handle.driver().deleteNetwork(n.config(), options);
            } catch (RuntimeException e) {
                inventory.updateNetwork(n.withState(State.READY));
                throw translateCluster(e, "remove network \"" + n.name() + "\"");
            }
            events.changeAfter(() -> Events.networkRemoved(views.network(n)), "networkRemoved",
                    () -> inventory.removeNetwork(n.id()));
            LOG.info("global network " + n.name() + " removed from the cluster");
        }
    }

    private static WeftException nameTaken(String name, String holder) {
        return new WeftException.Conflict("network \"" + name + "\" already exists in the cluster (id "
                + holder.substring(0, Math.min(12, holder.length())) + "): choose another name");
    }

    /** The other hosts with endpoints (published, or addresses being claimed) on a global network, with counts. */
    private List<String> remoteEndpoints(ClusterStore store, NetworkRecord n) {
        Map<String, Integer> byNode = new java.util.TreeMap<>();
        for (KeyValue kv : store.range(
                ClusterKeys.endpoints(n.id())).kvs()) {
            byNode.merge(ClusterKeys.field(kv, "node"), 1, Integer::sum);
        }
        if (byNode.isEmpty()) {
            for (KeyValue kv : store.range(
                    ClusterKeys.addresses(n.id())).kvs()) {
                if ("ENDPOINT".equals(ClusterKeys.field(kv, "kind"))) {
                    byNode.merge(ClusterKeys.field(kv, "node"), 1, Integer::sum);
                }
            }
        }
        return byNode.entrySet().stream().map(e -> "host " + e.getKey() + ": " + e.getValue()).toList();
    }


    /** As {@link #translate}, with the cluster store's failures named as such. */
    private static WeftException translateCluster(RuntimeException e, String what) {
        if (e instanceof ClusterException c) {
            return c.reason() == ClusterException.Reason.REJECTED
                    ? new WeftException.InvalidRequest("cannot " + what + ": the cluster store refused: " + c.getMessage())
                    : new WeftException.Unavailable("cannot " + what + ": the cluster store does not answer: "
                    + c.getMessage());
        }
        return translate(e, what);
    }

    /** IPAM and kernel failures become the API's errors; API errors pass through. */
    static WeftException translate(RuntimeException e, String what) {
        if (e instanceof WeftException w) {
            return w;
        }
        if (e instanceof IpamException i) {
            return switch (i.reason()) {
                case INVALID_REQUEST, ADDRESS_OUTSIDE_POOL -> new WeftException.InvalidRequest("cannot " + what + ": " + i.getMessage());
                default -> new WeftException.Conflict("cannot " + what + ": " + i.getMessage());
            };
        }
        if (e instanceof IllegalArgumentException) {
            return new WeftException.InvalidRequest("cannot " + what + ": " + e.getMessage());
        }
        return new WeftException.Failed("cannot " + what + ": " + e.getMessage(), e);
    }
}
