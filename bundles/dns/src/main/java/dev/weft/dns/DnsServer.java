package dev.weft.dns;

import dev.weft.api.Controller;
import dev.weft.api.DnsSettings;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.dns.internal.Answerer;
import dev.weft.dns.internal.Forwarder;
import dev.weft.dns.internal.Guard;
import dev.weft.dns.internal.HostSockets;
import dev.weft.dns.internal.NameTable;
import dev.weft.dns.internal.Queries;
import dev.weft.dns.internal.RemoteEndpoints;
import dev.weft.dns.internal.ServerLoop;
import dev.weft.dns.internal.Upstreams;
import dev.weft.linux.AddressInfo;
import dev.weft.linux.Kernel;
import dev.weft.net.IpAddresses;
import dev.weft.spi.DriverContext;
import dev.weft.spi.NameService;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The embedded DNS server: a {@link NameService} that serves the names of sandboxes on each
 * user-defined network with a host gateway (the bridge's addresses), UDP and TCP on port 53 of
 * those addresses in the instance's host namespace, and forwards other names to the asking
 * sandbox's own resolvers ({@code --dns}) or the host's.
 *
 * <p>The asking sandbox is the endpoint with the query's source address on a local network whose
 * gateway the listening address is (none: the query gets no answer): for an overlay, served at its
 * egress network's gateway with every other overlay of the host (one socket pair per address), the
 * egress network, which names nothing itself. The other hosts' endpoints of global networks come
 * from the cluster store ({@link RemoteEndpoints}). It resolves the names of every network it is on, and
 * only those. Forwarding: its own servers when it has some (also on internal networks), otherwise
 * the host's resolv.conf, unless all its networks are internal: then REFUSED (a policy answer the
 * stub reads as "this server will not do that", unlike SERVFAIL, which says an upstream failed;
 * aardvark-dns answers NXDOMAIN there, which would claim the name does not exist).
 *
 * <p>Without OSGi (tests, benches, embedding): construct it, hand it to the runtime as a listener
 * ({@code Standalone.addListener}), {@link #close()} it after removing it.
 */
public final class DnsServer implements NameService, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServer.class.getName());
    private static final int PORT = 53;

    private final Controller controller;
    private final Kernel kernel;
    private final DriverContext context;
    private final DnsConfig config;
    private final NameTable table = new NameTable();
    private final Answerer answerer;
    private final Upstreams upstreams;
    private final Forwarder forwarder;
    private final ServerLoop loop;
    private final Guard guard;
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    /** The sockets by address, shared by the networks served there (held under {@link #lifecycle}). */
    private final Map<NameTable.Key, Shared> sockets = new java.util.HashMap<>();
    private final RemoteEndpoints remote;
    private final Map<String, DnsSettings> sandboxDns = new ConcurrentHashMap<>();
    private volatile Set<NameTable.Key> ownAddresses = Set.of();
    /** Set by {@link #close}: later events (a runtime that still has it as a listener) are ignored. */
    private volatile boolean closed;
    /** Held while networks are served or unserved (events, close). */
    private final Object lifecycle = new Object();

    /**
     * What is served for one network, and what inspect says about it. {@code retry}: not served
     * because its driver names no host gateway yet; asked again when a network is created or one of
     * its endpoints joins (an overlay's gateway is its egress network's, made at its first join here).
     */
    private record Served(String name, List<InetAddress> servers, String remark, boolean retry) {
        Served(String name, List<InetAddress> servers, String remark) {
            this(name, servers, remark, false);
        }
    }

    /**
     * The sockets on one address and the networks served there: one per address, as several
     * overlays share their egress network's gateway. {@code bridge}: the interface its guard
     * elements name (null: none written); {@code guardNote} what the remark says about them.
     */
    private static final class Shared {
        final ServerLoop.Listener listener;
        final Set<String> networks = new java.util.LinkedHashSet<>();
        String bridge;
        String guardNote = "";

        Shared(ServerLoop.Listener listener) {
            this.listener = listener;
        }
    }

    /**
     * Starts the server's thread and, unless the instance's firewall mode is {@code none}, writes
     * its guard table ({@code inet <nftTable>_dns}). It serves nothing until it gets the
     * controller's snapshot (it is a listener).
     */
    public DnsServer(Controller controller, Kernel kernel, DriverContext context, DnsConfig config) {
        this.controller = controller;
        this.kernel = kernel;
        this.context = context;
        this.config = config;
        this.answerer = new Answerer(domain());
        HostSockets host = new HostSockets() {
            @Override
            public <T> T inHost(java.util.concurrent.Callable<T> work) {
                return kernel.namespaces().run(kernel.hostNamespace(), work);
            }
        };
        this.upstreams = new Upstreams(context.hostResolvConf(), name -> kernel.host().index(name));
        this.forwarder = new Forwarder(host, config.upstreamTimeoutMillis(), config.maxConcurrentForwards());
        Guard g = null;
        ServerLoop l = null;
        try {
            if (context.firewallMode() == DriverContext.FirewallMode.NFTABLES) {
                g = new Guard(kernel, Guard.tableName(context.nftTable()));
                g.install();
            }
            l = new ServerLoop(host, new Queries(table, answerer, forwarder, upstreams, sandboxDns, () -> ownAddresses,
                    config.tcpIdleMillis()), config.maxTcpConnections());
        } catch (RuntimeException e) {
            forwarder.close();
            if (g != null) {
                closeGuard(g);
            }
            throw e;
        }
        this.guard = g;
        this.loop = l;
        this.remote = new RemoteEndpoints(context::cluster, table);
    }

    // ---- NameService

    @Override
    public List<InetAddress> servers(String networkId) {
        Served s = served.get(networkId);
        return s == null ? List.of() : s.servers();
    }

    @Override
    public Optional<String> remark(String networkId) {
        Served s = served.get(networkId);
        return s == null ? Optional.empty() : Optional.of(s.remark());
    }

    // ---- ControllerListener (one call at a time, in order)

    @Override
    public void snapshot(List<NetworkInfo> networks, List<SandboxInfo> sandboxes) {
        synchronized (lifecycle) {
            if (!closed) {
                load(networks, sandboxes);
            }
        }
    }

    private void load(List<NetworkInfo> networks, List<SandboxInfo> sandboxes) {
        // the snapshot is the whole truth: what was served before (a second subscription) and is
        // gone now is closed, the names are replaced in one publish, the rest is opened
        Set<String> ids = networks.stream().map(NetworkInfo::id).collect(Collectors.toSet());
        for (String id : List.copyOf(served.keySet())) {
            if (!ids.contains(id)) {
                Served s = served.remove(id);
                if (s != null) {
                    unserve(id, s);
                }
            }
        }
        sandboxDns.clear();
        for (SandboxInfo s : sandboxes) {
            sandboxDns.put(s.id(), s.dns());
        }
        table.load(networks);
        for (NetworkInfo n : networks) {
            if (!served.containsKey(n.id())) {
                open(n);
            }
        }
        sandboxDns.keySet().removeIf(id -> !table.hasSandbox(id));
        refreshOwnAddresses();
        remote.check();
    }

    @Override
    public void networkCreated(NetworkInfo network) {
        synchronized (lifecycle) {
            if (closed || served.containsKey(network.id())) {
                return;
            }
            table.addNetwork(network); // a predefined one too: its sandboxes may ask (the egress network's)
            open(network);
            retryUnserved(null); // e.g. the egress network came: the overlays it serves have a host gateway now
            refreshOwnAddresses();
        }
        if ("global".equals(network.scope())) {
            remote.check();
        }
    }

    /** Serves the networks that had no host gateway (or {@code only} that one), where one is named now. */
    private void retryUnserved(String only) {
        for (Map.Entry<String, Served> e : List.copyOf(served.entrySet())) {
            if (!e.getValue().retry() || (only != null && !only.equals(e.getKey()))) {
                continue;
            }
            List<InetAddress> gateways;
            try {
                gateways = controller.hostGateways(e.getKey());
            } catch (RuntimeException ex) {
                continue; // gone meanwhile: its networkRemoved follows
            }
            if (!gateways.isEmpty()) {
                served.put(e.getKey(), serve(e.getKey(), e.getValue().name(), gateways));
            }
        }
    }

    /**
     * The network's driver arrived and restored it: serve it where the driver says (the addresses
     * served from the kernel's bridge before keep their sockets). Core rewrites its sandboxes'
     * resolv.conf after this returns.
     */
    @Override
    public void networkAvailable(NetworkInfo network) {
        synchronized (lifecycle) {
            if (closed || network.predefined()) {
                return;
            }
            if (!table.knows(network.id())) {
                table.addNetwork(network);
            }
            List<InetAddress> gateways;
            try {
                gateways = controller.hostGateways(network.name());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "network \"" + network.name() + "\": cannot tell its gateway addresses", e);
                return;
            }
            Served before = served.get(network.id());
            if (before != null && !before.servers().isEmpty() && before.servers().equals(gateways)) {
                return; // what was served from the kernel's bridge is what the driver says
            }
            if (before != null) {
                unserve(network.id(), before);
            }
            served.put(network.id(), gateways.isEmpty() ? unserved(network) : serve(network, gateways));
            refreshOwnAddresses();
        }
        remote.check();
    }

    /** Serves the network's names where its driver allows, or records why not. */
    private void open(NetworkInfo network) {
        if (network.predefined()) {
            // Docker's default bridge resolves no names; only --link does (core's hosts files)
            served.put(network.id(), new Served(network.name(), List.of(),
                    "not served: a predefined network resolves no names (as Docker's default bridge); use --link,"
                            + " or a user-defined network"));
            return;
        }
        List<InetAddress> gateways;
        try {
            gateways = controller.hostGateways(network.name());
        } catch (RuntimeException e) {
            served.put(network.id(), new Served(network.name(), List.of(),
                    "not served: cannot tell its gateway addresses (" + e.getMessage() + ")"));
            return;
        }
        if (gateways.isEmpty() && !network.available()) {
            // its driver is not there (yet): after a restart the DNS bundle may start before the
            // driver's, and core writes the sandboxes' resolv.conf from what servers() says then.
            // The kernel still has the network's bridge with its gateway addresses: serve those
            // now, and check with the driver when it comes (networkAvailable).
            List<InetAddress> onBridges = gatewaysOnHostBridges(network);
            served.put(network.id(), onBridges.isEmpty()
                    ? new Served(network.name(), List.of(), "not served yet: driver "
                            + network.driver() + " is not installed; names are served once it is")
                    : serve(network, onBridges));
            return;
        }
        served.put(network.id(), gateways.isEmpty() ? unserved(network) : serve(network, gateways));
    }

    /**
     * The network's subnet gateways that an interface of kind bridge in the host namespace holds
     * now (what the bridge driver's host gateways are), IPv4 first; for a network whose driver is
     * not installed yet.
     */
    private List<InetAddress> gatewaysOnHostBridges(NetworkInfo network) {
        List<InetAddress> wanted = new ArrayList<>();
        for (SubnetInfo s : network.subnets()) {
            if (s.gateway() != null && !s.gateway().isLinkLocalAddress()) {
                wanted.add(s.gateway());
            }
        }
        if (wanted.isEmpty()) {
            return List.of();
        }
        List<InetAddress> out = new ArrayList<>();
        try {
            List<AddressInfo> held = kernel.host().addresses();
            for (InetAddress gw : wanted) {
                for (AddressInfo a : held) {
                    if (a.address().address().equals(gw) && kernel.host().link(a.linkIndex())
                            .map(l -> "bridge".equals(l.kind())).orElse(false)) {
                        out.add(gw);
                        break;
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "network " + network.name() + ": cannot read the host's addresses", e);
            return List.of();
        }
        out.sort(java.util.Comparator.comparing(a -> a instanceof java.net.Inet4Address ? 0 : 1));
        return out;
    }

    private static Served unserved(NetworkInfo network) {
        if ("global".equals(network.scope()) && !network.internal()) {
            // its sandboxes reach the host through the egress network, made at the first join here
            return new Served(network.name(), List.of(), "not served yet: its sandboxes reach the host namespace"
                    + " through the egress network, which this host makes at the network's first join here", true);
        }
        if ("global".equals(network.scope())) {
            return new Served(network.name(), List.of(), "not served: the sandboxes of an internal network of driver "
                    + network.driver() + " have no way to the host namespace (no egress network), where names are served");
        }
        return new Served(network.name(), List.of(), "not served: driver " + network.driver()
                + " has no gateway address in the host namespace that sandboxes reach");
    }

    private Served serve(NetworkInfo network, List<InetAddress> gateways) {
        return serve(network.id(), network.name(), gateways);
    }

    /**
     * Serves a network at {@code gateways}: the sockets of an address already served (another
     * overlay behind the same egress network) are shared, others bound now with their guard elements.
     */
    private Served serve(String networkId, String networkName, List<InetAddress> gateways) {
        List<InetAddress> bound = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        StringBuilder guardNotes = new StringBuilder();
        for (InetAddress gw : gateways) {
            try {
                Shared sh = acquire(networkId, networkName, gw);
                bound.add(gw);
                if (!sh.guardNote.isEmpty() && guardNotes.indexOf(sh.guardNote) < 0) {
                    guardNotes.append(sh.guardNote);
                }
            } catch (IOException e) {
                String why = e instanceof java.net.BindException && String.valueOf(e.getMessage()).contains("in use")
                        ? "is in use by another program (" + e.getMessage() + ")" : "cannot be bound (" + e.getMessage() + ")";
                failures.add(hostPort(gw) + " " + why);
                LOG.warning("network \"" + networkName + "\": names are not served at " + hostPort(gw) + ": it "
                        + why + "; stop the program that holds port 53 there (e.g. dnsmasq on 0.0.0.0:53) and"
                        + " recreate the network");
            } catch (RuntimeException e) {
                failures.add(hostPort(gw) + " cannot be bound (" + e.getMessage() + ")");
                LOG.log(Level.WARNING, "network \"" + networkName + "\": cannot serve names at " + hostPort(gw), e);
            }
        }
        String remark;
        if (bound.isEmpty()) {
            remark = "not served: " + String.join("; ", failures);
        } else {
            remark = "served at " + bound.stream().map(DnsServer::hostPort).collect(Collectors.joining(" and "))
                    + " (udp, tcp)" + (failures.isEmpty() ? "" : "; not at " + String.join("; ", failures)) + guardNotes;
        }
        return new Served(networkName, List.copyOf(bound), remark);
    }

    /** The sockets at {@code address} with {@code networkId} among their networks: shared, or bound now. */
    private Shared acquire(String networkId, String networkName, InetAddress address) throws IOException {
        NameTable.Key key = NameTable.Key.of(address);
        Shared sh = sockets.get(key);
        if (sh == null) {
            sh = new Shared(loop.bind(address, PORT));
            if (guard == null) {
                sh.guardNote = "; no guard rules (firewall mode none): LAN hosts that route to these addresses can query them";
            } else {
                try {
                    String bridge = interfaceOf(address);
                    guard.add(List.of(address), bridge);
                    sh.bridge = bridge;
                } catch (RuntimeException e) {
                    sh.guardNote = "; guard rules missing (" + e.getMessage() + ")";
                    LOG.log(Level.WARNING, "network \"" + networkName + "\": cannot add its DNS guard rules", e);
                }
            }
            sockets.put(key, sh);
        }
        sh.networks.add(networkId);
        sh.listener.networkIds(sh.networks);
        return sh;
    }

    /** {@code networkId} is no longer served at {@code address}; the last network closes the sockets. */
    private void release(String networkId, String networkName, InetAddress address) {
        NameTable.Key key = NameTable.Key.of(address);
        Shared sh = sockets.get(key);
        if (sh == null || !sh.networks.remove(networkId)) {
            return;
        }
        sh.listener.networkIds(sh.networks);
        if (!sh.networks.isEmpty()) {
            return;
        }
        sockets.remove(key);
        loop.unbind(sh.listener);
        if (guard != null && sh.bridge != null) {
            try {
                guard.remove(List.of(address), sh.bridge);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "network \"" + networkName + "\": cannot remove its DNS guard rules", e);
            }
        }
    }

    /** The host-namespace interface (the bridge) that holds {@code address}. */
    private String interfaceOf(InetAddress address) {
        for (AddressInfo a : kernel.host().addresses()) {
            if (a.address().address().equals(address)) {
                return kernel.host().link(a.linkIndex()).orElseThrow(() -> new IllegalStateException(
                        "interface #" + a.linkIndex() + " of " + IpAddresses.format(address) + " is gone")).name();
            }
        }
        throw new IllegalStateException("no interface in the host namespace has " + IpAddresses.format(address));
    }

    @Override
    public void networkRemoved(NetworkInfo network) {
        synchronized (lifecycle) {
            Served s = served.remove(network.id());
            table.removeNetwork(network.id());
            if (s != null) {
                unserve(network.id(), s);
                refreshOwnAddresses();
            }
        }
    }

    private void unserve(String networkId, Served s) {
        for (InetAddress a : s.servers()) {
            release(networkId, s.name(), a);
        }
    }

    @Override
    public void endpointJoined(EndpointInfo endpoint) {
        if (closed || !table.knows(endpoint.networkId())) {
            return;
        }
        if (!sandboxDns.containsKey(endpoint.sandboxId())) {
            try {
                controller.listedSandbox(endpoint.sandbox()).ifPresent(s -> sandboxDns.put(s.id(), s.dns()));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot read sandbox " + endpoint.sandbox() + "'s DNS settings", e);
            }
        }
        table.join(endpoint);
        Served s = served.get(endpoint.networkId());
        if (s != null && s.retry()) {
            synchronized (lifecycle) {
                if (!closed) {
                    retryUnserved(endpoint.networkId());
                    refreshOwnAddresses();
                }
            }
        }
    }

    @Override
    public void endpointLeft(EndpointInfo endpoint) {
        table.leave(endpoint);
        if (!table.hasSandbox(endpoint.sandboxId())) {
            sandboxDns.remove(endpoint.sandboxId());
        }
    }

    private void refreshOwnAddresses() {
        Set<NameTable.Key> own = new HashSet<>();
        served.values().forEach(s -> s.servers().forEach(a -> own.add(NameTable.Key.of(a))));
        ownAddresses = Set.copyOf(own);
    }

    private static String hostPort(InetAddress a) {
        return IpAddresses.format(a) + ":" + PORT;
    }

    /** Forwarded queries answered SERVFAIL at once because the bound was reached. */
    public long overloadCount() {
        return forwarder.refusedCount();
    }

    /** Closes every socket, stops the threads and removes the guard table. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
        }
        remote.close();
        loop.close();
        forwarder.close();
        served.clear();
        synchronized (lifecycle) {
            sockets.clear();
        }
        if (guard != null) {
            closeGuard(guard);
        }
    }

    private static void closeGuard(Guard g) {
        try {
            g.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot remove the DNS guard table: " + e.getMessage(), e);
        }
    }
}
