package dev.weft.driver.overlay;

import dev.weft.api.SubnetInfo;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.linux.Link;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.NetNamespace;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.Peers.Peer;
import dev.weft.spi.PortMapper;
import dev.weft.spi.SandboxConfig;
import dev.weft.testkit.MemoryClusterStore;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Two or three "hosts" of a cluster: throwaway host namespaces whose {@code up0} is a veth to the
 * bridge {@code ubr} of an underlay namespace, host N at {@code 10.214.0.1N/24} (MTU 1500). Each
 * has its own {@link Kernel} (host namespace and a private namespace directory named after its
 * world, so the leak check knows it) and its own {@link OverlayDriver} with a test
 * {@link DriverContext} whose cluster is a view of one shared {@link MemoryClusterStore.Data}.
 * {@link #close()} removes everything, also after a failure.
 */
final class OverlayCluster implements AutoCloseable {
    static final String INSTANCE = "ovt";
    static final String PREFIX = "wt";
    static final int UNDERLAY_MTU = 1500;
    private static final SecureRandom RANDOM = new SecureRandom();

    final TestHost underlay;
    final List<Node> nodes = new ArrayList<>();
    final MemoryClusterStore.Data data = new MemoryClusterStore.Data();
    /** The instances' firewall mode: none (no VXLAN guard) unless a test asks for nftables. */
    final DriverContext.FirewallMode firewall;

    /** One host of the cluster. */
    final class Node {
        final int n;
        final TestHost host;
        final Path netnsDir;
        final MemoryClusterStore store;
        Kernel kernel;
        OverlayDriver driver;
        Context context;

        Node(int n) throws IOException {
            this.n = n;
            host = TestHost.create();
            netnsDir = Files.createTempDirectory(Path.of("/run"), host.name() + "-netns-");
            host.link("up0", vtep() + "/24", underlay, "uh" + n, null);
            underlay.ip("link", "set", "uh" + n, "master", "ubr");
            store = new MemoryClusterStore(data, "h" + n, IpAddresses.parse(vtep()));
            kernel = Kernel.open(KernelConfig.defaults().withHostNamespace(host.path()).withNamespaceDirectory(netnsDir));
            start(true);
        }

        String vtep() {
            return "10.214.0.1" + n;
        }

        /** A new driver over the same kernel state, as after a restart of the runtime. */
        void start(boolean withCluster) {
            context = new Context(withCluster ? store : null, firewall);
            driver = new OverlayDriver(context, kernel);
        }

        /** This host as the others' {@code Discovery} sees it: its node id and VTEP. */
        dev.weft.spi.Discovery.Node member() {
            return new dev.weft.spi.Discovery.Node(store.nodeId(), store.advertise(), Map.of());
        }

        /** The VXLAN guard's table in this host's namespace ({@code inet weft_ovt_overlay}). */
        String guardTable() {
            return VtepGuard.tableName(context.nftTable());
        }

        /** A sandbox namespace on this host. */
        Box sandbox(String shortName) {
            TestSandbox t = host.sandbox(shortName);
            return new Box(this, t, new SandboxConfig(t.name(), t.name(), NetNamespace.at(t.name(), t.path())));
        }

        Optional<NetNamespace> segment(NetworkConfig network) {
            return kernel.namespaces().get(driver.namespaceName(network));
        }

        /** The links of the network's namespace on this host. */
        List<Link> segmentLinks(NetworkConfig network) {
            return kernel.inNamespace(segment(network).orElseThrow(), r -> r.links());
        }

        /** Packets received on the host's underlay veth. */
        long underlayRxPackets() {
            return Long.parseLong(host.exec("cat", "/sys/class/net/up0/statistics/rx_packets").strip());
        }

        void close(List<Throwable> failures) {
            try {
                if (kernel != null) {
                    kernel.close();
                }
            } catch (RuntimeException e) {
                failures.add(e);
            }
            try {
                if (Files.isDirectory(netnsDir)) {
                    try (var files = Files.list(netnsDir)) {
                        for (Path p : files.toList()) {
                            new ProcessBuilder("umount", "-l", p.toString()).start().waitFor();
                            Files.deleteIfExists(p);
                        }
                    }
                    new ProcessBuilder("umount", "-l", netnsDir.toString()).start().waitFor();
                    Files.deleteIfExists(netnsDir);
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                failures.add(e);
            }
            try {
                host.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
    }

    /** A sandbox of a host. */
    record Box(Node node, TestSandbox ns, SandboxConfig config) {}

    /** An endpoint that joined, and how other hosts are told of it. */
    record Joined(Box box, EndpointConfig endpoint, JoinInfo info, Peer peer) {
        String ip() {
            return IpAddresses.format(endpoint.ipv4().address());
        }
    }

    OverlayCluster(int hosts) throws IOException {
        this(hosts, DriverContext.FirewallMode.NONE);
    }

    OverlayCluster(int hosts, DriverContext.FirewallMode firewall) throws IOException {
        this.firewall = firewall;
        underlay = TestHost.create();
        try {
            underlay.bridge("ubr", "10.214.0.254/24");
            for (int i = 1; i <= hosts; i++) {
                nodes.add(new Node(i));
            }
        } catch (RuntimeException | IOException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    Node node(int n) {
        return nodes.get(n - 1);
    }

    static String randomId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static NetworkConfig network(String name, String subnet, String gateway) {
        return new NetworkConfig(randomId(), name, false, false, List.of(new SubnetInfo(IpPrefix.parse(subnet), null,
                IpAddresses.parse(gateway), Map.of())), Map.of(), false);
    }

    /**
     * Creates the network as the controller would: options parsed and validated on host 1, the VNI
     * allocated there, then createNetwork on every host with the recorded options. Returns them.
     */
    OverlayOptions create(NetworkConfig network, Map<String, String> userOptions) {
        OverlayDriver first = node(1).driver;
        OverlayOptions parsed = first.parseOptions(userOptions);
        first.validate(network, parsed);
        Map<String, String> recorded = new HashMap<>(userOptions);
        recorded.putAll(first.allocateNetwork(network, parsed, node(1).store));
        for (Node node : nodes) {
            node.driver.createNetwork(network, node.driver.parseOptions(recorded));
        }
        return first.parseOptions(recorded);
    }

    static EndpointConfig endpoint(String cidr, String gateway) {
        return new EndpointConfig(randomId(), "eth0", InterfaceAddress.parse(cidr), null, IpAddresses.parse(gateway),
                null, false, false, null, List.of());
    }

    Joined join(Box box, NetworkConfig network, OverlayOptions options, String cidr) {
        EndpointConfig e = endpoint(cidr, network.subnets().get(0).gateway().getHostAddress());
        JoinInfo info = box.node().driver.join(network, options, e, box.config());
        Peer peer = new Peer(e.id(), box.node().store.nodeId(), box.node().store.advertise(), List.of(e.ipv4()),
                info.mac());
        return new Joined(box, e, info, peer);
    }

    /** Tells every other host of the cluster about {@code j}, as the controller does from the store. */
    void announce(NetworkConfig network, OverlayOptions options, Joined j) {
        for (Node node : nodes) {
            if (node != j.box().node()) {
                node.driver.peerJoined(network, options, j.peer());
            }
        }
    }

    /** Tells each host of {@code members} about every other one ({@code Discovery.nodeJoined}). */
    void introduce(Node... members) {
        for (Node n : members) {
            for (Node other : members) {
                if (other != n) {
                    n.driver.nodeJoined(other.member());
                }
            }
        }
    }

    void withdraw(NetworkConfig network, OverlayOptions options, Joined j) {
        for (Node node : nodes) {
            if (node != j.box().node()) {
                node.driver.peerLeft(network, options, j.peer());
            }
        }
    }

    @Override
    public void close() {
        List<Throwable> failures = new ArrayList<>();
        for (Node node : nodes) {
            node.close(failures);
        }
        try {
            underlay.close();
        } catch (RuntimeException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("could not remove the whole cluster: " + failures);
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    /** What core would give the driver; deferred work is held until {@link DeferredWork#drain}. */
    static final class Context implements DriverContext {
        private final ClusterStore cluster;
        private final FirewallMode firewall;
        final List<String> submitted = new ArrayList<>();
        /** The deferred work the driver asked for, to drain in tests. */
        final List<DeferredWork<?>> queues = new ArrayList<>();

        Context(ClusterStore cluster) {
            this(cluster, FirewallMode.NONE);
        }

        Context(ClusterStore cluster, FirewallMode firewall) {
            this.cluster = cluster;
            this.firewall = firewall;
        }

        /** Runs every piece of deferred work submitted so far. */
        void drain() {
            List.copyOf(queues).forEach(DeferredWork::drain);
        }

        @Override
        public String instance() {
            return INSTANCE;
        }

        @Override
        public String linkPrefix() {
            return PREFIX;
        }

        @Override
        public String nftTable() {
            return "weft_ovt";
        }

        @Override
        public FirewallMode firewallMode() {
            return firewall;
        }

        @Override
        public int defaultMtu() {
            return 0;
        }

        @Override
        public Optional<PortMapper> portMapper(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<ClusterStore> cluster() {
            return Optional.ofNullable(cluster);
        }

        @Override
        public <K> DeferredWork<K> deferredWork(DeferredPolicy policy, DeferredWork.Task<K> task) {
            Context self = this;
            DeferredWork<K> work = new DeferredWork<>() {
                private final List<K> keys = new ArrayList<>();

                @Override
                public synchronized void submit(K key) {
                    keys.add(key);
                    self.submitted.add(String.valueOf(key));
                }

                @Override
                public void submit(K key, long delayMillis) {
                    submit(key);
                }

                @Override
                public synchronized boolean isPending(K key) {
                    return keys.contains(key);
                }

                @Override
                public synchronized boolean hasPending() {
                    return !keys.isEmpty();
                }

                @Override
                public void await(K key) {
                    drain();
                }

                @Override
                public void drain() {
                    List<K> now;
                    synchronized (this) {
                        now = List.copyOf(keys);
                        keys.clear();
                    }
                    if (!now.isEmpty()) {
                        task.run(now);
                    }
                }

                @Override
                public void close() {
                    drain();
                }
            };
            queues.add(work);
            return work;
        }
    }
}
