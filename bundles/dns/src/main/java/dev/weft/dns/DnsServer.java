package dev.weft.dns;

import dev.weft.api.Controller;
import dev.weft.api.DnsSettings;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.dns.internal.Answerer;
import dev.weft.dns.internal.Forwarder;
import dev.weft.dns.internal.Guard;
import dev.weft.dns.internal.HostSockets;
import dev.weft.dns.internal.NameTable;
import dev.weft.dns.internal.ServerLoop;
import dev.weft.dns.internal.Upstreams;
import dev.weft.linux.AddressInfo;
import dev.weft.linux.Kernel;
import dev.weft.net.IpAddresses;
import dev.weft.spi.DriverContext;
import dev.weft.spi.NameService;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * The embedded DNS server: a {@link NameService} that serves the names of sandboxes on each
 * user-defined network with a host gateway (the bridge's addresses), UDP and TCP on port 53 of
 * those addresses in the instance's host namespace, and forwards other names to the asking
 * sandbox's own resolvers ({@code --dns}) or the host's.
 *
 * <p>The asking sandbox is the endpoint of the listener's network that has the query's source
 * address (none: the query gets no answer). It resolves the names of every network it is on, and
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
    private final Map<String, DnsSettings> sandboxDns = new ConcurrentHashMap<>();
    private volatile Set<NameTable.Key> ownAddresses = Set.of();
    /** Set by {@link #close}: later events (a runtime that still has it as a listener) are ignored. */
    private volatile boolean closed;
    /**
     * Networks whose driver was not installed when they were seen (e.g. the DNS bundle started
     * before the bridge driver's): served once it is, looked at every {@link #RETRY_MILLIS}.
     */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retry;
    /** Held while networks are served or unserved: events and the retry of pending networks. */
    private final Object lifecycle = new Object();
    private static final long RETRY_MILLIS = 500;

    /** What is served for one network, and what inspect says about it. */
    private record Served(String name, String bridge, List<ServerLoop.Listener> listeners, List<InetAddress> servers,
                          String remark) {}

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
            l = new ServerLoop(host, new Handler(), config.maxTcpConnections());
        } catch (RuntimeException e) {
            forwarder.close();
            if (g != null) {
                closeGuard(g);
            }
            throw e;
        }
        this.guard = g;
        this.loop = l;
        this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-dns-pending");
            t.setDaemon(true);
            return t;
        });
        retry.scheduleWithFixedDelay(this::servePending, RETRY_MILLIS, RETRY_MILLIS, TimeUnit.MILLISECONDS);
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
        pending.retainAll(ids);
        for (String id : List.copyOf(served.keySet())) {
            if (!ids.contains(id)) {
                Served s = served.remove(id);
                if (s != null) {
                    unserve(s);
                }
            }
        }
        sandboxDns.clear();
        for (SandboxInfo s : sandboxes) {
            sandboxDns.put(s.id(), s.dns());
        }
        table.load(networks.stream().filter(n -> !n.predefined()).toList());
        for (NetworkInfo n : networks) {
            if (!served.containsKey(n.id())) {
                open(n);
            }
        }
        sandboxDns.keySet().removeIf(id -> !table.hasSandbox(id));
        refreshOwnAddresses();
    }

    @Override
    public void networkCreated(NetworkInfo network) {
        synchronized (lifecycle) {
            if (closed || served.containsKey(network.id())) {
                return;
            }
            if (!network.predefined()) {
                table.addNetwork(network.id(), network.name(), network.internal());
            }
            open(network);
            refreshOwnAddresses();
        }
    }

    /** Serves the networks whose driver has arrived since (on the retry thread). */
    private void servePending() {
        for (String id : List.copyOf(pending)) {
            try {
                Optional<NetworkInfo> n = controller.network(id);
                if (n.isEmpty() || !n.get().available()) {
                    continue;
                }
                List<InetAddress> gateways = controller.hostGateways(n.get().name());
                synchronized (lifecycle) {
                    if (!closed && pending.remove(id)) {
                        served.put(id, gateways.isEmpty() ? unserved(n.get()) : serve(n.get(), gateways));
                        refreshOwnAddresses();
                        LOG.info("network \"" + n.get().name() + "\": its driver is there now; names " + remark(id).orElse(""));
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "pending network " + id + ": " + e.getMessage(), e);
            }
        }
    }

    /** Serves the network's names where its driver allows, or records why not. */
    private void open(NetworkInfo network) {
        if (network.predefined()) {
            // Docker's default bridge resolves no names; only --link does (core's hosts files)
            served.put(network.id(), new Served(network.name(), null, List.of(), List.of(),
                    "not served: a predefined network resolves no names (as Docker's default bridge); use --link,"
                            + " or a user-defined network"));
            return;
        }
        List<InetAddress> gateways;
        try {
            gateways = controller.hostGateways(network.name());
        } catch (RuntimeException e) {
            served.put(network.id(), new Served(network.name(), null, List.of(), List.of(),
                    "not served: cannot tell its gateway addresses (" + e.getMessage() + ")"));
            return;
        }
        if (gateways.isEmpty() && !network.available()) {
            pending.add(network.id());
            served.put(network.id(), new Served(network.name(), null, List.of(), List.of(), "not served yet: driver "
                    + network.driver() + " is not installed; names are served once it is"));
            return;
        }
        served.put(network.id(), gateways.isEmpty() ? unserved(network) : serve(network, gateways));
    }

    private static Served unserved(NetworkInfo network) {
        return new Served(network.name(), null, List.of(), List.of(), "not served: driver " + network.driver()
                + " has no gateway address in the host namespace that sandboxes reach");
    }

    private Served serve(NetworkInfo network, List<InetAddress> gateways) {
        List<ServerLoop.Listener> listeners = new ArrayList<>();
        List<InetAddress> bound = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (InetAddress gw : gateways) {
            try {
                listeners.add(loop.bind(network.id(), gw, PORT));
                bound.add(gw);
            } catch (IOException e) {
                String why = e instanceof java.net.BindException && String.valueOf(e.getMessage()).contains("in use")
                        ? "is in use by another program (" + e.getMessage() + ")" : "cannot be bound (" + e.getMessage() + ")";
                failures.add(hostPort(gw) + " " + why);
                LOG.warning("network \"" + network.name() + "\": names are not served at " + hostPort(gw) + ": it "
                        + why + "; stop the program that holds port 53 there (e.g. dnsmasq on 0.0.0.0:53) and"
                        + " recreate the network");
            } catch (RuntimeException e) {
                failures.add(hostPort(gw) + " cannot be bound (" + e.getMessage() + ")");
                LOG.log(Level.WARNING, "network \"" + network.name() + "\": cannot serve names at " + hostPort(gw), e);
            }
        }
        String bridge = null;
        String guardNote = "";
        if (!bound.isEmpty()) {
            if (guard == null) {
                guardNote = "; no guard rules (firewall mode none): LAN hosts that route to these addresses can query them";
            } else {
                try {
                    bridge = interfaceOf(bound.get(0));
                    guard.add(bound, bridge);
                } catch (RuntimeException e) {
                    guardNote = "; guard rules missing (" + e.getMessage() + ")";
                    LOG.log(Level.WARNING, "network \"" + network.name() + "\": cannot add its DNS guard rules", e);
                    bridge = null;
                }
            }
        }
        String remark;
        if (bound.isEmpty()) {
            remark = "not served: " + String.join("; ", failures);
        } else {
            remark = "served at " + bound.stream().map(DnsServer::hostPort).collect(Collectors.joining(" and "))
                    + " (udp, tcp)" + (failures.isEmpty() ? "" : "; not at " + String.join("; ", failures)) + guardNote;
        }
        return new Served(network.name(), bridge, List.copyOf(listeners), List.copyOf(bound), remark);
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
            pending.remove(network.id());
            Served s = served.remove(network.id());
            table.removeNetwork(network.id());
            if (s != null) {
                unserve(s);
                refreshOwnAddresses();
            }
        }
    }

    private void unserve(Served s) {
        s.listeners().forEach(loop::unbind);
        if (guard != null && s.bridge() != null && !s.servers().isEmpty()) {
            try {
                guard.remove(s.servers(), s.bridge());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "network \"" + s.name() + "\": cannot remove its DNS guard rules", e);
            }
        }
    }

    @Override
    public void endpointJoined(EndpointInfo endpoint) {
        if (closed || !table.knows(endpoint.networkId())) {
            return;
        }
        if (!sandboxDns.containsKey(endpoint.sandboxId())) {
            try {
                controller.sandbox(endpoint.sandbox()).ifPresent(s -> sandboxDns.put(s.id(), s.dns()));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot read sandbox " + endpoint.sandbox() + "'s DNS settings", e);
            }
        }
        table.join(endpoint);
    }

    @Override
    public void endpointLeft(EndpointInfo endpoint) {
        table.leave(endpoint);
        if (!table.hasSandbox(endpoint.sandboxId())) {
            sandboxDns.remove(endpoint.sandboxId());
        }
    }

    // ---- queries

    private final class Handler implements ServerLoop.Handler {
        @Override
        public void udp(ServerLoop.Listener listener, InetSocketAddress source, byte[] bytes) {
            NameTable.State state = table.state();
            NameTable.Entry asker = state.asker(listener.networkId(), source.getAddress()).orElse(null);
            if (asker == null) {
                return; // not one of this network's sandboxes: no answer at all
            }
            Message query = parse(bytes);
            if (query == null) {
                return;
            }
            int limit = Answerer.udpLimit(query);
            Optional<Message> local = answerer.answer(query, state, asker.sandboxId());
            if (local.isPresent()) {
                listener.send(Answerer.wire(local.get(), limit), source);
                return;
            }
            List<InetSocketAddress> ups = upstreamsFor(state, asker);
            if (ups == null || ups.isEmpty()) {
                listener.send(Answerer.wire(Answerer.reply(query, ups == null ? Rcode.REFUSED : Rcode.SERVFAIL, false),
                        limit), source);
                return;
            }
            forwarder.forwardUdp(bytes, ups, answer -> listener.send(answer != null ? answer
                    : Answerer.wire(Answerer.reply(query, Rcode.SERVFAIL, false), limit), source));
        }

        @Override
        public void tcp(ServerLoop.Listener listener, SocketChannel client) {
            try {
                client.configureBlocking(true);
                Socket s = client.socket();
                s.setSoTimeout(config.tcpIdleMillis());
                InetSocketAddress source = (InetSocketAddress) client.getRemoteAddress();
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    int len;
                    try {
                        len = in.readUnsignedShort();
                    } catch (EOFException | SocketTimeoutException e) {
                        return;
                    }
                    byte[] bytes = new byte[len];
                    in.readFully(bytes);
                    byte[] answer = answerTcp(listener, source, bytes);
                    if (answer == null) {
                        return;
                    }
                    byte[] framed = new byte[answer.length + 2];
                    framed[0] = (byte) (answer.length >> 8);
                    framed[1] = (byte) answer.length;
                    System.arraycopy(answer, 0, framed, 2, answer.length);
                    out.write(framed);
                    out.flush();
                }
            } catch (IOException e) {
                LOG.log(Level.FINE, "DNS over TCP: " + e.getMessage());
            }
        }

        private byte[] answerTcp(ServerLoop.Listener listener, InetSocketAddress source, byte[] bytes) {
            NameTable.State state = table.state();
            NameTable.Entry asker = state.asker(listener.networkId(), source.getAddress()).orElse(null);
            if (asker == null) {
                return null;
            }
            Message query = parse(bytes);
            if (query == null) {
                return null;
            }
            Optional<Message> local = answerer.answer(query, state, asker.sandboxId());
            if (local.isPresent()) {
                return Answerer.wire(local.get(), 65_535);
            }
            List<InetSocketAddress> ups = upstreamsFor(state, asker);
            byte[] answer = ups == null || ups.isEmpty() ? null : forwarder.forwardTcp(bytes, ups);
            return answer != null ? answer
                    : Answerer.wire(Answerer.reply(query, ups == null ? Rcode.REFUSED : Rcode.SERVFAIL, false), 65_535);
        }
    }

    /** The query in {@code bytes}; null for garbage and for responses (never answered: no loops). */
    private static Message parse(byte[] bytes) {
        try {
            Message m = new Message(bytes);
            return m.getHeader().getFlag(Flags.QR) ? null : m;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Where the asker's other names go: its own servers ({@code --dns}), else the host's, or null
     * when it may not forward (all its networks internal, no own servers).
     */
    private List<InetSocketAddress> upstreamsFor(NameTable.State state, NameTable.Entry asker) {
        Set<NameTable.Key> own = ownAddresses;
        DnsSettings dns = sandboxDns.get(asker.sandboxId());
        if (dns != null && !dns.servers().isEmpty()) {
            List<InetSocketAddress> out = new ArrayList<>();
            for (InetAddress a : dns.servers()) {
                if (!own.contains(NameTable.Key.of(a)) && out.size() < Upstreams.MAX) {
                    out.add(new InetSocketAddress(a, PORT));
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        if (state.onlyInternal(asker.sandboxId())) {
            return null;
        }
        return upstreams.current(own);
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
        retry.shutdownNow();
        loop.close();
        forwarder.close();
        served.clear();
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
