package dev.weft.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A throwaway etcd cluster (etcd 3.4, {@code /usr/bin/etcd}) in network namespaces of its own: an
 * underlay namespace {@code wt-<id>-ul} with a bridge, and per member a "host" namespace
 * {@code wt-<id>-hN} (N = 1…members) linked to that bridge by a veth, addressed
 * {@code <subnet>.1N/24}, running one member that listens on that address and on the namespace's
 * own 127.0.0.1. Nothing is added to the machine's namespace, and no traffic leaves these
 * namespaces: a client reaches the members from a host namespace (see {@link #threadsIn}).
 *
 * <p>Members are numbered from 0 in this API ({@code hostAddress(0)} is {@code <subnet>.11}).
 * Timing suits a loaded 2-core machine: heartbeat 250 ms, election timeout 2.5 s (so etcd's
 * shortest lease TTL is 4 s), no auto-compaction. {@link #close()} kills the members by their own
 * PIDs, deletes the namespaces and the data directory, also after a failed test; a JVM shutdown
 * hook closes clusters a test forgot.
 */
public final class EtcdCluster implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EtcdCluster.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<EtcdCluster> OPEN = ConcurrentHashMap.newKeySet();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(40);
    private static final AtomicInteger THREADS = new AtomicInteger();
    public static final int CLIENT_PORT = 2379;
    public static final int PEER_PORT = 2380;
    /** Plain-HTTP /health and /metrics of each member, on the namespace's 127.0.0.1 only. */
    public static final int METRICS_PORT = 2381;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(EtcdCluster::closeForgotten, "testkit-etcd-cleanup"));
    }

    private final String id;
    private final String net;
    private final int size;
    private final Path dir;
    private final Process[] processes;
    private final List<String> namespaces = new ArrayList<>();
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsCa;
    private boolean closed;

    /** Three members on 10.213.0.0/24. */
    public EtcdCluster() {
        this("10.213.0.0/24", 3);
    }

    /**
     * A cluster of {@code members} (1 to 9) on {@code subnet}, a /24 given as {@code A.B.C.0/24}
     * (or {@code A.B.C}); member i gets {@code A.B.C.1(i+1)}. Nothing runs before {@link #start()}.
     */
    public EtcdCluster(String subnet, int members) {
        if (members < 1 || members > 9) {
            throw new IllegalArgumentException("an etcd test cluster has 1 to 9 members, not " + members);
        }
        String s = subnet.endsWith(".0/24") ? subnet.substring(0, subnet.length() - ".0/24".length()) : subnet;
        if (!s.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("subnet " + subnet + " is not a /24 like 10.213.0.0/24");
        }
        this.net = s;
        this.size = members;
        this.id = HexFormat.of().formatHex(randomBytes());
        this.processes = new Process[members];
        try {
            this.dir = Files.createTempDirectory("wt-" + id + "-etcd");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a data directory for etcd", e);
        }
    }

    /**
     * Makes the members serve clients over TLS only, with certificate {@code cert} and key
     * {@code key} (PEM; the certificate must name every member's address and 127.0.0.1), and
     * require client certificates signed by the CA in {@code ca}. Call before {@link #start()}.
     */
    public synchronized EtcdCluster withTls(Path cert, Path key, Path ca) {
        if (!namespaces.isEmpty()) {
            throw new IllegalStateException("TLS is set before start()");
        }
        this.tlsCert = cert;
        this.tlsKey = key;
        this.tlsCa = ca;
        return this;
    }

    /** Builds the namespaces, starts every member and waits until the cluster is healthy. */
    public synchronized EtcdCluster start() {
        Tools.require("etcd");
        TestHost.registerWorld(id);
        OPEN.add(this);
        try {
            String underlay = "wt-" + id + "-ul";
            addNamespace(underlay);
            ip("-n", underlay, "link", "add", "ubr", "type", "bridge");
            ip("-n", underlay, "link", "set", "ubr", "up");
            for (int i = 0; i < size; i++) {
                String host = hostNamespaceName(i);
                addNamespace(host);
                // Both ends are created right in their namespaces: never visible in the machine's.
                ip("link", "add", "up" + (i + 1), "netns", host, "type", "veth", "peer", "name", "uh" + (i + 1), "netns", underlay);
                ip("-n", underlay, "link", "set", "uh" + (i + 1), "master", "ubr");
                ip("-n", underlay, "link", "set", "uh" + (i + 1), "up");
                ip("-n", host, "addr", "add", hostAddress(i) + "/24", "dev", "up" + (i + 1));
                ip("-n", host, "link", "set", "up" + (i + 1), "up");
            }
            for (int i = 0; i < size; i++) {
                launch(i, "new");
            }
            awaitHealthy();
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return this;
    }

    public int size() {
        return size;
    }

    /** {@code etcd://A:2379,B:2379,…} ({@code etcds://} with TLS): every member, for {@code cluster.store}. */
    public String endpoints() {
        return (tlsCert != null ? "etcds://" : "etcd://") + IntStream.range(0, size).mapToObj(i -> hostAddress(i) + ":" + CLIENT_PORT)
                .collect(Collectors.joining(","));
    }

    /** {@code http://ADDRESS:2379} ({@code https://} with TLS) of member i. */
    public String clientUrl(int i) {
        return scheme() + "://" + hostAddress(i) + ":" + CLIENT_PORT;
    }

    /** Member i's address in its host namespace, e.g. 10.213.0.11 for i = 0. */
    public String hostAddress(int i) {
        check(i);
        return net + ".1" + (i + 1);
    }

    /** The name of member i's host namespace ({@code wt-<id>-h(i+1)}). */
    public String hostNamespaceName(int i) {
        check(i);
        return "wt-" + id + "-h" + (i + 1);
    }

    /** The host namespace of member i, {@code /run/netns/…}. */
    public Path hostNamespace(int i) {
        return Path.of("/run/netns", hostNamespaceName(i));
    }

    /** The directory that holds the members' data and logs ({@code hN/}, {@code hN.log}). */
    public Path directory() {
        return dir;
    }

    /**
     * Threads that enter host namespace i before they run (a client's sockets opened on them are
     * in that namespace, where the members can be reached). Such a thread stays in that namespace:
     * give them only to a pool of their own (an HTTP client's), never to a shared one.
     */
    public ThreadFactory threadsIn(int i) {
        String name = hostNamespaceName(i);
        Path path = hostNamespace(i);
        return work -> {
            Thread t = new Thread(() -> {
                NamespaceThread.enter(name, path);
                work.run();
            }, "etcd-client-" + name + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Whether member i's process runs. */
    public synchronized boolean running(int i) {
        check(i);
        return processes[i] != null && processes[i].isAlive();
    }

    /** The PID of member i's etcd process (the process itself: {@code ip netns exec} execs it). */
    public synchronized long pid(int i) {
        check(i);
        if (processes[i] == null) {
            throw new IllegalStateException("member " + i + " does not run");
        }
        return processes[i].pid();
    }

    /** SIGKILLs member i (by its own PID) and waits until it is gone. */
    public synchronized void kill(int i) {
        check(i);
        Process p = processes[i];
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("etcd member " + i + " (pid " + p.pid() + ") did not die of SIGKILL within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing etcd member " + i, e);
        }
        processes[i] = null;
    }

    /** Kills a majority of the members (the first ones): the cluster loses its quorum. Returns their indices. */
    public synchronized List<Integer> killQuorum() {
        List<Integer> killed = new ArrayList<>();
        for (int i = 0; i < size / 2 + 1; i++) {
            kill(i);
            killed.add(i);
        }
        return killed;
    }

    /** Starts member i again on its data directory ({@code --initial-cluster-state existing}); does not wait. */
    public synchronized void restart(int i) {
        check(i);
        if (running(i)) {
            throw new IllegalStateException("etcd member " + i + " still runs");
        }
        launch(i, "existing");
    }

    /** Waits (bounded) until every running member reports {@code /health} true. */
    public void awaitHealthy() {
        awaitHealthy(START_TIMEOUT);
    }

    public void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            List<String> unhealthy = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                if (!running(i)) {
                    if (processes[i] == null) {
                        continue; // killed on purpose
                    }
                }
                String health = health(i);
                if (!health.contains("\"health\":\"true\"")) {
                    unhealthy.add("member " + i + " (" + hostAddress(i) + "): " + health);
                }
            }
            if (unhealthy.isEmpty()) {
                return;
            }
            last = String.join("; ", unhealthy);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("etcd cluster " + id + " not healthy within " + timeout.toSeconds() + " s: " + last
                        + "; logs in " + dir + " (" + tail(unhealthyLog(unhealthy)) + ")");
            }
            Sleep.briefly();
        }
    }

    /** Runs {@code etcdctl} in member i's namespace against its own member (127.0.0.1) and returns stdout. */
    public String etcdctl(int i, String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", hostNamespaceName(i), "etcdctl",
                "--endpoints", scheme() + "://127.0.0.1:" + CLIENT_PORT));
        if (tlsCert != null) {
            command.addAll(List.of("--cacert", tlsCa.toString(), "--cert", tlsCert.toString(), "--key", tlsKey.toString()));
        }
        command.addAll(List.of(args));
        return Commands.runOrThrow(command);
    }

    /** Kills every member, deletes the namespaces and the data directory; reports everything that failed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPEN.remove(this);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            try {
                kill(i);
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        List<String> reversed = new ArrayList<>(namespaces);
        java.util.Collections.reverse(reversed);
        for (String ns : reversed) {
            CommandResult r = Commands.run(List.of("ip", "netns", "del", ns));
            if (!r.succeeded() && Files.exists(Path.of("/run/netns", ns))) {
                failures.add(r.describe());
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            failures.add("cannot delete " + dir + ": " + e.getMessage());
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not remove everything of etcd cluster " + id + ": " + String.join("; ", failures));
        }
    }

    @Override
    public String toString() {
        return "etcd cluster " + id + " " + endpoints();
    }

    private void launch(int i, String state) {
        String name = "h" + (i + 1);
        String address = hostAddress(i);
        String initial = IntStream.range(0, size)
                .mapToObj(j -> "h" + (j + 1) + "=http://" + hostAddress(j) + ":" + PEER_PORT)
                .collect(Collectors.joining(","));
        String client = scheme();
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", hostNamespaceName(i), "etcd",
                "--name", name,
                "--data-dir", dir.resolve(name).toString(),
                "--listen-peer-urls", "http://" + address + ":" + PEER_PORT,
                "--initial-advertise-peer-urls", "http://" + address + ":" + PEER_PORT,
                "--listen-client-urls", client + "://" + address + ":" + CLIENT_PORT + "," + client + "://127.0.0.1:" + CLIENT_PORT,
                "--advertise-client-urls", client + "://" + address + ":" + CLIENT_PORT,
                "--listen-metrics-urls", "http://127.0.0.1:" + METRICS_PORT,
                "--initial-cluster", initial,
                "--initial-cluster-token", "wt-" + id,
                "--initial-cluster-state", state,
                "--heartbeat-interval", "250",
                "--election-timeout", "2500",
                "--auto-compaction-retention", "0",
                "--quota-backend-bytes", Long.toString(256L * 1024 * 1024),
                "--logger", "zap",
                "--log-level", "warn"));
        if (tlsCert != null) {
            command.addAll(List.of("--cert-file", tlsCert.toString(), "--key-file", tlsKey.toString(),
                    "--client-cert-auth", "--trusted-ca-file", tlsCa.toString()));
        }
        try {
            File log = dir.resolve(name + ".log").toFile();
            processes[i] = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                    .redirectInput(Commands.NO_INPUT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start etcd member " + name + ": " + String.join(" ", command), e);
        }
    }

    /** GET /health of member i from inside its namespace; the answer, or why there is none. */
    private String health(int i) {
        try {
            return NamespaceThread.call(hostNamespaceName(i), hostNamespace(i), () -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", METRICS_PORT), 1000);
                    socket.setSoTimeout(3000);
                    OutputStream out = socket.getOutputStream();
                    out.write("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    InputStream in = socket.getInputStream();
                    String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    int body = answer.indexOf("\r\n\r\n");
                    return body < 0 ? answer : answer.substring(body + 4).strip();
                }
            });
        } catch (Exception e) {
            return e.toString();
        }
    }

    private String unhealthyLog(List<String> unhealthy) {
        for (int i = 0; i < size; i++) {
            if (unhealthy.get(0).startsWith("member " + i + " ")) {
                return "h" + (i + 1) + ".log";
            }
        }
        return "h1.log";
    }

    private String tail(String logName) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(logName));
            return logName + ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return logName + ": " + e.getMessage();
        }
    }

    private void addNamespace(String name) {
        namespaces.add(name); // first, so close() deletes it if creation fails half way
        ip("netns", "add", name);
        ip("-n", name, "link", "set", "lo", "up");
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Commands.runOrThrow(command);
    }

    private String scheme() {
        return tlsCert != null ? "https" : "http";
    }

    private void check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("member " + i + " of a " + size + "-member cluster (members count from 0)");
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void closeForgotten() {
        for (EtcdCluster cluster : List.copyOf(OPEN)) {
            try {
                LOG.log(Level.WARNING, "closing " + cluster + ", which a test left open");
                cluster.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cleanup of " + cluster + " failed at exit", e);
            }
        }
    }
}
