package dev.weft.itests;

import dev.weft.testkit.Leaks;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Weft instance of its own for one test, driven through {@code ./weft} and leaving the machine
 * as it found it (docs/architecture.md §10): a test-kit host namespace as the instance's host namespace
 * (WEFT_HOST_NETNS), WEFT_HOME and the run, state and /etc/netns directories under a fresh
 * temporary directory, and an instance name, link prefix and nf_tables table made unique by the
 * host's id. Sandboxes are named {@code wt-<host id>-<short>} and adopted by the host
 * ({@link #sandbox}), so its cleanup removes their namespaces whatever the runtime did.
 *
 * <p>{@link #close()} purges the instance ({@code ./weft purge}: stop, kernel objects,
 * directories), kills a runtime that survived that, closes the host, deletes the temporary
 * directory and then asserts with the test kit that nothing made since {@link #create()} remains.
 */
final class PrivateInstance implements AutoCloseable {
    final TestHost host;
    final Weft weft;
    final Path dir;
    final Path etcNetnsDir;
    final String instance;
    final String linkPrefix;
    final String nftTable;
    private final Leaks before;
    private boolean closed;

    private PrivateInstance(Leaks before, TestHost host, Path dir) throws IOException {
        this.before = before;
        this.host = host;
        this.dir = dir;
        this.etcNetnsDir = dir.resolve("etc-netns");
        this.instance = "it" + host.id();
        this.linkPrefix = "w" + host.id().substring(0, 3);
        this.nftTable = "weft_it" + host.id();
        this.weft = new Weft(Path.of(property("weft.script")).toRealPath(), Path.of(property("weft.distribution")),
                dir.resolve("home"), dir.resolve("run"), dir.resolve("state"))
                .with("WEFT_HOST_NETNS", host.path().toString())
                .with("WEFT_ETC_NETNS_DIR", etcNetnsDir.toString())
                .with("WEFT_INSTANCE", instance)
                .with("WEFT_LINK_PREFIX", linkPrefix)
                .with("WEFT_NFT_TABLE", nftTable);
    }

    /** A fresh world; nothing is started yet. */
    static PrivateInstance create() throws IOException {
        Leaks before = Leaks.snapshot();
        TestHost host = TestHost.create();
        try {
            // Short path: a Unix socket path is limited to 107 bytes.
            return new PrivateInstance(before, host, Files.createTempDirectory("weft-it-"));
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
    }

    /** {@code ./weft start}, asserted to succeed; returns what it did. */
    Weft.Result start() throws Exception {
        Weft.Result r = weft.run(Duration.ofSeconds(180), "start");
        if (r.exit() != 0) {
            throw new AssertionError("./weft start: " + r);
        }
        return r;
    }

    /**
     * The kit's handle on a sandbox the runtime is about to make: named {@code wt-<host id>-<shortName>}
     * and adopted before it exists, so the host removes it whatever happens.
     */
    TestSandbox sandbox(String shortName) {
        return host.adopt(shortName);
    }

    /** Names of the links in the host namespace, sorted ("veth0@if3" as "veth0"). */
    List<String> hostLinks() {
        return host.ip("-o", "link", "show").lines().map(l -> l.split(": ", 3)[1].replaceFirst("@.*", ""))
                .sorted().toList();
    }

    /** This instance's sandbox namespaces in /run/netns, sorted. */
    List<String> sandboxNamespaces() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(host.name() + "-")).sorted().toList();
        }
    }

    /** The runtime's pid as {@code ./weft status} prints it ("weft is running (pid N, socket …)"). */
    long pidFromStatus() throws Exception {
        Weft.Result r = weft.run("status");
        if (r.exit() != 0) {
            throw new AssertionError("./weft status: " + r);
        }
        return Long.parseLong(r.out().replaceFirst("(?s).*\\(pid (\\d+),.*", "$1"));
    }

    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        Cleanup cleanup = new Cleanup();
        cleanup.step(() -> {
            Weft.Result purged = weft.run(Duration.ofSeconds(90), "purge");
            if (purged.exit() != 0) {
                cleanup.fail(new AssertionError("./weft purge: " + purged));
            }
        });
        long pid = weft.pidFromFile();                          // purge failed half-way: no JVM left behind
        if (pid > 0) {
            ProcessHandle.of(pid).filter(h -> h.info().commandLine().orElse("").contains(weft.home.toString()))
                    .ifPresent(h -> {
                        h.destroyForcibly();
                        h.onExit().join();
                    });
        }
        cleanup.step(host::close);
        cleanup.step(() -> Cleanup.deleteTree(dir));
        cleanup.step(before::assertUnchanged);
        cleanup.throwIfFailed("instance " + instance);
    }

    static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run the itests through Maven "
                    + "(mvn verify), whose failsafe configuration sets it");
        }
        return value;
    }
}
