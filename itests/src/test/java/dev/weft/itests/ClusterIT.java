package dev.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.testkit.EtcdCluster;
import dev.weft.testkit.Leaks;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import dev.weft.testkit.UdpListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Overlay networks across three hosts, as people run them: a 3-member etcd cluster from Debian's
 * {@code etcd-server} and three Weft instances started with {@code ./weft start}, each in a host
 * namespace of its own on one underlay bridge (the test kit's {@link EtcdCluster}), configured with
 * {@code WEFT_CLUSTER_STORE} and {@code WEFT_CLUSTER_ADVERTISE}. Everything is driven through
 * {@code ./weft} and proven with traffic from sockets inside the sandboxes. The tests share the
 * world and run in order; the last one leaves it as it found it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final int HOSTS = 3;
    /** Sandboxes per host on the big overlay (the 50; smaller with -Dweft.it.cluster.sandboxes). */
    private static final int PER_HOST = Integer.getInteger("weft.it.cluster.sandboxes", 50);
    private static final int PAIRS = 300;
    private static final int TCP = 7000;
    private static final int UDP = 7001;

    private Leaks before;
    private TestHost oracle;
    private EtcdCluster etcd;
    private Path dir;
    private final Weft[] weft = new Weft[HOSTS];
    private final String[] instance = new String[HOSTS];
    private final String prefix = "/weft-it-" + Long.toHexString(System.nanoTime()) + "/";
    /** The big overlay's sandboxes: name -> (host, overlay address). */
    private final Map<String, Integer> hostOf = new HashMap<>();
    private final Map<String, String> addressOf = new HashMap<>();
    private final Map<String, TestSandbox> sandboxes = new HashMap<>();

    @BeforeAll
    void world() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the runtime runs as root");
        before = Leaks.snapshot();
        oracle = TestHost.create(); // names (and, whatever happens, removes) the sandboxes' namespaces
        etcd = new EtcdCluster("10.214.0.0/24", HOSTS).start();
        dir = Files.createTempDirectory("weft-cl-");
        for (int i = 0; i < HOSTS; i++) {
            instance[i] = "cl" + oracle.id().substring(0, 4) + i;
            weft[i] = new Weft(Path.of(PrivateInstance.property("weft.script")).toRealPath(),
                    Path.of(PrivateInstance.property("weft.distribution")), dir.resolve("home" + i),
                    dir.resolve("run" + i), dir.resolve("state" + i))
                    .with("WEFT_HOST_NETNS", etcd.hostNamespace(i).toString())
                    .with("WEFT_ETC_NETNS_DIR", dir.resolve("etc-netns" + i).toString())
                    .with("WEFT_INSTANCE", instance[i])
                    .with("WEFT_LINK_PREFIX", "c" + i + oracle.id().substring(0, 2))
                    .with("WEFT_NFT_TABLE", "weft_" + instance[i])
                    .with("WEFT_CLUSTER_STORE", etcd.endpoints())
                    .with("WEFT_CLUSTER_ADVERTISE", etcd.hostAddress(i))
                    .with("WEFT_CLUSTER_PREFIX", prefix);
        }
        List<Weft.Result> started = onEachHost(i -> weft[i].run(Duration.ofSeconds(180), "start"));
        for (int i = 0; i < HOSTS; i++) {
            assertEquals(0, started.get(i).exit(), "./weft start on host " + i + ": " + started.get(i));
        }
    }

    @AfterAll
    void leave() throws Exception {
        Cleanup cleanup = new Cleanup();
        for (int i = 0; i < HOSTS; i++) {
            Weft w = weft[i];
            if (w == null) {
                continue;
            }
            cleanup.step(() -> {
                Weft.Result purged = w.run(Duration.ofSeconds(90), "purge");
                if (purged.exit() != 0) {
                    cleanup.fail(new AssertionError("./weft purge: " + purged));
                }
            });
            long pid = w.pidFromFile();
            if (pid > 0) {
                ProcessHandle.of(pid).filter(h -> h.info().commandLine().orElse("").contains(w.home.toString()))
                        .ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().join();
                        });
            }
        }
        if (etcd != null) {
            cleanup.step(etcd::close);
        }
        if (oracle != null) {
            cleanup.step(oracle::close);
        }
        if (dir != null) {
            cleanup.step(() -> Cleanup.deleteTree(dir));
        }
        if (before != null) {
            cleanup.step(before::assertUnchanged);
        }
        cleanup.throwIfFailed("cluster of " + HOSTS + " hosts");
    }

    @Test
    @Order(10)
    void aGlobalNetworkMadeOnOneHostIsOnEveryHostWithTheSameId() throws Exception {
        long start = System.nanoTime();
        String id = ok(weft[0].run("network:create", "-d", "overlay", "--attachable", "--subnet", "10.81.0.0/22", "big"))
                .out().trim();
        assertEquals(64, id.length(), "network:create prints the id: " + id);
        for (int i = 1; i < HOSTS; i++) {
            int h = i;
            poll("network big on host " + h, Duration.ofSeconds(10),
                    () -> weft[h].run("network:inspect", "big").out().contains("\"Id\": \"" + id + "\""));
        }
        System.out.printf("[weft-it] overlay network on 3 hosts: visible everywhere %d ms after network:create started%n",
                (System.nanoTime() - start) / 1_000_000);
        String inspect = ok(weft[2].run("network:inspect", "big")).out();
        assertTrue(inspect.contains("\"Scope\": \"global\"") && inspect.contains("\"Driver\": \"overlay\"")
                && inspect.contains("10.81.0.0/22") && inspect.contains("vxlanid_list"), inspect);
        Weft.Result again = weft[1].run("network:create", "-d", "overlay", "big");
        assertEquals(1, again.exit(), "a name taken in the cluster: " + again);
        assertTrue(again.err().contains("already exists"), again.toString());
    }

    @Test
    @Order(20)
    void sandboxesMadeOnThreeHostsAtOnceAllReachEachOtherWithTcpAndUdp() throws Exception {
        long start = System.nanoTime();
        List<List<String>> made = onEachHost(h -> {
            List<String> names = new ArrayList<>();
            for (int j = 0; j < PER_HOST; j++) {
                TestSandbox s;
                synchronized (sandboxes) {
                    s = oracle.adopt("b" + h + "-" + j);
                }
                ok(weft[h].run("sandbox:create", "--network", "big", s.name()));
                names.add(s.name());
                synchronized (sandboxes) {
                    sandboxes.put(s.name(), s);
                    hostOf.put(s.name(), h);
                }
            }
            return names;
        });
        System.out.printf("[weft-it] %d sandboxes on one overlay, made through ./weft from 3 hosts at once: %d ms%n",
                HOSTS * PER_HOST, (System.nanoTime() - start) / 1_000_000);
        Set<String> seen = new HashSet<>();
        for (List<String> names : made) {
            for (String name : names) {
                String a = eth0(sandboxes.get(name));
                assertTrue(seen.add(a), "address " + a + " is on two sandboxes (the second: " + name + ")");
                addressOf.put(name, a);
            }
        }
        String keys = etcd.etcdctl(0, "get", "--prefix", "--keys-only", prefix + "ipam/");
        long held = keys.lines().filter(l -> !l.isBlank()).count();
        assertEquals(HOSTS * PER_HOST + 1, held, "one address key in etcd per sandbox and the gateway:\n" + keys);

        // listeners everywhere, then a sample covering every ordered pair of hosts
        Map<String, TcpListener> tcp = new HashMap<>();
        Map<String, UdpListener> udp = new HashMap<>();
        try {
            for (TestSandbox s : sandboxes.values()) {
                tcp.put(s.name(), s.listenTcp(TCP));
                udp.put(s.name(), s.listenUdp(UDP));
            }
            Random random = new Random(42);
            List<String> all = new ArrayList<>(sandboxes.keySet());
            int pairs = 0;
            int[][] perHostPair = new int[HOSTS][HOSTS];
            while (pairs < PAIRS) {
                String from = all.get(random.nextInt(all.size()));
                String to = all.get(random.nextInt(all.size()));
                int hf = hostOf.get(from);
                int ht = hostOf.get(to);
                if (hf == ht || perHostPair[hf][ht] >= PAIRS / 6 + 1) {
                    continue;
                }
                perHostPair[hf][ht]++;
                pairs++;
                String target = addressOf.get(to);
                assertTrue(sandboxes.get(from).canConnectTcp(target, TCP, Duration.ofSeconds(3)),
                        "TCP from " + from + " (host " + hf + ") to " + to + " " + target + " (host " + ht + ")");
                String payload = "from " + from;
                sandboxes.get(from).sendUdp(target, UDP, payload);
                assertTrue(awaitDatagram(udp.get(to), payload), "UDP from " + from + " (host " + hf + ") to " + to
                        + " " + target + " (host " + ht + ")");
            }
            for (int a = 0; a < HOSTS; a++) {
                for (int b = 0; b < HOSTS; b++) {
                    assertTrue(a == b || perHostPair[a][b] > 0, "no pair from host " + a + " to host " + b);
                }
            }
        } finally {
            tcp.values().forEach(TcpListener::close);
            udp.values().forEach(UdpListener::close);
        }
    }

    @Test
    @Order(25)
    void namesResolveAcrossHostsWithTheOrdinaryResolver() throws Exception {
        for (int[] hosts : new int[][] {{0, 2}, {2, 1}, {1, 0}}) {
            String[] pair = pairAcross(hosts[0], hosts[1]);
            poll(pair[0] + " (host " + hosts[0] + ") resolves " + pair[1] + " (host " + hosts[1] + ")", Duration.ofSeconds(10),
                    () -> addressOf.get(pair[1]).equals(resolve(hosts[0], pair[0], pair[1])));
            assertEquals(addressOf.get(pair[1]), resolve(hosts[0], pair[0], pair[1] + ".big"), "NAME.NETWORK across hosts");
        }
    }

    /**
     * {@code getent hosts NAME} inside a sandbox with its resolv.conf and hosts mounted over /etc, as
     * {@code ip netns exec} mounts them (the instance keeps them in its own etc-netns directory).
     */
    private String resolve(int host, String sandbox, String name) throws Exception {
        Path files = dir.resolve("etc-netns" + host).resolve(sandbox);
        String script = "mount --bind " + files.resolve("resolv.conf") + " /etc/resolv.conf && mount --bind "
                + files.resolve("hosts") + " /etc/hosts && exec nsenter --net=/run/netns/" + sandbox
                + " getent hosts " + name;
        Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "getent did not end");
        return p.exitValue() == 0 ? out.strip().split("\\s+")[0] : "";
    }

    @Test
    @Order(30)
    void twoOverlaysWithOneSubnetStayApartAndEgressIsMasqueradedWithoutACrossOverlayPath() throws Exception {
        ok(weft[1].run("network:create", "-d", "overlay", "--subnet", "10.90.0.0/24", "red"));
        ok(weft[2].run("network:create", "-d", "overlay", "--subnet", "10.90.0.0/24", "blue"));
        for (String net : List.of("red", "blue")) {
            poll(net + " on host 0", Duration.ofSeconds(10), () -> weft[0].run("network:inspect", net).exit() == 0);
        }
        TestSandbox red0 = create(0, "red0", "red");
        TestSandbox blue0 = create(0, "blue0", "blue");
        TestSandbox red1 = create(1, "red1", "red");
        TestSandbox blue1 = create(1, "blue1", "blue");
        String red1Address = eth0(red1);
        String blue1Address = eth0(blue1);
        try (TcpListener r = red1.listenTcp(TCP); TcpListener b = blue1.listenTcp(TCP)) {
            try (TcpConnection c = red0.connectTcp(red1Address, TCP)) {
                assertEquals(red1.name(), whoAnswered(c, r, b, red1, blue1), "red reaches red");
            }
            try (TcpConnection c = blue0.connectTcp(blue1Address, TCP)) {
                assertEquals(blue1.name(), whoAnswered(c, r, b, red1, blue1), "blue reaches blue");
            }
            if (red1Address.equals(blue1Address)) {
                System.out.println("[weft-it] red1 and blue1 have the same address " + red1Address
                        + " on their overlays; each reached its own");
            } else {
                assertFalse(red0.canConnectTcp(blue1Address, TCP, Duration.ofSeconds(2)), "red reaches blue's "
                        + blue1Address + " on the same subnet");
            }
            // the egress network of host 1 joins both, and must not carry red to blue
            String blueEgress = address(blue1, "eth1");
            assertFalse(red1.canConnectTcp(blueEgress, TCP, Duration.ofSeconds(2)),
                    "red1 reaches blue1 through docker_gwbridge at " + blueEgress);
        }
        // egress: an "outside" namespace on host 0's side sees host 0's own address (masqueraded)
        TestSandbox outside = oracle.sandbox("outside");
        String h0 = etcd.hostNamespaceName(0);
        outside.exec("ip", "link", "add", "o0", "type", "veth", "peer", "name", "ext0", "netns", h0);
        outside.ip("addr", "add", "198.51.100.2/24", "dev", "o0");
        outside.ip("link", "set", "o0", "up");
        command("ip", "-n", h0, "addr", "add", "198.51.100.1/24", "dev", "ext0");
        command("ip", "-n", h0, "link", "set", "ext0", "up");
        try (TcpListener l = outside.listenTcp(7100); TcpConnection c = red0.connectTcp("198.51.100.2", 7100)) {
            assertEquals("198.51.100.1", c.peerSeenBy(l), "the outside sees host 0's address, not the sandbox's");
        }
        // a published port on an overlay sandbox is reached through its host
        TestSandbox pub = oracle.adopt("pub");
        ok(weft[1].run("sandbox:create", "--network", "red", "-p", "18081:80", pub.name()));
        try (TcpListener l = pub.listenTcp(80)) {
            String h1 = etcd.hostAddress(1);
            command("ip", "netns", "exec", etcd.hostNamespaceName(2), "bash", "-c",
                    "exec 3<>/dev/tcp/" + h1 + "/18081 && echo hello >&3");
            assertTrue(l.awaitConnection(Duration.ofSeconds(5)) != null, "port 18081 of host 1 reaches pub");
        }
        for (String s : List.of(pub.name())) {
            ok(weft[1].run("sandbox:remove", s));
        }
    }

    @Test
    @Order(40)
    void badInputIsRefusedSayingWhatAndChangesNothing() throws Exception {
        String keysBefore = etcd.etcdctl(0, "get", "--prefix", "--keys-only", prefix);
        refused(weft[0].run("network:create", "-d", "overlay", "-o", "encrypted", "sealed"), "IPsec");
        String vni = inspectOption(weft[0], "big", "com.docker.network.driver.overlay.vxlanid_list");
        refused(weft[0].run("network:create", "-d", "overlay", "-o", "com.docker.network.driver.overlay.vxlanid_list=" + vni,
                "twin"), vni);
        refused(weft[0].run("network:create", "-d", "overlay", "-o", "com.docker.network.driver.mtu=9000", "jumbo"), "9000");
        refused(weft[0].run("network:remove", "big"), "big");
        assertEquals(keysBefore, etcd.etcdctl(0, "get", "--prefix", "--keys-only", prefix),
                "a refusal leaves the store as it was");
    }

    @Test
    @Order(50)
    void losingOneEtcdMemberChangesNothingLosingQuorumFailsClearlyAndLocalTrafficGoesOn() throws Exception {
        etcd.kill(2);
        TestSandbox one = create(0, "one", "big"); // no operation fails with one member of three gone
        ok(weft[1].run("network:create", "-d", "overlay", "quorum-1"));
        etcd.restart(2);
        etcd.awaitHealthy(Duration.ofSeconds(60));
        List<Integer> killed = etcd.killQuorum(); // two of three: one member runs, without a leader
        long start = System.nanoTime();
        Weft.Result r = weft[0].run("network:create", "-d", "overlay", "noquorum");
        long took = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("cluster store"), "the error names the cluster store: " + r);
        System.out.printf("[weft-it] without etcd quorum network:create failed after %d ms: %s%n", took, r.err().trim());
        // local networks and the data plane go on
        ok(weft[0].run("network:create", "local-net"));
        String[] pair = pairAcross(0, 1);
        assertTrue(reaches(pair[0], pair[1]), "the overlay forwards without etcd: " + pair[0] + " -> " + pair[1]);
        for (int i = 0; i < HOSTS; i++) {
            if (!etcd.running(i)) {
                etcd.restart(i);
            }
        }
        etcd.awaitHealthy(Duration.ofSeconds(60));
        poll("a global operation works again", Duration.ofSeconds(30),
                () -> weft[0].run("network:create", "-d", "overlay", "after-quorum").exit() == 0);
        poll("after-quorum on host 2", Duration.ofSeconds(10), () -> weft[2].run("network:inspect", "after-quorum").exit() == 0);
        ok(weft[0].run("sandbox:remove", one.name()));
        assertFalse(killed.isEmpty());
    }

    @Test
    @Order(60)
    void killDashNineAndRestartWithinTheLeaseLosesNoCrossHostConnection() throws Exception {
        String[] pair = pairAcross(1, 2);
        TestSandbox from = sandboxes.get(pair[0]);
        TestSandbox to = sandboxes.get(pair[1]);
        try (TcpListener l = to.listenTcp(7200); TcpConnection c = from.connectTcp(addressOf.get(pair[1]), 7200)) {
            l.awaitConnection(Duration.ofSeconds(5));
            long pid = weft[1].pidFromFile();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
            long start = System.nanoTime();
            ok(weft[1].run(Duration.ofSeconds(120), "start"));
            System.out.printf("[weft-it] host 1 restarted %d ms after kill -9%n", (System.nanoTime() - start) / 1_000_000);
            c.writeLine("still there");
            assertTrue(from.canConnectTcp(addressOf.get(pair[1]), 7200, Duration.ofSeconds(3)),
                    "new connections from host 1 to host 2 after the restart");
        }
        assertNoDuplicateAddresses();
    }

    @Test
    @Order(70)
    void aHostLeftDownVanishesFromTheOthersWithinItsLeaseAndComesBackCleanly() throws Exception {
        String downAddress = etcd.hostAddress(2);
        long pid = weft[2].pidFromFile();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
        long killedAt = System.nanoTime();
        String segment = segmentOf(0, "big");
        poll("host 2's peers gone from host 0's forwarding table", Duration.ofSeconds(30),
                () -> !command("bridge", "-n", segment, "fdb", "show", "dev", "vxlan0").contains(downAddress));
        System.out.printf("[weft-it] host 2 down: its peers left host 0's forwarding table after %d ms (lease TTL 10 s)%n",
                (System.nanoTime() - killedAt) / 1_000_000);
        String[] pair = pairAcross(0, 1);
        assertTrue(reaches(pair[0], pair[1]), "hosts 0 and 1 keep forwarding while host 2 is down");
        ok(weft[2].run(Duration.ofSeconds(120), "start"));
        poll("host 2's peers back in host 0's forwarding table", Duration.ofSeconds(30),
                () -> command("bridge", "-n", segment, "fdb", "show", "dev", "vxlan0").contains(downAddress));
        String[] back = pairAcross(0, 2);
        poll("host 0 reaches host 2 again", Duration.ofSeconds(20),
                () -> reaches(back[0], back[1]));
        assertNoDuplicateAddresses();
        String keys = etcd.etcdctl(0, "get", "--prefix", "--keys-only", prefix + "endpoints/");
        long published = keys.lines().filter(l -> !l.isBlank()).count();
        assertTrue(published >= HOSTS * PER_HOST, "every sandbox published again, none lost: " + published);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private interface HostWork<T> {
        T on(int host) throws Exception;
    }

    private <T> List<T> onEachHost(HostWork<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(HOSTS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < HOSTS; i++) {
                int h = i;
                futures.add(pool.submit((Callable<T>) () -> work.on(h)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private TestSandbox create(int host, String shortName, String network) throws Exception {
        TestSandbox s = oracle.adopt(shortName);
        ok(weft[host].run("sandbox:create", "--network", network, s.name()));
        return s;
    }

    private static String eth0(TestSandbox s) {
        return address(s, "eth0");
    }

    private static String address(TestSandbox s, String link) {
        Matcher m = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(s.ip("-4", "-o", "addr", "show", "dev", link));
        assertTrue(m.find(), "no IPv4 address on " + link + " of " + s.name());
        return m.group(1);
    }

    /** Which of two listeners accepted the connection (a line is written and the accepting side named). */
    private static String whoAnswered(TcpConnection c, TcpListener r, TcpListener b, TestSandbox red, TestSandbox blue) {
        c.writeLine("who");
        if (r.awaitConnection(Duration.ofSeconds(3)) != null) {
            return red.name();
        }
        if (b.awaitConnection(Duration.ofSeconds(1)) != null) {
            return blue.name();
        }
        return "nobody";
    }

    private static boolean awaitDatagram(UdpListener l, String payload) {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (l.datagrams().stream().anyMatch(d -> d.payload().equals(payload))) {
                return true;
            }
            l.awaitDatagram(Duration.ofMillis(100));
        }
        return false;
    }

    /** Whether sandbox {@code from} reaches {@code to}'s overlay address with TCP now. */
    private boolean reaches(String from, String to) {
        try (TcpListener l = sandboxes.get(to).listenTcp(7300)) {
            return sandboxes.get(from).canConnectTcp(addressOf.get(to), 7300, Duration.ofSeconds(3));
        }
    }

    private String[] pairAcross(int a, int b) {
        String from = null;
        String to = null;
        for (Map.Entry<String, Integer> e : hostOf.entrySet()) {
            if (e.getValue() == a && from == null) {
                from = e.getKey();
            } else if (e.getValue() == b && to == null) {
                to = e.getKey();
            }
        }
        assertTrue(from != null && to != null, "sandboxes on hosts " + a + " and " + b);
        return new String[] {from, to};
    }

    /** The overlay driver's namespace of {@code network} on a host ({@code <linkPrefix>ov-<12 of the id>}). */
    private String segmentOf(int host, String network) throws Exception {
        String id = inspectField(weft[host], network, "Id");
        String name = "c" + host + oracle.id().substring(0, 2) + "ov-" + id.substring(0, 12);
        assertTrue(Files.exists(Path.of("/run/netns", name)), "no overlay namespace " + name);
        return name;
    }

    private static String inspectField(Weft w, String network, String key) throws Exception {
        String out = ok(w.run("network:inspect", network)).out();
        Matcher m = Pattern.compile("\"" + key + "\": \"([^\"]+)\"").matcher(out);
        assertTrue(m.find(), key + " in " + out);
        return m.group(1);
    }

    private String inspectOption(Weft w, String network, String key) throws Exception {
        String out = ok(w.run("network:inspect", network)).out();
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": \"([^\"]+)\"").matcher(out);
        assertTrue(m.find(), key + " in " + out);
        return m.group(1);
    }

    private void assertNoDuplicateAddresses() {
        Set<String> seen = new HashSet<>();
        for (TestSandbox s : sandboxes.values()) {
            String a = eth0(s);
            assertTrue(seen.add(a), "address " + a + " twice (" + s.name() + ")");
            assertEquals(addressOf.get(s.name()), a, s.name() + " kept its address");
        }
    }

    private static void refused(Weft.Result r, String named) {
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains(named), "the error names " + named + ": " + r);
    }

    private static String command(String... args) {
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", args) + ": " + out);
            }
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Weft.Result ok(Weft.Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void poll(String what, Duration limit, Check check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
