package dev.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole runtime as people use it, only through {@code ./weft} and the kernel's own tools
 * ({@code ip}): a new user's walk-through, bad input, a third-party driver dropped into
 * {@code deploy/} and taken away again, and a {@code kill -9} with a restart. Each test runs its
 * own instance on a throwaway host namespace ({@link PrivateInstance}) and ends with the test
 * kit's check that the machine is as it was.
 */
class WeftRuntimeIT {
    private static final int PORT = 8080;

    @BeforeAll
    static void asRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "the runtime runs as root");
    }

    @Test
    void aNewUserWalksThroughAndPurgeLeavesTheMachineAsBefore() throws Exception {
        try (PrivateInstance it = PrivateInstance.create()) {
            Weft weft = it.weft;
            Weft.Result started = it.start();
            System.out.printf("[weft-it] ./weft start to the first answered network:list: %d ms wall clock; "
                    + "the script says: %s%n", started.took().toMillis(), started.out().trim());

            Weft.Result networks = ok(weft.run("network:list"));
            assertEquals(Map.of("bridge", "yes", "host", "yes", "none", "yes"), networks(networks), networks::toString);
            Weft.Result drivers = ok(weft.run("driver:list"));
            assertEquals(Map.of("bridge", "yes", "cni", "yes", "container", "yes", "host", "yes", "macvlan", "yes", "null", "yes",
                    "overlay", "yes"),
                    drivers(drivers), drivers::toString);
            // listed from the moment its record is written; its bridge follows within milliseconds
            poll("the predefined bridge network's bridge weft0", Duration.ofSeconds(5), () -> it.hostLinks().contains("weft0"));

            TestSandbox a = it.sandbox("a");
            Weft.Result created = ok(weft.run("sandbox:create", "--network", "none", a.name()));
            assertTrue(created.out().strip().matches("[0-9a-f]{64}"), created::toString);
            List<String> links = sh("ip", "netns", "exec", a.name(), "ip", "-o", "link").lines().toList();
            assertEquals(1, links.size(), () -> "only lo in a sandbox on none: " + links);
            assertTrue(links.get(0).matches("1: lo: <LOOPBACK,UP,LOWER_UP>.*"), links::toString);
            assertTrue(ok(weft.run("sandbox:list")).out().contains(a.name()));

            ok(weft.run("sandbox:remove", a.name()));
            assertFalse(Files.exists(Path.of("/run/netns", a.name())), "sandbox:remove left the namespace");
            assertFalse(ok(weft.run("sandbox:list")).out().contains(a.name()));

            // each driver is a feature of its own: it goes away (its network stays, unavailable)
            // and comes back, over the CLI and without a shell refresh cutting the command
            ok(weft.run("feature:uninstall", "weft-driver-null"));
            poll("none unavailable", Duration.ofSeconds(10),
                    () -> "no".equals(networks(weft.run("network:list")).get("none")));
            ok(weft.run("feature:install", "weft-driver-null"));
            poll("none available again", Duration.ofSeconds(10),
                    () -> "yes".equals(networks(weft.run("network:list")).get("none")));
            // host too: core knows no network by name, so host is a network like any other
            ok(weft.run("feature:uninstall", "weft-driver-host"));
            poll("host unavailable", Duration.ofSeconds(10),
                    () -> "no".equals(networks(weft.run("network:list")).get("host")));
            TestSandbox h = it.sandbox("h");
            assertRefused(weft.run("sandbox:create", "--network", "host", h.name()),
                    "network \"host\" is unavailable: its driver \"host\"");
            ok(weft.run("feature:install", "weft-driver-host"));
            poll("host available again", Duration.ofSeconds(10),
                    () -> "yes".equals(networks(weft.run("network:list")).get("host")));
            ok(weft.run("sandbox:create", "--network", "host", h.name()));
            assertTrue(ok(weft.run("sandbox:list")).out().lines().anyMatch(l -> l.startsWith(h.name() + " ")
                    && l.contains("host")), "a sandbox on host once its driver is back");
            ok(weft.run("sandbox:remove", h.name()));
            // container: the mode goes with its driver's feature, and comes back with it
            ok(weft.run("feature:uninstall", "weft-driver-container"));
            poll("the container driver gone", Duration.ofSeconds(10),
                    () -> !drivers(weft.run("driver:list")).containsKey("container"));
            TestSandbox sharer = it.sandbox("sharer");
            assertRefused(weft.run("sandbox:create", "--network", "container:web", sharer.name()),
                    "needs the network driver \"container\", which is not installed");
            ok(weft.run("feature:install", "weft-driver-container"));
            poll("the container driver back", Duration.ofSeconds(10),
                    () -> drivers(weft.run("driver:list")).containsKey("container"));

            publishOnTheDefaultBridgeAndReapplyAfterAFlush(it);

            // macvlan: a veth of the host plays the parent, its other end a LAN holding the router
            TestSandbox lan = it.host.sandbox("mlan");
            it.host.link("mvp0", null, lan, "eth0", "10.88.0.1/24");
            String parentBefore = parent(it);
            ok(weft.run("network:create", "-d", "macvlan", "-o", "parent=mvp0", "--subnet", "10.88.0.0/24",
                    "--gateway", "10.88.0.1", "mv"));
            TestSandbox m = it.sandbox("m");
            ok(weft.run("sandbox:create", "--network", "mv", m.name()));
            try (TcpListener l = lan.listenTcp(7000); TcpConnection c = m.connectTcp("10.88.0.1", 7000)) {
                assertEquals("10.88.0.2", c.peerSeenBy(l), "the LAN sees the sandbox's own address: no NAT");
            }
            assertTrue(m.ip("-d", "link", "show", "eth0").contains("macvlan mode bridge"));
            String hostLinks = it.host.ip("-d", "link", "show");
            assertFalse(hostLinks.contains("macvlan"), () -> "the sandbox's link was born in it, never on the host: "
                    + hostLinks);
            assertTrue(ok(weft.run("network:inspect", "mv")).out().contains("\"HostAccess\""));

            measureRoundTrip(weft);

            ok(weft.run("stop"));
            assertEquals(3, weft.run("status").exit());
            Weft.Result purged = ok(weft.run("purge"));
            // the kernel destroys the purged namespace, and with it the macvlan link, in its cleanup worker
            poll("purge leaves a macvlan network's parent as it was: " + parentBefore, Duration.ofSeconds(5),
                    () -> parentBefore.equals(parent(it)));
            for (Path p : List.of(weft.home, weft.runDir, weft.stateDir)) {
                assertFalse(Files.exists(p), () -> p + " is left after ./weft purge: " + purged);
            }
            assertFalse(Files.exists(it.etcNetnsDir), "the instance's /etc/netns directory is left");
            // PrivateInstance.close(): the test kit compares namespaces, links, nft tables and mounts with before
        }
    }

    @Test
    void badInputIsRefusedWithOneLineNamingTheValue() throws Exception {
        try (PrivateInstance it = PrivateInstance.create()) {
            Weft weft = it.weft;
            it.start();

            Weft.Result subnet = weft.run("network:create", "--subnet", "10.0.0.0/33", "x");
            assertRefused(subnet, "10.0.0.0/33");
            Weft.Result predefined = weft.run("network:remove", "host");
            assertRefused(predefined, "\"host\" is predefined");
            TestSandbox y = it.sandbox("y");
            Weft.Result container = weft.run("sandbox:create", "--network", "container:foo", y.name());
            assertRefused(container, "--network container:foo: no sandbox \"foo\" (see sandbox:list)");
            assertFalse(Files.exists(Path.of("/run/netns", y.name())), "a refused sandbox has no namespace");
            Weft.Result driver = weft.run("network:create", "-d", "nosuch", "z");
            assertRefused(driver, "\"nosuch\"");
            Weft.Result unknown = weft.run("network:nosuch");
            assertEquals(127, unknown.exit(), unknown::toString);
            // Karaf takes a word starting with "-" for an option, also after "--" (it has no end of options)
            for (List<String> line : List.of(List.of("network:create", "--", "-x"), List.of("network:create", "-x"),
                    List.of("sandbox:create", "-x"))) {
                Weft.Result dash = weft.run(line.toArray(String[]::new));
                String command = line.get(0);
                assertRefused(dash, "\"" + line.get(1) + "\" is not an option of " + command);
                assertTrue(dash.err().contains("a name (of a network, a sandbox) starts with a letter or a digit")
                        && dash.err().contains("./weft " + command + " --help"), dash::toString);
            }

            assertEquals(Map.of("bridge", "yes", "host", "yes", "none", "yes"), networks(ok(weft.run("network:list"))),
                    "a refused request leaves nothing behind");
        }
    }

    @Test
    void aDriverDroppedIntoDeployServesWithinTwoSecondsAndSurvivesItsRemoval() throws Exception {
        try (PrivateInstance it = PrivateInstance.create()) {
            Weft weft = it.weft;
            it.start();

            long tookMs = deploySample(weft);
            System.out.printf("[weft-it] driver sample listed %d ms after its jar landed in deploy/%n", tookMs);
            assertTrue(tookMs <= 2000, "driver sample was listed only after " + tookMs + " ms");

            String id = ok(weft.run("network:create", "-d", "sample", "--subnet", "10.91.0.0/24", "s1")).out().strip();
            String bridge = it.linkPrefix + "s" + id.substring(0, 8);
            TestSandbox a = it.sandbox("a");
            ok(weft.run("sandbox:create", "--network", "s1", a.name()));
            assertTrue(ipv4Of(a).contains("10.91.0.2/24"), () -> ipv4Of(a));

            Files.delete(deployed(weft));
            poll("driver sample gone", Duration.ofSeconds(10),
                    () -> "no".equals(drivers(weft.run("driver:list")).get("sample")));
            assertEquals("no", networks(ok(weft.run("network:list"))).get("s1"), "s1 is listed unavailable");
            TestSandbox b = it.sandbox("b");
            Weft.Result refused = weft.run("sandbox:create", "--network", "s1", b.name());
            assertRefused(refused, "driver \"sample\"");
            assertTrue(refused.err().contains("not installed"), refused::toString);
            assertFalse(Files.exists(Path.of("/run/netns", b.name())), "a refused sandbox has no namespace");
            assertTrue(it.hostLinks().contains(bridge), () -> "the bridge must stay while its driver is away: "
                    + it.hostLinks());

            long backMs = deploySample(weft);
            System.out.printf("[weft-it] driver sample back %d ms after its jar was put back%n", backMs);
            TestSandbox c = it.sandbox("c");
            ok(weft.run("sandbox:create", "--network", "s1", c.name()));
            assertTrue(ipv4Of(c).contains("10.91.0."), () -> ipv4Of(c));
            assertTrue(ipv4Of(a).contains("10.91.0.2/24"), "the first sandbox keeps its address: " + ipv4Of(a));
            assertEquals(1, it.hostLinks().stream().filter(bridge::equals).count());
            try (TcpListener listener = a.listenTcp(PORT); TcpConnection connection = c.connectTcp("10.91.0.2", PORT)) {
                assertTrue(connection.peerSeenBy(listener).startsWith("10.91.0."), "c reaches a over the re-adopted bridge");
            }
        }
    }

    /**
     * A third party's IPAM driver through {@code ./weft}: the sample IPAM driver's jar dropped into
     * {@code deploy/} serves {@code --ipam-driver fixed} on the bridge driver; two sandboxes get the
     * addresses of its list, in its order, and talk. Unknown and unusable IPAM drivers are refused
     * on one line naming the value.
     */
    @Test
    void anIpamDriverDroppedIntoDeployGivesABridgeNetworksSandboxesItsAddresses() throws Exception {
        try (PrivateInstance it = PrivateInstance.create()) {
            Weft weft = it.weft;
            it.start();
            assertEquals(Map.of("default", "yes", "null", "yes"), drivers(ok(weft.run("driver:list", "--ipam"))));
            Path jar = Path.of(PrivateInstance.property("weft.ipam.jar"));
            Path staged = Files.copy(jar, weft.home.resolve("ipam-sample.jar.part"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(staged, weft.home.resolve("runtime/deploy/ipam-sample.jar"), StandardCopyOption.ATOMIC_MOVE);
            poll("IPAM driver fixed available", Duration.ofSeconds(20),
                    () -> "yes".equals(drivers(weft.run("driver:list", "--ipam")).get("fixed")));

            assertRefused(weft.run("network:create", "--ipam-driver", "nosuch", "x"),
                    "no IPAM driver \"nosuch\" is installed; installed IPAM drivers: default, fixed, null");
            assertRefused(weft.run("network:create", "--ipam-driver", "null", "x"),
                    "the bridge driver needs addresses and IPAM driver \"null\" gives none");
            assertRefused(weft.run("network:create", "--ipam-driver", "fixed", "--ipam-opt", "addresses=10.94.0.5", "x"),
                    "IPAM driver \"fixed\" picks no subnets: give one with --subnet");
            assertRefused(weft.run("network:create", "--ipam-opt", "color=red", "x"),
                    "option \"color\" is not supported: the default IPAM accepts no options");

            ok(weft.run("network:create", "--ipam-driver", "fixed", "--ipam-opt", "addresses=10.94.0.50,10.94.0.40",
                    "--subnet", "10.94.0.0/24", "lab"));
            String inspect = ok(weft.run("network:inspect", "lab")).out();
            assertTrue(inspect.contains("\"Driver\": \"fixed\"") && inspect.contains("\"addresses\": \"10.94.0.50,10.94.0.40\""),
                    inspect);
            TestSandbox a = it.sandbox("a");
            TestSandbox b = it.sandbox("b");
            ok(weft.run("sandbox:create", "--network", "lab", a.name()));
            ok(weft.run("sandbox:create", "--network", "lab", b.name()));
            assertTrue(ipv4Of(a).contains("inet 10.94.0.50/24"), () -> ipv4Of(a));
            assertTrue(ipv4Of(b).contains("inet 10.94.0.40/24"), () -> ipv4Of(b));
            try (TcpListener listener = b.listenTcp(PORT); TcpConnection connection = a.connectTcp("10.94.0.40", PORT)) {
                assertEquals("10.94.0.50", connection.peerSeenBy(listener));
            }
            try (TcpListener listener = a.listenTcp(PORT); TcpConnection connection = b.connectTcp("10.94.0.50", PORT)) {
                assertEquals("10.94.0.40", connection.peerSeenBy(listener));
            }
            ok(weft.run("sandbox:remove", a.name(), b.name()));
            ok(weft.run("network:remove", "lab"));
        }
    }

    @Test
    void afterKillDashNineARestartFindsEverythingAsBefore() throws Exception {
        try (PrivateInstance it = PrivateInstance.create()) {
            Weft weft = it.weft;
            it.start();
            deploySample(weft);
            ok(weft.run("network:create", "-d", "sample", "--subnet", "10.92.0.0/24", "s1"));
            TestSandbox a = it.sandbox("a");
            TestSandbox b = it.sandbox("b");
            TestSandbox c = it.sandbox("c");
            ok(weft.run("sandbox:create", "--network", "s1", a.name()));
            ok(weft.run("sandbox:create", "--network", "s1", b.name()));
            ok(weft.run("sandbox:create", "--network", "none", c.name()));
            TestSandbox s = it.sandbox("s"); // shares a's namespace (Docker's --network container:a)
            ok(weft.run("sandbox:create", "--network", "container:" + a.name(), s.name()));
            String networks = ok(weft.run("network:list")).out();
            String sandboxes = ok(weft.run("sandbox:list")).out();
            assertTrue(sandboxes.lines().anyMatch(l -> l.startsWith(s.name() + " ") && l.contains("container:" + a.name())),
                    sandboxes);
            List<String> namespaces = it.sandboxNamespaces();
            assertEquals(List.of(a.name(), b.name(), c.name(), s.name()), namespaces);
            assertEquals(inode(a), inode(s), "s's name pins a's namespace");

            killDashNine(it);
            // While the runtime is down, someone removes b's namespace (its veth goes with it).
            sh("ip", "netns", "delete", b.name());
            List<String> linksWhileDown = settledHostLinks(it);
            assertEquals(4, linksWhileDown.size(), () -> "lo, weft0, s1's bridge and a's veth: " + linksWhileDown);

            Weft.Result restarted = it.start();
            System.out.printf("[weft-it] ./weft start after kill -9: %d ms wall clock%n", restarted.took().toMillis());
            awaitSample(weft);                              // deploy/'s bundle comes back on its own time
            assertEquals(networks, ok(weft.run("network:list")).out(), "networks after the restart");
            String after = ok(weft.run("sandbox:list")).out();
            assertEquals(without(sandboxes, b.name()), after, "sandboxes after the restart");
            assertEquals(List.of(a.name(), c.name(), s.name()), it.sandboxNamespaces(), "namespaces after the restart");
            assertEquals(linksWhileDown, it.hostLinks(), "links after the restart: none duplicated, none leaked");
            assertTrue(ipv4Of(a).contains("10.92.0.2/24"), () -> ipv4Of(a));
            assertTrue(ipv4Of(s).contains("10.92.0.2/24"), () -> "the share survives kill -9: " + ipv4Of(s));
            assertEquals(inode(a), inode(s));
            assertRefused(weft.run("sandbox:remove", a.name()), "sandbox \"" + a.name() + "\" is shared by " + s.name());

            // A crash between a kernel change and its record (core's crash point), then a normal start.
            weft.with("WEFT_JAVA_OPTS", "-Dweft.test.crash-at=endpoint-joined");
            ok(weft.run("stop"));
            it.start();
            weft.with("WEFT_JAVA_OPTS", null);
            awaitSample(weft);
            TestSandbox d = it.sandbox("d");
            Weft.Result crashed = weft.run("sandbox:create", "--network", "s1", d.name());
            assertEquals(70, crashed.exit(), () -> "the runtime should halt at the crash point: " + crashed);
            long pid = weft.pidFromFile();
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            it.start();
            awaitSample(weft);
            assertEquals(after, ok(weft.run("sandbox:list")).out(), "the half-made sandbox is not listed");
            assertEquals(List.of(a.name(), c.name(), s.name()), it.sandboxNamespaces(),
                    "the half-made sandbox's namespace is gone");
            assertEquals(linksWhileDown, settledHostLinks(it), "the half-made endpoint's veth is gone");

            // A crash after the bridge driver's element batch for the first sandbox of a new
            // network, before the record says its endpoint is ready: after a restart no element
            // sends the port to the address, which a later sandbox is given.
            ok(weft.run("network:create", "--subnet", "10.93.0.0/24", "p1"));
            weft.with("WEFT_JAVA_OPTS", "-Dweft.test.crash-at=endpoint-published");
            ok(weft.run("stop"));
            it.start();
            weft.with("WEFT_JAVA_OPTS", null);
            awaitSample(weft);
            TestSandbox e = it.sandbox("e");
            Weft.Result halted = weft.run("sandbox:create", "--network", "p1", "-p", "18081:80", e.name());
            assertEquals(70, halted.exit(), () -> "the runtime should halt after publishing: " + halted);
            ProcessHandle.of(weft.pidFromFile()).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            String leftByTheCrash = it.host.exec("nft", "list", "map", "inet", it.nftTable, "pub_any");
            assertTrue(leftByTheCrash.contains("10.93.0.2 . 80"), () -> "the crash came after the batch: " + leftByTheCrash);
            it.start();
            awaitSample(weft);
            String map = it.host.exec("nft", "list", "map", "inet", it.nftTable, "pub_any");
            assertFalse(map.contains("10.93.0.2"), () -> "no element of the half-made endpoint is left: " + map);
            TestSandbox g = it.sandbox("g");
            ok(weft.run("sandbox:create", "--network", "p1", "--ip", "10.93.0.2", g.name()));
            try (TcpListener listener = g.listenTcp(80)) {
                assertFalse(it.host.canConnectTcp("127.0.0.1", 18081, Duration.ofMillis(700)),
                        "the half-made sandbox's port must not reach the sandbox later given its address");
            }
            ok(weft.run("sandbox:remove", g.name()));
            ok(weft.run("network:remove", "p1"));
        }
    }

    /**
     * Names on a user network, through ./weft and the real libc resolver inside the sandboxes
     * (getent, with the sandbox's resolv.conf and hosts mounted over /etc as {@code ip netns exec}
     * mounts them): a name resolves the moment sandbox:create returns; after kill -9 and a restart
     * the same names resolve; the weft-dns feature uninstalled, names stop and traffic goes on (the
     * resolv.conf names the host's resolvers again); installed, names are back. The host
     * namespace's own resolv.conf names a resolver on its loopback where nothing listens, so no
     * forwarded query leaves the test's namespaces.
     */
    @Test
    void namesResolveFromInsideSandboxesAcrossKillDashNineAndFollowTheDnsFeature() throws Exception {
        try (PrivateInstance it = PrivateInstance.create()) {
            Weft weft = it.weft;
            Path hostConf = it.etcNetnsDir.resolve(it.host.path().getFileName().toString()).resolve("resolv.conf");
            Files.createDirectories(hostConf.getParent());
            Files.writeString(hostConf, "nameserver 127.0.0.53\n");
            it.start();
            ok(weft.run("network:create", "--subnet", "10.94.0.0/24", "names"));
            TestSandbox a = it.sandbox("a");
            TestSandbox b = it.sandbox("b");
            ok(weft.run("sandbox:create", "--network", "names", "--alias", "db", "--hostname", "alpha", a.name()));
            ok(weft.run("sandbox:create", "--network", "names", b.name()));
            assertEquals("10.94.0.2", resolve(it, b, a.name()), "a's name, right after sandbox:create returned");
            for (String name : List.of("db", "alpha", a.name() + ".names", a.name() + ".weft.internal")) {
                assertEquals("10.94.0.2", resolve(it, b, name), name);
            }
            assertEquals("10.94.0.3", resolve(it, a, b.name()));
            String inspect = ok(weft.run("sandbox:inspect", a.name())).out();
            assertTrue(inspect.contains("\"DNSNames\"") && inspect.contains("\"alpha\""), inspect);
            assertTrue(ok(weft.run("network:inspect", "names")).out().contains("\"NameResolution\""));

            killDashNine(it);
            it.start();
            poll("a's name again after kill -9 and a restart", Duration.ofSeconds(10),
                    () -> "10.94.0.2".equals(resolve(it, b, a.name())));

            ok(weft.run("feature:uninstall", "weft-dns"));
            poll("names stop with the feature gone", Duration.ofSeconds(10), () -> resolve(it, b, a.name()).isEmpty());
            try (TcpListener l = a.listenTcp(7000); TcpConnection c = b.connectTcp("10.94.0.2", 7000)) {
                assertEquals("10.94.0.3", c.peerSeenBy(l), "traffic goes on without names");
            }
            ok(weft.run("feature:install", "weft-dns"));
            poll("names back with the feature", Duration.ofSeconds(10),
                    () -> "10.94.0.2".equals(resolve(it, b, a.name())));
            ok(weft.run("sandbox:remove", a.name()));
            assertEquals("", resolve(it, b, a.name()), "gone the moment sandbox:remove returned");
        }
    }

    /**
     * The first address {@code getent hosts NAME} gives inside the sandbox, with its resolver files
     * where {@code ip netns exec} would mount them (the instance keeps them in its own directory);
     * empty when the name does not resolve.
     */
    static String resolve(PrivateInstance it, TestSandbox s, String name) throws Exception {
        Path files = it.etcNetnsDir.resolve(s.name());
        String script = "mount --bind " + files.resolve("resolv.conf") + " /etc/resolv.conf && mount --bind "
                + files.resolve("hosts") + " /etc/hosts && exec nsenter --net=/run/netns/" + s.name()
                + " getent hosts " + name;
        Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "getent did not end");
        return p.exitValue() == 0 ? out.strip().split("\\s+")[0] : "";
    }

    /**
     * Installing Karaf's ssh feature opens no root shell: the server stays off until an operator
     * turns it on (etc/system.properties), and then listens on loopback only, proven by
     * connecting to 127.0.0.1 and 127.0.0.2. The restart also takes WEFT_HEAP.
     */
    @Test
    void karafsSshServerStaysOffAndThenListensOnLoopbackOnly() throws Exception {
        try (PrivateInstance it = PrivateInstance.create()) {
            Weft weft = it.weft;
            it.start();
            Path system = weft.home.resolve("runtime/system");
            Path repository = Path.of(PrivateInstance.property("weft.ssh.repository"));
            try (Stream<Path> files = Files.walk(repository)) {       // the ssh feature, offline
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path target = system.resolve(repository.relativize(file).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            int port = freeLoopbackPort();
            ok(weft.run("config:property-set", "-p", "org.apache.karaf.shell", "sshPort", Integer.toString(port)));
            // -r: no refresh of the bundles already there, which would restart the shell and cut this command
            ok(weft.run(Duration.ofSeconds(120), "feature:install", "-r", "ssh"));
            poll("the ssh bundle active", Duration.ofSeconds(20), () -> weft.run("bundle:list", "-s", "-t", "0").out().lines()
                    .anyMatch(l -> l.contains("Active") && l.strip().endsWith(" org.apache.karaf.shell.ssh")));
            Thread.sleep(1000);                                      // time to bind, if it were to
            assertFalse(answers("127.0.0.1", port), "the ssh server must stay off unless turned on");
            assertFalse(answers("127.0.0.2", port), "the ssh server must stay off unless turned on");

            ok(weft.run("stop"));
            Path systemProperties = weft.home.resolve("runtime/etc/system.properties");
            String properties = Files.readString(systemProperties).replaceAll("(?m)^karaf\\.override\\.karaf\\.startRemoteShell.*\\n", "");
            Files.writeString(systemProperties, properties + "karaf.override.karaf.startRemoteShell = true\n");
            weft.with("WEFT_HEAP", "300m");
            it.start();
            poll("the ssh server answers on 127.0.0.1:" + port, Duration.ofSeconds(30), () -> answers("127.0.0.1", port));
            assertFalse(answers("127.0.0.2", port), "the ssh server listens on 127.0.0.1 only, not on every address");
            long maxKbytes = WeftCliIT.maxHeapKbytes(weft);
            assertTrue(maxKbytes > 0 && maxKbytes <= 300 * 1024, () -> "WEFT_HEAP=300m, maximum heap " + maxKbytes + " kbytes");
        }
    }

    /** True when something accepts a TCP connection on host:port and greets (an ssh server says "SSH-2.0-…"). */
    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(5000);
            byte[] greeting = socket.getInputStream().readNBytes(4);
            return new String(greeting, StandardCharsets.US_ASCII).equals("SSH-");
        } catch (java.io.IOException e) {
            return false;                                           // refused: nothing listens there
        }
    }

    private static int freeLoopbackPort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * The README's bridge example: a sandbox on the predefined bridge network publishes port 80 as
     * 18080; a machine on the host's LAN (an "outside" namespace linked to the test host) reaches
     * its listener through the host's address and is seen with its own address (DNAT, no proxy).
     * {@code nft flush ruleset} in the host namespace cuts that; {@code ./weft network:reapply}
     * restores it.
     */
    private static void publishOnTheDefaultBridgeAndReapplyAfterAFlush(PrivateInstance it) throws Exception {
        Weft weft = it.weft;
        TestSandbox web = it.sandbox("web");
        ok(weft.run("sandbox:create", "-p", "18080:80", web.name()));
        assertTrue(ok(weft.run("sandbox:list")).out().lines().anyMatch(l -> l.startsWith(web.name() + " ")
                && l.contains("bridge")), "web is on the bridge network");
        String address = ipv4Of(web);
        assertTrue(address.contains("inet 172.17.0.2/"), () -> "web's address on bridge: " + address);
        // The listener: a real process in the sandbox, telling each client who it saw.
        web.spawn("socat", "TCP-LISTEN:80,reuseaddr,fork", "SYSTEM:echo web sees $SOCAT_PEERADDR");
        TestSandbox lan = it.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        poll("the published port answers from outside", Duration.ofSeconds(10), () -> ask(lan).startsWith("web"));
        assertEquals("web sees 10.99.0.2", ask(lan), "DNAT keeps the client's address");

        it.host.exec("nft", "flush", "ruleset");
        assertFalse(ask(lan).startsWith("web"), "after the flush the port no longer reaches the sandbox");
        Weft.Result reapplied = ok(weft.run("network:reapply"));
        assertEquals(List.of("reapplied: bridge", "reapplied: cni", "reapplied: overlay"), reapplied.out().lines().toList(),
                reapplied::toString);
        assertEquals("web sees 10.99.0.2", ask(lan), "network:reapply restores the published port");
        assertEquals(List.of("reapplied: bridge", "reapplied: cni", "reapplied: overlay"),
                ok(weft.run("network:reapply")).out().lines().toList(), "reapply twice is harmless");
        assertEquals("web sees 10.99.0.2", ask(lan));

        ok(weft.run("sandbox:remove", web.name()));
        assertFalse(ask(lan).startsWith("web"), "a removed sandbox's port is gone");
    }

    /** What the host's published port 18080 answers a client in {@code lan} ("" when nothing does). */
    private static String ask(TestSandbox lan) {
        return lan.tryExec("socat", "-T", "2", "-", "TCP:10.99.0.1:18080,connect-timeout=2").stdout().strip();
    }

    /** Drops the sample driver's jar into deploy/ (atomically, as a finished copy) and returns when it serves. */
    private static long deploySample(Weft weft) throws Exception {
        Path jar = Path.of(PrivateInstance.property("weft.sample.jar"));
        Path staged = Files.copy(jar, weft.home.resolve("driver-sample.jar.part"), StandardCopyOption.REPLACE_EXISTING);
        long start = System.nanoTime();
        Files.move(staged, deployed(weft), StandardCopyOption.ATOMIC_MOVE);
        awaitSample(weft);
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void awaitSample(Weft weft) throws Exception {
        poll("driver sample available", Duration.ofSeconds(20),
                () -> "yes".equals(drivers(weft.run("driver:list")).get("sample")));
    }

    private static Path deployed(Weft weft) {
        return weft.home.resolve("runtime/deploy/driver-sample.jar");
    }

    /** SIGKILL to the Karaf JVM, by the pid ./weft status prints; returns once it is gone. */
    private static void killDashNine(PrivateInstance it) throws Exception {
        long pid = it.pidFromStatus();
        sh("kill", "-9", Long.toString(pid));
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        assertEquals(3, it.weft.run("status").exit());
    }

    /** Host links once the kernel has finished destroying links of deleted namespaces (asynchronous). */
    private static List<String> settledHostLinks(PrivateInstance it) throws InterruptedException {
        List<String> last = it.hostLinks();
        for (int i = 0; i < 40; i++) {
            Thread.sleep(50);
            List<String> now = it.hostLinks();
            if (now.equals(last) && i >= 4) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static void measureRoundTrip(Weft weft) throws Exception {
        for (int i = 0; i < 5; i++) {
            weft.run("network:list");
        }
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            micros.add(ok(weft.run("network:list")).took().toNanos() / 1000);
        }
        micros.sort(Comparator.naturalOrder());
        System.out.printf("[weft-it] ./weft network:list round trip (31 runs, from Java: script + C client + command):"
                + " median %.2f ms, min %.2f ms, max %.2f ms%n", micros.get(15) / 1000.0, micros.get(0) / 1000.0,
                micros.get(30) / 1000.0);
    }

    private static Weft.Result ok(Weft.Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    /** Exit 1, nothing on stdout, one line on stderr that contains {@code expected}. */
    private static void assertRefused(Weft.Result r, String expected) {
        assertEquals(1, r.exit(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertEquals(1, r.err().strip().lines().count(), () -> "one line: " + r);
        assertTrue(r.err().contains(expected), () -> "expected \"" + expected + "\" in: " + r);
    }

    /** NAME -> AVAILABLE of network:list. */
    private static Map<String, String> networks(Weft.Result r) {
        return column(r, 1);
    }

    /** NAME -> AVAILABLE of driver:list. */
    private static Map<String, String> drivers(Weft.Result r) {
        return column(r, 0);
    }

    private static Map<String, String> column(Weft.Result r, int nameColumn) {
        Map<String, String> out = new LinkedHashMap<>();
        r.out().lines().skip(1).map(l -> l.strip().split("\\s+")).filter(c -> c.length > nameColumn)
                .forEach(c -> out.put(c[nameColumn], c[c.length - 1]));
        return out;
    }

    private static String without(String table, String name) {
        return String.join("", table.lines().filter(l -> !l.startsWith(name + " ")).map(l -> l + "\n").toList());
    }

    /** The macvlan parent mvp0 as {@code ip -d link} shows it, without its state (carrier comes and goes). */
    private static String parent(PrivateInstance it) {
        return it.host.ip("-d", "link", "show", "mvp0").replaceAll(" state [A-Z]+ ", " ").replaceAll("<[^>]*>", "");
    }

    private static long inode(TestSandbox s) throws IOException {
        return ((Number) Files.getAttribute(s.path(), "unix:ino")).longValue();
    }

    private static String ipv4Of(TestSandbox s) {
        return sh("ip", "netns", "exec", s.name(), "ip", "-o", "-4", "addr", "show", "dev", "eth0");
    }

    /** Runs a command, asserts it succeeds, returns its stdout. */
    static String sh(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), () -> String.join(" ", command) + " did not end");
            assertEquals(0, p.exitValue(), () -> String.join(" ", command) + ":\n" + out);
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void poll(String what, Duration limit, Check check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + limit);
            }
            Thread.sleep(50);
        }
    }
}
