package dev.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.testkit.OtherUser;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local CLI as a person uses it: {@code ./weft start}, commands through the local socket,
 * {@code ./weft stop}, {@code ./weft purge}. One private instance for the class, on a throwaway
 * host namespace ({@link PrivateInstance}); it is purged (stopped, its kernel objects and
 * directories removed) also when a test fails. Weft's own commands: {@link WeftRuntimeIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WeftCliIT {

    /** Workers of the local CLI in the shipped etc/dev.weft.cli.cfg. */
    private static final int WORKERS = 8;

    private PrivateInstance instance;
    private Weft weft;

    @BeforeAll
    void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the runtime runs as root");
        instance = PrivateInstance.create();
        weft = instance.weft;
        // The temporary directory is 0700; 0711 lets other users walk to what Weft made (not list
        // it), so the tests below see Weft's own modes stop them, not this directory's.
        Files.setPosixFilePermissions(instance.dir, PosixFilePermissions.fromString("rwx--x--x"));
        // sandbox namespaces in a directory of the instance's own, which purge must leave unmounted
        weft.with("WEFT_NETNS_DIR", instance.dir.resolve("netns").toString());
        Weft.Result started = instance.start();
        System.out.printf("[weft-it] ./weft start: %d ms wall clock; script says: %s%n",
                started.took().toMillis(), started.out().trim());
    }

    /** Purges the instance (again: a test does it) and checks that the machine is as it was. */
    @AfterAll
    void purge() throws Exception {
        if (instance != null) {
            instance.close();
        }
    }

    @Test
    @Order(10)
    void echoPrintsItsArgument() throws Exception {
        Weft.Result r = weft.run("shell:echo", "hello");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("hello\n", r.out());
    }

    @Test
    @Order(20)
    void weftBundlesAreActive() throws Exception {
        Weft.Result r = weft.run("bundle:list", "-s");
        assertEquals(0, r.exit(), r::toString);
        for (String bundle : List.of("dev.weft.linux", "dev.weft.local-cli", "dev.weft.core", "dev.weft.shell",
                "dev.weft.driver-null", "dev.weft.driver-host", "dev.weft.driver-container", "dev.weft.driver-bridge",
                "dev.weft.driver-macvlan", "dev.weft.driver-cni", "dev.weft.dns", "org.xbill.dns", "dev.weft.driver-overlay", "dev.weft.cluster-etcd")) {
            assertTrue(r.out().lines().anyMatch(l -> l.contains("Active") && l.strip().endsWith(" " + bundle)),
                    () -> bundle + " is not active: " + r);
        }
    }

    /** Karaf's help is bold on a terminal; in a pipe (or a file) it is plain text, no escape codes. */
    @Test
    @Order(25)
    void helpIsPlainTextInAPipeAndBoldOnATerminal() throws Exception {
        Weft.Result piped = weft.run("network:create", "--help");
        assertEquals(0, piped.exit(), piped::toString);
        assertTrue(piped.out().startsWith("DESCRIPTION\n        network:create\n"), piped::toString);
        assertFalse(piped.out().contains("\u001b"), () -> "escape codes in a pipe: " + piped);

        Weft.Result terminal = weft.runOnATerminal(Duration.ofSeconds(30), "network:create", "--help");
        assertEquals(0, terminal.exit(), terminal::toString);
        assertTrue(terminal.out().contains("\u001b[1mDESCRIPTION"), () -> "no bold on a terminal: " + terminal);
    }

    @Test
    @Order(30)
    void unknownCommandExits127WithAMessage() throws Exception {
        Weft.Result r = weft.run("nosuch:command", "x");
        assertEquals(127, r.exit(), r::toString);
        assertTrue(r.err().contains("Command not found: nosuch:command"), r::toString);
    }

    @Test
    @Order(40)
    void otherUsersCannotReachTheSocket() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                weft.home.resolve("bin/weft-client").toString(), "shell:echo", "x").redirectErrorStream(true);
        pb.environment().put("WEFT_SOCKET", weft.runDir.resolve("cli.sock").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(77, p.exitValue(), out);
        assertTrue(out.contains("Permission denied"), out);
    }

    /** Records tell who runs which sandbox where: root's alone, tried as user nobody. */
    @Test
    @Order(45)
    void recordsAreReadableByRootOnly() throws Exception {
        TestSandbox sandbox = instance.sandbox("rec");
        Weft.Result created = weft.run("sandbox:create", "--network", "none", sandbox.name());
        assertEquals(0, created.exit(), created::toString);
        assertTrue(Files.exists(instance.dir.resolve("netns").resolve(sandbox.name())),
                "the sandbox's namespace is named in WEFT_NETNS_DIR");
        Path record = weft.runDir.resolve("sandboxes/" + created.out().strip() + ".json");
        assertTrue(Files.isRegularFile(record), () -> record + " is missing");
        Path network;
        try (Stream<Path> networks = Files.list(weft.stateDir.resolve("networks"))) {
            network = networks.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        try {
            OtherUser.assertDenied("ls", weft.runDir.toString());
            OtherUser.assertDenied("ls", weft.runDir.resolve("sandboxes").toString());
            OtherUser.assertDenied("cat", record.toString());
            OtherUser.assertDenied("ls", weft.stateDir.toString());
            OtherUser.assertDenied("ls", weft.stateDir.resolve("networks").toString());
            OtherUser.assertDenied("cat", network.toString());
            // The run directory may be passed through (0711), e.g. to a socket of the user's group.
            OtherUser.assertAllowed("stat", weft.runDir.resolve("sandboxes").toString());
        } finally {
            Weft.Result removed = weft.run("sandbox:remove", sandbox.name());
            assertEquals(0, removed.exit(), removed::toString);
        }
    }

    @Test
    @Order(50)
    void oneArgumentIsAGogoLine() throws Exception {
        Weft.Result r = weft.run("shell:echo a; shell:echo b");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("a\nb\n", r.out());
    }

    @Test
    @Order(60)
    void furtherArgumentsReachTheCommandIntact() throws Exception {
        Weft.Result r = weft.run("shell:echo", "a;b");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("a;b\n", r.out());

        String special = "x | y; it's \"quoted\" $HOME {z} & ü";
        Weft.Result s = weft.run("shell:echo", special, "");
        assertEquals(0, s.exit(), s::toString);
        assertEquals(special + " \n", s.out());
    }

    @Test
    @Order(70)
    void commandPastTheTimeLimitIsInterruptedWith124() throws Exception {
        setTimeLimit(2);
        try {
            Weft.Result r = weft.run(Duration.ofSeconds(30), "shell:sleep", "20");
            assertEquals(124, r.exit(), r::toString);
            assertTrue(r.err().contains("timed out after 2 s"), r::toString);
            assertTrue(r.took().toSeconds() < 10, r::toString);
            assertEquals(0, weft.run("shell:echo", "still", "here").exit());
        } finally {
            setTimeLimit(60);
        }
    }

    @Test
    @Order(80)
    void killedClientsFreeTheirWorkers() throws Exception {
        List<Process> clients = new ArrayList<>();
        try {
            for (int i = 0; i < WORKERS; i++) {
                clients.add(weft.spawn("shell:sleep", "50"));   // every worker busy for 50 s
            }
            Thread.sleep(1500);
            assertTrue(clients.stream().allMatch(Process::isAlive), "the sleeping commands ended early");
        } finally {
            clients.forEach(Process::destroy);                 // SIGTERM to the client (./weft execs it)
        }
        // Without hang-up detection this would wait for a worker until the sleeps end (50 s).
        Weft.Result r = weft.run(Duration.ofSeconds(20), "shell:echo", "free");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.took().toMillis() < 5000, () -> "a worker was not freed at once: " + r);
    }

    @Test
    @Order(90)
    void measureRoundTrip() throws Exception {
        for (int i = 0; i < 5; i++) {
            weft.run("shell:echo", "x");
        }
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            Weft.Result r = weft.run("shell:echo", "x");
            assertEquals(0, r.exit(), r::toString);
            micros.add(r.took().toNanos() / 1000);
        }
        micros.sort(Comparator.naturalOrder());
        System.out.printf("[weft-it] ./weft shell:echo x round trip (31 runs, from Java, script + C client):"
                + " median %.2f ms, min %.2f ms, max %.2f ms%n", micros.get(15) / 1000.0,
                micros.get(0) / 1000.0, micros.get(30) / 1000.0);
    }

    /** The JVM's own figure (Karaf's shell:info), not the command line: at most ./weft's default 512 MiB. */
    @Test
    @Order(85)
    void theRuntimesHeapIsBounded() throws Exception {
        long maxKbytes = maxHeapKbytes(weft);
        assertTrue(maxKbytes > 0 && maxKbytes <= 512 * 1024, () -> "maximum heap " + maxKbytes + " kbytes");
    }

    /** A user who is not root cannot change the runtime: refused at once with 77, and it keeps running. */
    @Test
    @Order(95)
    void otherUsersCannotStopStartOrPurgeIt() throws Exception {
        for (String action : List.of("stop", "start", "purge")) {
            Weft.Result r = weft.runAsNobody(Duration.ofSeconds(30), action);
            assertEquals(77, r.exit(), r::toString);
            assertEquals(1, r.err().strip().lines().count(), () -> "one line: " + r);
            assertTrue(r.err().contains("./weft " + action + " needs root"), r::toString);
            assertTrue(r.took().toMillis() < 2000, () -> "not at once: " + r);
        }
        Weft.Result status = weft.run("status");
        assertEquals(0, status.exit(), () -> "the runtime must still run: " + status);
        assertEquals("still\n", weft.run("shell:echo", "still").out());
    }

    @Test
    @Order(100)
    void stopStopsIt() throws Exception {
        Weft.Result stop = weft.run("stop");
        assertEquals(0, stop.exit(), stop::toString);
        Weft.Result status = weft.run("status");
        assertEquals(3, status.exit(), status::toString);
        assertEquals("weft is not running\n", status.out());
        Weft.Result cmd = weft.run("shell:echo", "x");
        assertEquals(69, cmd.exit(), cmd::toString);
        assertTrue(cmd.err().contains("weft is not running: start it with ./weft start"), cmd::toString);
    }

    @Test
    @Order(110)
    void purgeLeavesNothing() throws Exception {
        Files.createDirectories(weft.stateDir);                 // stands in for state a later runtime writes
        Weft.Result r = weft.run("purge");
        assertEquals(0, r.exit(), r::toString);
        assertFalse(Files.exists(weft.home), () -> weft.home + " is left: " + r);
        assertFalse(Files.exists(weft.runDir), () -> weft.runDir + " is left: " + r);
        assertFalse(Files.exists(weft.stateDir), () -> weft.stateDir + " is left: " + r);
        Path netns = instance.dir.resolve("netns");
        assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .noneMatch(netns.toString()::equals), () -> netns + " is still mounted after purge: " + r);
    }

    /** The runtime JVM's maximum heap as Karaf's shell:info reports it ("Maximum heap size  466,048 kbytes"). */
    static long maxHeapKbytes(Weft weft) throws Exception {
        Weft.Result info = weft.run("shell:info");
        assertEquals(0, info.exit(), info::toString);
        return info.out().lines().filter(l -> l.contains("Maximum heap size")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("\\e\\[[0-9;]*m", "").replaceAll("[^0-9]", "")))
                .orElseThrow(() -> new AssertionError("no maximum heap size in shell:info: " + info));
    }

    /** Changes command.timeout.seconds as an operator would, and waits until it is in force. */
    private void setTimeLimit(int seconds) throws Exception {
        Weft.Result set = weft.run("config:property-set", "-p", "dev.weft.cli", "command.timeout.seconds",
                Integer.toString(seconds));
        assertEquals(0, set.exit(), set::toString);
        for (int i = 0; i < 50; i++) {
            Weft.Result get = weft.run("config:property-get", "-p", "dev.weft.cli", "command.timeout.seconds");
            if (get.out().trim().equals(Integer.toString(seconds))) {
                Thread.sleep(500);                                 // configuration reaches the component asynchronously
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("command.timeout.seconds did not become " + seconds);
    }
}
