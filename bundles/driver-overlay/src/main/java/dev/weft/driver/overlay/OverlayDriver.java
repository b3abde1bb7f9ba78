package dev.weft.driver.overlay;

import dev.weft.api.NetworkSpec;
import dev.weft.spi.EgressNetwork;
import dev.weft.api.Failures;
import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.net.NetNamespace;
import dev.weft.spi.ClusterAllocation;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import dev.weft.spi.Discovery;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.GatewayAddress;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.Peers;
import dev.weft.spi.Reapplicable;
import dev.weft.spi.Restorable;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import dev.weft.net.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code overlay} driver: Docker's overlay networks, one layer-2 segment per network across
 * the hosts of a cluster, carried by VXLAN between their underlay addresses (libnetwork's layout).
 * On each host where a network has endpoints, a namespace of its own ({@link SegmentNamespace})
 * holds the bridge {@code br0} with the gateway addresses and {@code vxlan0}, whose UDP socket is
 * the host's; each sandbox joins with a veth whose other end is a port of {@code br0}
 * ({@link SandboxVeth}). Remote endpoints are programmed on {@code vxlan0} as the controller
 * announces them ({@link Peers}, {@link PeerProgramming}); nothing is learnt or flooded.
 *
 * <p>The namespace is made at the first join on this host and deleted after the last leave (and at
 * {@link #deleteNetwork}); {@link #createNetwork}, called on every host of the cluster, only
 * records the network. VNIs are the cluster's, claimed in its store ({@link VniAllocator}).
 *
 * <p>Ownership: {@code br0} and {@code vxlan0} carry {@code weft:<instance>:<network id>}, each
 * veth end {@code weft:<instance>:<network id>/<endpoint id>}. Deactivation frees nothing in the kernel.
 *
 * <p>VXLAN is not authenticated: as a {@link Discovery} the driver follows the cluster's hosts and
 * keeps their VTEPs in {@link VtepGuard}, a table of the instance's in the host namespace that
 * drops UDP to the VXLAN port from any other source. It is made at the first host announced or the
 * first per-network namespace on this host, whichever comes first, and written again by
 * {@link #reapply}. Not with firewall mode {@code none}.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + OverlayDriver.NAME)
public final class OverlayDriver implements NetworkDriver<OverlayOptions>, Restorable<OverlayOptions>,
        Peers<OverlayOptions>, ClusterAllocation<OverlayOptions>, EgressNetwork<OverlayOptions>, Discovery,
        Reapplicable {
    public static final String NAME = "overlay";
    private static final Logger LOG = Logger.getLogger(OverlayDriver.class.getName());
    /** How long after a restore the sweep of orphaned namespaces waits, so every network's restore has run. */
    static final long ORPHAN_SWEEP_DELAY_MILLIS = 30_000;
    /** How long after the first host announced since a re-adoption the guard's unconfirmed VTEPs are removed. */
    static final long VTEP_SWEEP_DELAY_MILLIS = 30_000;
    private static final String SWEEP_ORPHANS = "sweep";
    private static final String SWEEP_VTEPS = "vteps";

    private final DriverContext context;
    private final Kernel kernel;
    private final Map<String, Segment> segments = new ConcurrentHashMap<>();
    private volatile DeferredWork<String> sweeper;
    /** The VXLAN guard; null with firewall mode none. */
    private final VtepGuard guard;

    @Activate
    public OverlayDriver(@Reference DriverContext context, @Reference Kernel kernel) {
        this.context = context;
        this.kernel = kernel;
        this.guard = context.firewallMode() == DriverContext.FirewallMode.NFTABLES
                ? new VtepGuard(kernel, VtepGuard.tableName(context.nftTable()), SegmentNamespace.PORT)
                : null;
    }

    @Deactivate
    void deactivate() {
        DeferredWork<String> s = sweeper;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public Scope scope() {
        return Scope.GLOBAL;
    }

    /** The gateway is an address of {@code br0} in the per-network namespace on every host, as libnetwork's. */
    @Override
    public GatewayAddress gatewayAddress(OverlayOptions options, boolean ipv6) {
        return GatewayAddress.ALLOCATED;
    }

    /** No default routes: the segment leads nowhere but to its own endpoints (egress is a later step). */
    @Override
    public boolean givesDefaultRoutes(OverlayOptions options) {
        return false;
    }

    /** Docker's name of the per-host egress network of overlays. */
    public static final String EGRESS = "docker_gwbridge";

    /**
     * The way out and the published ports of overlay sandboxes: Docker's {@code docker_gwbridge}, a
     * bridge network on each host with masquerading and ICC off (so the sandboxes of different
     * overlays on one host do not reach each other through it). Core makes it on first need.
     */
    @Override
    public NetworkSpec egressNetwork() {
        return new NetworkSpec(EGRESS, "bridge", List.of(), false, false,
                Map.of("com.docker.network.bridge.enable_icc", "false",
                        "com.docker.network.bridge.enable_ip_masquerade", "true"), Map.of());
    }

    @Override
    public OverlayOptions parseOptions(Map<String, String> options) {
        return OverlayOptions.parse(options);
    }

    /** A cluster is configured; the VNI list fits the subnets; the MTU fits the underlay and IPv6. No side effects. */
    @Override
    public void validate(NetworkConfig network, OverlayOptions options) {
        ClusterStore cluster = cluster(network);
        int subnets = Math.max(1, network.subnets().size());
        if (options.vnis().size() > subnets) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": " + OverlayOptions.VXLANID_LIST
                    + " names " + options.vnis().size() + " VNIs for " + subnets + " subnet" + (subnets > 1 ? "s" : "")
                    + "; give at most one per subnet (the network is one segment: the first VNI carries it)");
        }
        Underlay underlay = Underlay.of(kernel, cluster.advertise());
        if (options.mtu() > underlay.maxOverlayMtu()) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": " + OverlayOptions.MTU + "="
                    + options.mtu() + " is too large: the underlay interface " + underlay.device() + " has MTU "
                    + underlay.mtu() + ", and VXLAN needs " + (underlay.mtu() - underlay.maxOverlayMtu())
                    + " bytes of it; use at most " + underlay.maxOverlayMtu() + " or omit the option");
        }
        if (network.ipv6() && mtu(options, underlay) < OverlayOptions.MIN_IPV6_MTU) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": an MTU of "
                    + mtu(options, underlay) + " is too small for IPv6: use at least " + OverlayOptions.MIN_IPV6_MTU
                    + " or drop --ipv6");
        }
    }

    /** Claims the VNI in the cluster store; returns {@code vxlanid_list=N}, recorded with the network. */
    @Override
    public Map<String, String> allocateNetwork(NetworkConfig network, OverlayOptions options, ClusterStore store) {
        int vni = VniAllocator.claim(store, network.name(), network.id(), options.vni());
        LOG.info("network " + network.name() + ": VNI " + vni);
        return Map.of(OverlayOptions.VXLANID_LIST, Integer.toString(vni));
    }

    /** Releases the VNI if this network holds it. */
    @Override
    public void freeNetwork(NetworkConfig network, OverlayOptions options, ClusterStore store) {
        if (options.vni() != 0) {
            VniAllocator.release(store, options.vni(), network.id());
        }
    }

    /** Records the network; its namespace waits for the first join on this host. */
    @Override
    public void createNetwork(NetworkConfig network, OverlayOptions options) {
        if (options.vni() == 0) {
            throw new WeftException.Failed("network \"" + network.name() + "\": no VNI recorded ("
                    + OverlayOptions.VXLANID_LIST + "); it is claimed in the cluster store when the network is "
                    + "created (ClusterAllocation)", null);
        }
        segment(network, options);
    }

    /** Deletes the per-network namespace (also one left by a crash) and forgets the network. Idempotent. */
    @Override
    public void deleteNetwork(NetworkConfig network, OverlayOptions options) {
        Segment s = segments.remove(network.id());
        Failures failures = new Failures();
        if (s != null) {
            synchronized (s) {
                s.local.clear();
                s.peers.clear();
                failures.run(() -> SegmentNamespace.delete(kernel, namespaceName(network)));
            }
        } else {
            failures.run(() -> SegmentNamespace.delete(kernel, namespaceName(network)));
        }
        failures.throwIfAny("network \"" + network.name() + "\": delete failed");
    }

    @Override
    public JoinInfo join(NetworkConfig network, OverlayOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        Segment s = segment(network, options);
        NetNamespace ns;
        int mtu;
        synchronized (s) {
            ns = ensureNamespace(s);
            s.local.add(endpoint.id());
            mtu = s.mtu;
        }
        try {
            MacAddress mac = SandboxVeth.plumb(kernel, ns, mtu, endpoint, sandbox, mark(network, endpoint));
            LOG.fine("network " + network.name() + ": " + endpoint.interfaceName() + " of sandbox " + sandbox.name()
                    + " (" + mac + ")");
            return new JoinInfo(endpoint.interfaceName(), mac);
        } catch (RuntimeException e) {
            synchronized (s) {
                s.local.remove(endpoint.id());
                if (s.local.isEmpty()) {
                    try {
                        SegmentNamespace.delete(kernel, namespaceName(network));
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
    }

    /**
     * Deletes the veth (by its end in the per-network namespace, so also when the sandbox is being
     * removed: nothing may keep its address on the segment); after the last local endpoint, deletes
     * the per-network namespace instead, which takes every veth with it.
     */
    @Override
    public void leave(NetworkConfig network, OverlayOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        Segment s = segment(network, options);
        Failures failures = new Failures();
        synchronized (s) {
            s.local.remove(endpoint.id());
            if (s.local.isEmpty()) {
                failures.run(() -> SegmentNamespace.delete(kernel, namespaceName(network)));
            } else if (sandbox.removing() && sandbox.namespace().stillThere()) {
                // its namespace takes the veth pair with it, off the user's path (deleting a veth costs
                // the kernel's grace periods); meanwhile it answers for no address
                failures.run(() -> {
                    boolean found = kernel.inNamespace(sandbox.namespace(), rt -> rt.dropAddresses(
                            endpoint.interfaceName(), mark(network, endpoint), endpoint.ipv4(), endpoint.ipv6()));
                    if (!found) {
                        kernel.namespaces().get(namespaceName(network)).ifPresent(ns -> SandboxVeth.unplumb(kernel, ns, endpoint));
                    }
                });
            } else {
                kernel.namespaces().get(namespaceName(network))
                        .ifPresent(ns -> failures.run(() -> SandboxVeth.unplumb(kernel, ns, endpoint)));
            }
        }
        failures.throwIfAny("endpoint " + endpoint.shortId() + " on network \"" + network.name() + "\": leave failed");
    }

    // ---- peers

    @Override
    public void peersReset(NetworkConfig network, OverlayOptions options, List<Peer> peers) {
        Segment s = segment(network, options);
        synchronized (s) {
            s.peers.clear();
            peers.forEach(p -> s.peers.put(p.endpointId(), p));
            Optional<NetNamespace> ns = kernel.namespaces().get(namespaceName(network));
            if (ns.isPresent() && !s.local.isEmpty()) {
                int deleted = kernel.inNamespace(ns.get(), rt -> PeerProgramming.reset(rt,
                        SegmentNamespace.vxlanIndex(rt), List.copyOf(s.peers.values())));
                if (deleted > 0) {
                    LOG.info("network " + network.name() + ": removed " + deleted + " entries of peers gone");
                }
            }
        }
    }

    @Override
    public void peerJoined(NetworkConfig network, OverlayOptions options, Peer peer) {
        Segment s = segment(network, options);
        synchronized (s) {
            Peer before = s.peers.put(peer.endpointId(), peer);
            Optional<NetNamespace> ns = kernel.namespaces().get(namespaceName(network));
            if (ns.isPresent() && !s.local.isEmpty()) {
                kernel.inNamespace(ns.get(), rt -> {
                    int vx = SegmentNamespace.vxlanIndex(rt);
                    if (before != null && !before.equals(peer)) { // moved or readdressed: drop what only it had
                        List<Peer> others = new ArrayList<>(s.peers.values());
                        PeerProgramming.unprogram(rt, vx, before, others);
                    }
                    PeerProgramming.program(rt, vx, List.of(peer));
                    return null;
                });
            }
        }
    }

    @Override
    public void peerLeft(NetworkConfig network, OverlayOptions options, Peer peer) {
        Segment s = segment(network, options);
        synchronized (s) {
            Peer known = s.peers.remove(peer.endpointId());
            Optional<NetNamespace> ns = kernel.namespaces().get(namespaceName(network));
            if (ns.isPresent() && !s.local.isEmpty()) {
                kernel.inNamespace(ns.get(), rt -> {
                    PeerProgramming.unprogram(rt, SegmentNamespace.vxlanIndex(rt), known != null ? known : peer,
                            List.copyOf(s.peers.values()));
                    return null;
                });
            }
        }
    }

    // ---- the cluster's hosts: the VXLAN guard

    /**
     * Lets {@code node}'s VTEP through the guard (one element batch), making or re-adopting the
     * guard's table first if needed. After a re-adoption, the first host announced schedules the
     * removal of the VTEPs found in the table that no host confirms by then.
     */
    @Override
    public void nodeJoined(Node node) {
        if (guard == null) {
            return;
        }
        try {
            guard.join(node);
        } catch (RuntimeException e) {
            throw new WeftException.Failed("host " + node.id() + " (" + node.address().getHostAddress()
                    + ") joined, but its VTEP could not be let through the VXLAN guard: " + e.getMessage(), e);
        }
        if (guard.hasUnconfirmed()) {
            sweeper().submit(SWEEP_VTEPS, VTEP_SWEEP_DELAY_MILLIS);
        }
    }

    /** Drops {@code node}'s VTEP from the guard at once: its VXLAN packets are dropped from now on. */
    @Override
    public void nodeLeft(Node node) {
        if (guard == null) {
            return;
        }
        try {
            guard.leave(node);
        } catch (RuntimeException e) {
            throw new WeftException.Failed("host " + node.id() + " (" + node.address().getHostAddress()
                    + ") left, but its VTEP could not be removed from the VXLAN guard: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the VXLAN guard's table again (structure and the VTEPs known, one transaction), for
     * {@code network:reapply} after another tool flushed the ruleset. Nothing when the guard was
     * never made, or with firewall mode none.
     */
    @Override
    public void reapply() {
        if (guard != null) {
            guard.reapply();
        }
    }

    /** The guard, or null (firewall mode none): tests. */
    VtepGuard guard() {
        return guard;
    }

    private void ensureGuardLogged(NetworkConfig network) {
        if (guard == null) {
            return;
        }
        try {
            guard.ensure();
        } catch (RuntimeException e) {
            LOG.warning("network " + network.name() + ": the VXLAN guard (table inet " + guard.table()
                    + ") could not be made: " + e.getMessage() + "; network:reapply or the next host announced "
                    + "tries again");
        }
    }

    // ---- restore

    /**
     * Re-adopts the network: its namespace is kept when endpoints of it are still here (a missing
     * bridge or vxlan link, or a vxlan link that is not this network's, is made again), each
     * endpoint's veth is kept when both its ends are there, and made again otherwise; a namespace
     * without local endpoints is deleted. The peers come with the controller's {@link #peersReset}
     * afterwards. Schedules a sweep of namespaces of this instance that no network explains.
     */
    @Override
    public void restore(NetworkConfig network, OverlayOptions options, List<RestoredEndpoint> endpoints) {
        Segment s = segment(network, options);
        String name = namespaceName(network);
        synchronized (s) {
            s.local.clear();
            List<RestoredEndpoint> here = new ArrayList<>();
            for (RestoredEndpoint r : endpoints) {
                if (r.sandbox().namespace().stillThere()) {
                    here.add(r);
                    s.local.add(r.endpoint().id());
                } else {
                    LOG.warning("network " + network.name() + ": sandbox " + r.sandbox().name()
                            + " has lost its namespace " + r.sandbox().namespace().path() + "; nothing to plumb into");
                }
            }
            Optional<NetNamespace> existing = kernel.namespaces().get(name);
            if (here.isEmpty()) {
                if (existing.isPresent()) {
                    SegmentNamespace.delete(kernel, name);
                    LOG.info("network " + network.name() + ": deleted namespace " + name + ", which no endpoint uses");
                }
                scheduleSweep();
                return;
            }
            ensureGuardLogged(network);
            NetNamespace ns;
            if (existing.isPresent()) {
                ns = existing.get();
                s.mtu = kernel.inNamespace(ns, rt -> rt.link(SegmentNamespace.BRIDGE).map(l -> l.mtu()).orElse(0));
                if (s.mtu == 0) {
                    s.mtu = mtu(s.options, Underlay.of(kernel, cluster(network).advertise()));
                }
                for (String fix : SegmentNamespace.repair(kernel, ns, s, cluster(network).advertise(),
                        mark(network))) {
                    LOG.info("network " + network.name() + ": namespace " + name + ": " + fix);
                }
            } else {
                ns = ensureNamespace(s);
                LOG.info("network " + network.name() + ": namespace " + name + " was missing; made it again");
            }
            for (RestoredEndpoint r : here) {
                restoreEndpoint(s, ns, r);
            }
        }
        scheduleSweep();
    }

    private void restoreEndpoint(Segment s, NetNamespace ns, RestoredEndpoint r) {
        EndpointConfig e = r.endpoint();
        SandboxConfig sandbox = r.sandbox();
        String mark = mark(s.network, e);
        if (SandboxVeth.intact(kernel, ns, e, sandbox, mark)) {
            return;
        }
        var there = SandboxVeth.inSandbox(kernel, e, sandbox);
        if (there.isPresent() && !mark.equals(there.get().alias())) {
            LOG.warning("network " + s.network.name() + ": sandbox " + sandbox.name() + " has an interface "
                    + e.interfaceName() + " that is not this endpoint's; left it alone");
            return;
        }
        if (there.isPresent()) { // its other end went with an earlier namespace: a veth leading nowhere
            kernel.inNamespace(sandbox.namespace(), rt -> rt.deleteLinkIfExists(e.interfaceName()));
        }
        SandboxVeth.plumb(kernel, ns, s.mtu, e, sandbox, mark);
        LOG.info("network " + s.network.name() + ": the interface of sandbox " + sandbox.name()
                + " was missing; made it again");
    }

    private void scheduleSweep() {
        sweeper().submit(SWEEP_ORPHANS, ORPHAN_SWEEP_DELAY_MILLIS);
    }

    private DeferredWork<String> sweeper() {
        DeferredWork<String> s = sweeper;
        if (s == null) {
            synchronized (this) {
                if (sweeper == null) {
                    sweeper = context.deferredWork(DeferredPolicy.named("overlay-orphans"), this::sweep);
                }
                s = sweeper;
            }
        }
        return s;
    }

    private void sweep(List<String> keys) {
        if (keys.contains(SWEEP_VTEPS) && guard != null) {
            try {
                guard.sweep();
            } catch (RuntimeException e) {
                LOG.warning(e.getMessage());
            }
        }
        if (keys.contains(SWEEP_ORPHANS)) {
            removeOrphans();
        }
    }

    /**
     * Deletes the per-network namespaces of this instance (named {@code <link prefix>ov-…}, marked
     * with its instance's mark, or holding nothing but loopback) that no network this driver knows
     * explains: left by a network removed while the runtime was down. Returns how many it deleted.
     */
    int removeOrphans() {
        String prefix = SegmentNamespace.prefix(context.linkPrefix());
        String markPrefix = context.ownershipMark("");
        int removed = 0;
        for (NetNamespace ns : kernel.namespaces().list()) {
            if (ns.name() == null || !ns.name().startsWith(prefix)) {
                continue;
            }
            boolean known = segments.values().stream().anyMatch(s -> namespaceName(s.network).equals(ns.name()));
            if (known) {
                continue;
            }
            try {
                Optional<String> owner = SegmentNamespace.ownerNetwork(kernel, ns, markPrefix);
                if (owner.isPresent() || SegmentNamespace.empty(kernel, ns)) {
                    SegmentNamespace.delete(kernel, ns.name());
                    removed++;
                    LOG.info("deleted namespace " + ns.name() + " of network " + owner.orElse("(unknown)")
                            + ", which this instance no longer has");
                }
            } catch (KernelException e) {
                LOG.warning("could not check or delete namespace " + ns.name() + ": " + e.getMessage());
            }
        }
        return removed;
    }

    // ---- helpers

    private Segment segment(NetworkConfig network, OverlayOptions options) {
        return segments.computeIfAbsent(network.id(), id -> new Segment(network, options));
    }

    /** The namespace, made now with the peers known so far if it is not there. Under the segment's monitor. */
    private NetNamespace ensureNamespace(Segment s) {
        String name = namespaceName(s.network);
        Optional<NetNamespace> existing = kernel.namespaces().get(name);
        if (existing.isPresent()) {
            if (s.mtu == 0) { // made by an earlier run of the driver: its links tell the MTU
                s.mtu = kernel.inNamespace(existing.get(), rt -> rt.link(SegmentNamespace.BRIDGE).map(l -> l.mtu())
                        .orElse(0));
                if (s.mtu == 0) {
                    s.mtu = mtu(s.options, Underlay.of(kernel, cluster(s.network).advertise()));
                }
            }
            return existing.get();
        }
        ClusterStore cluster = cluster(s.network);
        Underlay underlay = Underlay.of(kernel, cluster.advertise());
        s.mtu = mtu(s.options, underlay);
        if (guard != null) { // before the host's VXLAN socket opens
            guard.ensure();
        }
        NetNamespace ns = SegmentNamespace.create(kernel, name, s, cluster.advertise(), mark(s.network));
        try {
            kernel.inNamespace(ns, rt -> {
                PeerProgramming.program(rt, SegmentNamespace.vxlanIndex(rt), List.copyOf(s.peers.values()));
                return null;
            });
        } catch (RuntimeException e) {
            try {
                SegmentNamespace.delete(kernel, name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        LOG.info("network " + s.network.name() + ": namespace " + name + " (VNI " + s.vni() + ", MTU " + s.mtu + ", "
                + s.peers.size() + " peers, tunnels from " + underlay.device() + ")");
        return ns;
    }

    /** The network's MTU: the option's, else the instance's default if it fits, else the underlay's less the overhead. */
    private int mtu(OverlayOptions options, Underlay underlay) {
        if (options.mtu() != 0) {
            return options.mtu();
        }
        int max = underlay.maxOverlayMtu();
        return context.defaultMtu() > 0 ? Math.min(context.defaultMtu(), max) : max;
    }

    private ClusterStore cluster(NetworkConfig network) {
        return context.cluster().orElseThrow(() -> new WeftException.InvalidRequest("network \"" + network.name()
                + "\": overlay networks span hosts: configure the cluster store (weft.cluster.store / "
                + "WEFT_CLUSTER_STORE=etcd://HOST:2379,…) and this host's underlay address (weft.cluster.advertise / "
                + "WEFT_CLUSTER_ADVERTISE), then restart Weft"));
    }

    String namespaceName(NetworkConfig network) {
        return SegmentNamespace.name(context.linkPrefix(), network);
    }

    /** {@code weft:<instance>:<network id>}: br0 and vxlan0. */
    private String mark(NetworkConfig network) {
        return context.ownershipMark(network.id());
    }

    /** {@code weft:<instance>:<network id>/<endpoint id>}: both ends of an endpoint's veth. */
    private String mark(NetworkConfig network, EndpointConfig endpoint) {
        return context.ownershipMark(network.id() + "/" + endpoint.id());
    }
}
