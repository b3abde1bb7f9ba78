package dev.weft.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.cluster.etcd.EtcdStores;
import dev.weft.core.internal.Standalone;
import dev.weft.core.internal.cluster.ClusterKeys;
import dev.weft.driver.bridge.BridgeDriver;
import dev.weft.driver.overlay.OverlayDriver;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.ControllerListener;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.EtcdCluster;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The in-process part of {@code bench/run-overlay.sh}: Weft's overlay across three hosts, each a
 * {@link Standalone} runtime with the bridge and overlay drivers on a host namespace of the test
 * kit's {@link EtcdCluster} (3 etcd members on an underlay bridge, one per host namespace), joined to
 * the cluster through an etcd store ({@link EtcdStores#open}) whose threads enter that host
 * namespace. Written as JSON for {@link OverlayReport}.
 *
 * <ol>
 *   <li>iperf3, sandbox on host 1 → sandbox on host 2 over a Weft overlay, against a vxlan made by
 *       hand between the same host namespaces (VNI 5000, dstport 4790, MTU 1450, flood entry to the
 *       peer, the addresses on the vxlan), ROUNDS × SECONDS, the order alternating.</li>
 *   <li>Overlay endpoint setup on host 1 ({@code createSandbox}, in process), in turn with the same on
 *       a local bridge network (reference), and convergence: from the create call's start until a
 *       TCP connect from a sandbox on host 2 to the new sandbox's overlay address is answered.</li>
 *   <li>Global network create ({@code createNetwork} of an overlay on host 1, subnet from the
 *       cluster's pools) and the time until hosts 2 and 3 report it ({@code networkCreated}); then
 *       its removal and the time until they report it gone.</li>
 *   <li>Concurrent allocation: the three hosts create sandboxes on one overlay at once; sandboxes/s,
 *       and no address twice (etcd's {@code ipam/} keys, the sandboxes' eth0 in the kernel).</li>
 * </ol>
 *
 * <pre>OverlayBench OUT.json WORLD.txt [SANDBOXES=50 [NETWORKS=20 [CONCURRENT=50 [IPERF_SECONDS=5 [ROUNDS=3]]]]]</pre>
 *
 * WORLD.txt receives, as they are made, what the shell's trap must remove if this JVM dies without
 * its own clean-up: etcd and iperf3 PIDs, namespace names, namespace directories.
 */
public final class OverlayBench {
    static final int HOSTS = 3;
    static final String UNDERLAY = "10.213.77.0/24";
    static final String PERF_SUBNET = "10.120.0.0/24";
    static final String SETUP_SUBNET = "10.121.0.0/16";
    static final String CONC_SUBNET = "10.122.0.0/16";
    static final String BRIDGE_SUBNET = "10.90.0.0/16";
    static final int RAW_VNI = 5000;
    static final int RAW_PORT = 4790;
    static final String RAW_NET = "192.168.250.";
    /** A port nothing listens on: a TCP RST from the sandbox answers the probe as well as an accept would. */
    static final int PROBE_PORT = 9;
    static final int PROBE_CONNECT_TIMEOUT_MS = 50;
    static final long CONVERGENCE_LIMIT_MS = 30_000;
    static final int WARMUP = 5;

    private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
    private static final List<Host> HOST_LIST = Collections.synchronizedList(new ArrayList<>());
    private static EtcdCluster etcd;
    private static Path root;
    private static Path worldFile;
    private static boolean cleaned;

    private OverlayBench() {
    }

    /** One host: a Weft runtime on host namespace i of the etcd cluster. */
    static final class Host {
        final int index;
        final String instance;
        final Path netnsDir;
        final Standalone runtime;
        final Controller c;
        final ClusterStore store;
        final BridgeDriver bridge;
        final Map<String, Long> created = new ConcurrentHashMap<>();
        final Map<String, Long> removed = new ConcurrentHashMap<>();

        Host(int i, String id) throws Exception {
            index = i;
            instance = "ovb" + id + (i + 1);
            Path dir = Files.createDirectories(root.resolve("h" + (i + 1)));
            netnsDir = Files.createDirectories(root.resolve("h" + (i + 1) + "-netns"));
            world("netnsdir " + netnsDir);
            runtime = Standalone.builder().hostNamespace(etcd.hostNamespace(i)).netnsDir(netnsDir).directories(dir).build();
            c = runtime.controller();
            DriverContext ctx = runtime.driverContext(instance, "w" + (i + 1), "weft_ovb" + (i + 1),
                    DriverContext.FirewallMode.NFTABLES, 1500, Map.of(BridgeDriver.DEFAULT_SUBNET_SETTING, "none"));
            bridge = new BridgeDriver(ctx, runtime.kernel());
            runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "bench", bridge);
            runtime.addDriver(OverlayDriver.NAME, "dev.weft.driver-overlay", "bench", new OverlayDriver(ctx, runtime.kernel()));
            store = EtcdStores.open(etcd.endpoints(), etcd.hostAddress(i), etcd.threadsIn(i));
            runtime.attachCluster(store, instance, Duration.ofSeconds(30));
            runtime.addListener(new ControllerListener() {
                @Override
                public void networkCreated(NetworkInfo network) {
                    created.putIfAbsent(network.name(), System.nanoTime());
                }

                @Override
                public void networkRemoved(NetworkInfo network) {
                    removed.putIfAbsent(network.name(), System.nanoTime());
                }
            });
        }

        String node() {
            return store.nodeId();
        }

        void close() {
            List<Runnable> steps = List.of(runtime::detachCluster, () -> {
                try {
                    ((AutoCloseable) store).close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, bridge::close, runtime::close);
            for (Runnable step : steps) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    System.err.println("OverlayBench: closing host " + (index + 1) + ": " + e);
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OverlayBench OUT.json WORLD.txt [SANDBOXES=50 [NETWORKS=20 [CONCURRENT=50 [IPERF_SECONDS=5 [ROUNDS=3]]]]]");
            System.exit(2);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path out = Path.of(args[0]);
        worldFile = Path.of(args[1]);
        int sandboxes = Tools.arg(args, 2, 50);
        int networks = Tools.arg(args, 3, 20);
        int concurrent = Tools.arg(args, 4, 50);
        int seconds = Tools.arg(args, 5, 5);
        int rounds = Tools.arg(args, 6, 3);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "this checkout, Java " + System.getProperty("java.version"));
        json.put("iperf3_version", DataplaneBench.firstLine(Tools.run("iperf3", "--version")));
        json.put("etcd_version", DataplaneBench.firstLine(Tools.run("etcd", "--version")).replace("etcd Version: ", "etcd "));
        String id = Long.toHexString(System.nanoTime() & 0xfff);
        root = Files.createTempDirectory(Path.of("/run"), "weft-overlay-bench-");
        world("dir " + root);
        Thread hook = new Thread(OverlayBench::cleanup, "overlay-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        Map<String, String> failures = new LinkedHashMap<>();
        try {
            etcd = new EtcdCluster(UNDERLAY, HOSTS);
            world("etcddir " + etcd.directory());
            for (int i = 0; i < HOSTS; i++) {
                world("netns " + etcd.hostNamespaceName(i));
            }
            world("netns " + etcd.hostNamespaceName(0).replaceAll("-h1$", "-ul"));
            etcd.start();
            for (int i = 0; i < HOSTS; i++) {
                world("pid " + etcd.pid(i));
            }
            json.put("world", HOSTS + " host namespaces (" + etcd.hostNamespaceName(0) + " …) on an underlay bridge, "
                    + UNDERLAY + ", MTU 1500; etcd " + etcd.endpoints());
            for (int i = 0; i < HOSTS; i++) {
                HOST_LIST.add(new Host(i, id));
            }
            List<Host> hosts = List.copyOf(HOST_LIST);
            System.err.println("OverlayBench: 3 hosts up, " + etcd.endpoints());
            part(json, failures, "iperf3", () -> iperf(hosts, seconds, rounds));
            part(json, failures, "setup", () -> setup(hosts, sandboxes));
            part(json, failures, "networks", () -> networks(hosts, networks));
            part(json, failures, "concurrent", () -> concurrent(hosts, concurrent));
        } catch (Exception | Error e) {
            failures.put("world", e.toString());
            e.printStackTrace();
        } finally {
            cleanup();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        if (!failures.isEmpty()) {
            json.put("failures", failures);
        }
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues()
                .create().toJson(json) + "\n");
        System.err.println("OverlayBench: wrote " + out);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    interface Part {
        Map<String, Object> run() throws Exception;
    }

    private static void part(Map<String, Object> json, Map<String, String> failures, String name, Part part) {
        long t = System.nanoTime();
        try {
            json.put(name, part.run());
            System.err.printf("OverlayBench: %s done in %.1f s%n", name, (System.nanoTime() - t) / 1e9);
        } catch (Exception | Error e) {
            System.err.println("OverlayBench: " + name + " failed:");
            e.printStackTrace();
            failures.put(name, e.toString());
        }
    }

    // ---- 1. iperf3 -----------------------------------------------------------------------------

    private static Map<String, Object> iperf(List<Host> hosts, int seconds, int rounds) throws Exception {
        Host a = hosts.get(0), b = hosts.get(1);
        overlay(a, "ovperf", PERF_SUBNET);
        awaitCreated(hosts, "ovperf");
        SandboxInfo server = b.c.createSandbox(SandboxSpec.of("perfsrv", "ovperf"));
        SandboxInfo client = a.c.createSandbox(SandboxSpec.of("perfcli", "ovperf"));
        String serverIp = address(server, "ovperf");
        ExecutorService prober = Executors.newSingleThreadExecutor(NsThread.threadsIn(client.namespace()));
        try {
            if (reach(prober, serverIp, CONVERGENCE_LIMIT_MS) < 0) {
                throw new IllegalStateException("sandbox perfcli on host 1 cannot reach perfsrv " + serverIp + " on host 2");
            }
        } finally {
            prober.shutdownNow();
        }
        // the vxlan by hand, in the host namespaces of hosts 1 and 2
        for (int i = 0; i < 2; i++) {
            String ns = etcd.hostNamespaceName(i);
            Tools.run("ip", "-n", ns, "link", "add", "vxr0", "mtu", "1450", "type", "vxlan", "id", String.valueOf(RAW_VNI),
                    "dstport", String.valueOf(RAW_PORT), "local", etcd.hostAddress(i));
            Tools.run("bridge", "-n", ns, "fdb", "append", "00:00:00:00:00:00", "dev", "vxr0", "dst", etcd.hostAddress(1 - i));
            Tools.run("ip", "-n", ns, "addr", "add", RAW_NET + (i + 1) + "/24", "dev", "vxr0");
            Tools.run("ip", "-n", ns, "link", "set", "vxr0", "up");
        }
        Path rawServer = etcd.hostNamespace(1), rawClient = etcd.hostNamespace(0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", seconds);
        m.put("rounds", rounds);
        m.put("overlay", "sandbox perfcli (host 1, " + address(client, "ovperf") + ") → perfsrv (host 2, " + serverIp
                + "), network ovperf " + PERF_SUBNET + "; eth0: " + linkLine(client.namespace(), "eth0"));
        m.put("raw", "host namespace 1 (" + RAW_NET + "1) → host namespace 2 (" + RAW_NET + "2) over vxr0; "
                + linkLine(rawClient, "vxr0"));
        DataplaneBench.alternate(m, "overlay", rounds,
                "overlay", () -> iperf3("overlay", server.namespace(), client.namespace(), serverIp, seconds),
                "raw", () -> iperf3("raw vxlan", rawServer, rawClient, RAW_NET + "2", seconds));
        b.c.removeSandbox("perfsrv");
        a.c.removeSandbox("perfcli");
        for (int i = 0; i < 2; i++) {
            Tools.run("ip", "-n", etcd.hostNamespaceName(i), "link", "del", "vxr0");
        }
        return m;
    }

    /** One iperf3 TCP run (one stream) between two namespaces given by path, through nsenter. */
    static DataplaneBench.Iperf3 iperf3(String what, Path serverNs, Path clientNs, String serverIp, int seconds)
            throws Exception {
        Process server = spawn(serverNs, "iperf3", "-s", "-1", "-B", serverIp, "-p", "5201");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Tools.run("nsenter", "--net=" + serverNs, "ss", "-Hltn", "src", serverIp + ":5201").isBlank()) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(what + ": iperf3 server on " + serverIp + " not listening after 10 s");
                }
                Thread.sleep(20);
            }
            Process client = spawn(clientNs, "iperf3", "-c", serverIp, "-p", "5201", "-t", String.valueOf(seconds), "-J");
            try {
                String report = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!client.waitFor(seconds + 30L, TimeUnit.SECONDS) || client.exitValue() != 0) {
                    throw new IllegalStateException(what + ": iperf3 client to " + serverIp + " failed: " + report);
                }
                JsonObject end = JsonParser.parseString(report).getAsJsonObject().getAsJsonObject("end");
                JsonObject sent = end.getAsJsonObject("sum_sent");
                return new DataplaneBench.Iperf3(
                        Samples.round(end.getAsJsonObject("sum_received").get("bits_per_second").getAsDouble() / 1e9),
                        sent.has("retransmits") ? sent.get("retransmits").getAsLong() : -1);
            } finally {
                stop(client);
            }
        } finally {
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                stop(server);
            }
            stop(server);
        }
    }

    /** {@code nsenter --net=NS COMMAND…}: nsenter execs the command, so the process's PID is the command's. */
    private static Process spawn(Path ns, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + ns));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        PROCESSES.add(p);
        world("iperf " + p.pid());
        return p;
    }

    private static void stop(Process p) {
        if (p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        PROCESSES.remove(p);
    }

    private static String linkLine(Path ns, String dev) {
        try {
            String line = Tools.run("nsenter", "--net=" + ns, "ip", "-d", "-o", "link", "show", dev).strip();
            int mtu = line.indexOf(" mtu ");
            String mtuText = mtu < 0 ? "" : "mtu " + line.substring(mtu + 5).split("\\s+")[0];
            java.util.regex.Matcher vx = java.util.regex.Pattern
                    .compile(" vxlan id (\\d+)(?: local (\\S+))?.*? dstport (\\d+)").matcher(line);
            if (vx.find()) {
                return mtuText + ", vxlan id " + vx.group(1) + " local " + vx.group(2) + " dstport " + vx.group(3);
            }
            return mtuText + (line.contains(" veth ") ? ", veth" : "");
        } catch (Exception e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    // ---- 2. endpoint setup and convergence ----------------------------------------------------

    private static Map<String, Object> setup(List<Host> hosts, int n) throws Exception {
        Host a = hosts.get(0), b = hosts.get(1);
        overlay(a, "ovsetup", SETUP_SUBNET);
        a.c.createNetwork(new NetworkSpec("brref", BridgeDriver.NAME, List.of(SubnetSpec.of(IpPrefix.parse(BRIDGE_SUBNET))),
                false, false, Map.of(), Map.of()));
        awaitCreated(hosts, "ovsetup");
        SandboxInfo probe = b.c.createSandbox(SandboxSpec.of("probe", "ovsetup"));
        // ARP retries every 10 ms in the prober (default 1 s): convergence is not rounded up to a retry
        Tools.run("nsenter", "--net=" + probe.namespace(), "sh", "-c",
                "for f in /proc/sys/net/ipv4/neigh/*/retrans_time_ms; do echo 10 > \"$f\"; done");
        ExecutorService prober = Executors.newSingleThreadExecutor(NsThread.threadsIn(probe.namespace()));
        Samples ovSetup = new Samples(), converge = new Samples(), brSetup = new Samples();
        int unreached = 0;
        List<String> names = new ArrayList<>();
        try {
            for (int i = -WARMUP; i < n; i++) {
                boolean measured = i >= 0;
                int k = i + WARMUP;
                int[] miss = {0};
                Stats.Action ov = () -> {
                    String name = "ov" + k;
                    long t0 = System.nanoTime();
                    SandboxInfo s = a.c.createSandbox(SandboxSpec.of(name, "ovsetup"));
                    long t1 = System.nanoTime();
                    names.add(name);
                    long reached = reach(prober, address(s, "ovsetup"), CONVERGENCE_LIMIT_MS);
                    if (measured) {
                        ovSetup.add(t1 - t0);
                        if (reached < 0) {
                            miss[0]++;
                        } else {
                            converge.add(reached - t0);
                        }
                    }
                };
                Stats.Action br = () -> {
                    String name = "br" + k;
                    long t0 = System.nanoTime();
                    a.c.createSandbox(SandboxSpec.of(name, "brref"));
                    long t1 = System.nanoTime();
                    names.add(name);
                    if (measured) {
                        brSetup.add(t1 - t0);
                    }
                };
                Stats.inTurn(i, ov, br);
                unreached += miss[0];
            }
        } finally {
            prober.shutdownNow();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("warmup", WARMUP);
        m.put("overlay_setup_ms", ovSetup.json());
        m.put("overlay_reachable_ms", converge.json());
        m.put("overlay_unreached", unreached);
        m.put("bridge_setup_ms", brSetup.json());
        m.put("probe", "TCP connect to port " + PROBE_PORT + " from sandbox probe on host 2 (" + address(probe, "ovsetup")
                + "), " + PROBE_CONNECT_TIMEOUT_MS + " ms connect timeout, retried at once; a RST (nothing listens) counts as reached");
        long t = System.nanoTime();
        for (String name : names) {
            a.c.removeSandbox(name);
        }
        b.c.removeSandbox("probe");
        a.runtime.awaitRemovals();
        b.runtime.awaitRemovals();
        m.put("removal_of_all_ms", Samples.ms(System.nanoTime() - t));
        return m;
    }

    /**
     * From the prober's namespace, connects to {@code ip}:{@value #PROBE_PORT} until the sandbox
     * answers (accept or RST); the nanoTime then, or -1 after {@code limitMs}.
     */
    static long reach(ExecutorService prober, String ip, long limitMs) throws Exception {
        InetAddress target = InetAddress.getByName(ip);
        return prober.submit(() -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(target, PROBE_PORT), PROBE_CONNECT_TIMEOUT_MS);
                    return System.nanoTime();
                } catch (ConnectException e) {
                    if (String.valueOf(e.getMessage()).contains("refused")) {
                        return System.nanoTime();
                    }
                } catch (IOException e) {
                    // timeout, no route to host (ARP failed): not yet
                }
                LockSupport.parkNanos(200_000);
            }
            return -1L;
        }).get();
    }

    // ---- 3. global network create -------------------------------------------------------------

    private static Map<String, Object> networks(List<Host> hosts, int n) throws Exception {
        Host a = hosts.get(0);
        Samples create = new Samples(), visible2 = new Samples(), visible3 = new Samples(), visibleAll = new Samples();
        Samples remove = new Samples(), goneAll = new Samples();
        int unseen = 0;
        for (int i = -2; i < n; i++) {
            String name = "gn" + (i + 2);
            long t0 = System.nanoTime();
            a.c.createNetwork(new NetworkSpec(name, OverlayDriver.NAME, List.of(), false, false, Map.of(), Map.of()));
            long t1 = System.nanoTime();
            long[] seen = await(hosts, h -> h.created.get(name));
            long t2 = System.nanoTime();
            a.c.removeNetwork(name);
            long t3 = System.nanoTime();
            long[] gone = await(hosts, h -> h.removed.get(name));
            if (i < 0) {
                continue;
            }
            create.add(t1 - t0);
            remove.add(t3 - t2);
            if (seen[1] > 0 && seen[2] > 0) {
                visible2.add(seen[1] - t0);
                visible3.add(seen[2] - t0);
                visibleAll.add(Math.max(seen[1], seen[2]) - t0);
            } else {
                unseen++;
            }
            if (gone[1] > 0 && gone[2] > 0) {
                goneAll.add(Math.max(gone[1], gone[2]) - t2);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("warmup", 2);
        m.put("create_ms", create.json());
        m.put("visible_host2_ms", visible2.json());
        m.put("visible_host3_ms", visible3.json());
        m.put("visible_all_ms", visibleAll.json());
        m.put("unseen", unseen);
        m.put("remove_ms", remove.json());
        m.put("gone_all_ms", goneAll.json());
        return m;
    }

    /** Per host, the nanoTime {@code event} gives once non-null (waits up to 10 s for hosts 2 and 3; -1 if never). */
    private static long[] await(List<Host> hosts, java.util.function.Function<Host, Long> event) {
        long[] at = new long[hosts.size()];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 1; i < hosts.size(); i++) {
            Long t;
            while ((t = event.apply(hosts.get(i))) == null && System.nanoTime() < deadline) {
                LockSupport.parkNanos(100_000);
            }
            at[i] = t == null ? -1 : t;
        }
        return at;
    }

    private static void awaitCreated(List<Host> hosts, String name) {
        long[] at = await(hosts, h -> h.created.get(name));
        for (int i = 1; i < at.length; i++) {
            if (at[i] < 0) {
                throw new IllegalStateException("network " + name + " not seen on host " + (i + 1) + " within 10 s");
            }
        }
    }

    // ---- 4. concurrent allocation -------------------------------------------------------------

    private static Map<String, Object> concurrent(List<Host> hosts, int perHost) throws Exception {
        overlay(hosts.get(0), "ovconc", CONC_SUBNET);
        awaitCreated(hosts, "ovconc");
        CountDownLatch go = new CountDownLatch(1);
        List<List<SandboxInfo>> made = new ArrayList<>();
        List<Samples> latencies = new ArrayList<>();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        long[] ends = new long[hosts.size()];
        List<Thread> threads = new ArrayList<>();
        Samples all = new Samples();
        for (Host h : hosts) {
            List<SandboxInfo> mine = new ArrayList<>();
            Samples lat = new Samples();
            made.add(mine);
            latencies.add(lat);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    for (int j = 0; j < perHost; j++) {
                        long t0 = System.nanoTime();
                        try {
                            mine.add(h.c.createSandbox(SandboxSpec.of("c" + j, "ovconc")));
                            long d = System.nanoTime() - t0;
                            lat.add(d);
                            synchronized (all) {
                                all.add(d);
                            }
                        } catch (RuntimeException e) {
                            errors.add("host " + (h.index + 1) + ": " + e.getMessage());
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ends[h.index] = System.nanoTime();
            }, "conc-h" + (h.index + 1));
            threads.add(t);
            t.start();
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long wall = 0;
        for (long e : ends) {
            wall = Math.max(wall, e - start);
        }
        int total = 0;
        Map<String, String> apiOwner = new HashMap<>();
        List<String> apiAddresses = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            Samples lat = latencies.get(i);
            for (SandboxInfo s : made.get(i)) {
                String ip = address(s, "ovconc");
                apiAddresses.add(ip);
                apiOwner.put(ip, hosts.get(i).node());
                total++;
            }
        }
        // etcd: one key per address under ipam/NETWORK/; endpoint keys held by the host that made the sandbox
        String prefix = ClusterKeys.addresses(hosts.get(0).c.network("ovconc").orElseThrow().id());
        Map<String, String> etcdOwner = new HashMap<>();
        int etcdEndpointKeys = 0;
        for (ClusterStore.KeyValue kv : hosts.get(0).store.range(prefix).kvs()) {
            JsonObject o = JsonParser.parseString(kv.text()).getAsJsonObject();
            if (o.has("kind") && !"ENDPOINT".equals(o.get("kind").getAsString())) {
                continue;
            }
            etcdEndpointKeys++;
            etcdOwner.put(kv.key().substring(prefix.length()), o.get("node").getAsString());
        }
        int apiDuplicates = apiAddresses.size() - new HashSet<>(apiAddresses).size();
        int ownerMismatches = 0;
        for (Map.Entry<String, String> e : apiOwner.entrySet()) {
            if (!e.getValue().equals(etcdOwner.get(e.getKey()))) {
                ownerMismatches++;
            }
        }
        // kernel: eth0's IPv4 addresses in every sandbox
        List<String> kernel = new ArrayList<>();
        int kernelMismatches = 0;
        for (List<SandboxInfo> list : made) {
            for (SandboxInfo s : list) {
                String out = Tools.run("nsenter", "--net=" + s.namespace(), "ip", "-4", "-o", "addr", "show", "dev", "eth0");
                List<String> addrs = new ArrayList<>();
                for (String word : out.split("\\s+")) {
                    if (word.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
                        addrs.add(word.substring(0, word.indexOf('/')));
                    }
                }
                kernel.addAll(addrs);
                if (addrs.size() != 1 || !addrs.get(0).equals(address(s, "ovconc"))) {
                    kernelMismatches++;
                }
            }
        }
        int kernelDuplicates = kernel.size() - new HashSet<>(kernel).size();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hosts", hosts.size());
        m.put("per_host", perHost);
        m.put("made", total);
        m.put("errors", errors.size());
        if (!errors.isEmpty()) {
            m.put("first_error", errors.get(0));
        }
        m.put("wall_ms", Samples.ms(wall));
        m.put("sandboxes_per_s", Samples.round(total / (wall / 1e9)));
        m.put("addresses_per_s", Samples.round(etcdEndpointKeys / (wall / 1e9)));
        m.put("create_ms", all.json());
        for (int i = 0; i < hosts.size(); i++) {
            m.put("create_host" + (i + 1) + "_ms", latencies.get(i).json());
        }
        m.put("etcd_endpoint_keys", etcdEndpointKeys);
        m.put("api_duplicates", apiDuplicates);
        m.put("etcd_owner_mismatches", ownerMismatches);
        m.put("kernel_addresses", kernel.size());
        m.put("kernel_duplicates", kernelDuplicates);
        m.put("kernel_mismatches", kernelMismatches);
        return m;
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static void overlay(Host h, String name, String subnet) {
        h.c.createNetwork(new NetworkSpec(name, OverlayDriver.NAME, List.of(SubnetSpec.of(IpPrefix.parse(subnet))), false,
                false, Map.of(), Map.of()));
    }

    /** The sandbox's IPv4 address on {@code network}. */
    static String address(SandboxInfo s, String network) {
        for (EndpointInfo e : s.endpoints()) {
            if (e.network().equals(network) && e.ipv4() != null) {
                return IpAddresses.format(e.ipv4().address());
            }
        }
        throw new IllegalStateException("sandbox " + s.name() + " has no IPv4 address on " + network + ": " + s.endpoints());
    }

    private static synchronized void world(String line) {
        try {
            Files.writeString(worldFile, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("OverlayBench: cannot write " + worldFile + ": " + e.getMessage());
        }
    }

    /**
     * Removes everything: iperf3 processes (by their PIDs), the runtimes, every namespace in the
     * hosts' namespace directories (sandboxes, overlay namespaces), the etcd cluster (members by
     * PID, host and underlay namespaces with their nft tables and links, data directory), the
     * records. Idempotent; also the JVM's shutdown hook.
     */
    static synchronized void cleanup() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        for (Process p : List.copyOf(PROCESSES)) {
            stop(p);
        }
        for (Host h : List.copyOf(HOST_LIST)) {
            h.close();
        }
        if (root != null) {
            for (int i = 0; i < HOSTS; i++) {
                Path dir = root.resolve("h" + (i + 1) + "-netns");
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        quietly("umount", "-l", p.toString());
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    System.err.println("OverlayBench: cleaning " + dir + ": " + e);
                }
                quietly("umount", "-l", dir.toString());
            }
        }
        if (etcd != null) {
            try {
                etcd.close();
            } catch (RuntimeException e) {
                System.err.println("OverlayBench: closing etcd: " + e.getMessage());
            }
        }
        if (root != null) {
            try (Stream<Path> s = Files.walk(root)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("OverlayBench: deleting " + root + ": " + e);
            }
        }
    }

    private static void quietly(String... command) {
        try {
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            System.err.println("OverlayBench: " + String.join(" ", command) + ": " + e);
        }
    }
}
