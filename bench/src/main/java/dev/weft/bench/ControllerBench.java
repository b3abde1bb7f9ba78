package dev.weft.bench;

import dev.weft.api.Controller;
import dev.weft.api.SandboxSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.driver.host.HostDriver;
import dev.weft.driver.none.NullDriver;
import dev.weft.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Sandbox create and remove through the Controller API on a warm runtime, with 1, 100 and 1000
 * sandboxes already present, beside {@code ip netns add} + {@code ip link set lo up} (what a
 * sandbox is without Weft's records) in the same run. Network {@code none}: the sandbox's own cost,
 * without a driver's plumbing. Not a test: prints figures only.
 *
 * <pre>bench/run-controller.sh [ITERATIONS]</pre>
 */
public final class ControllerBench {
    private ControllerBench() {}

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    public static void main(String[] args) throws Exception {
        // One log line per change is part of the runtime, but not of this table's readability.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        // Records go where a real instance keeps them: tmpfs (/run) for sandboxes and endpoints.
        Path dir = Files.createTempDirectory(Path.of("/run"), "weft-controller-bench-");
        try (TestHost host = TestHost.create();
             Standalone runtime = Standalone.builder().hostNamespace(host.path()).directories(dir).build()) {
            runtime.addDriver("null", "dev.weft.driver-null", "bench", new NullDriver());
            runtime.addDriver("host", "dev.weft.driver-host", "bench", new HostDriver());
            Controller c = runtime.controller();
            System.out.println("# Sandbox create/remove through the Controller API (network none), "
                    + iterations + " iterations per row after 150 untimed warm-up pairs");
            System.out.println();
            System.out.println("| existing sandboxes | create median | create p99 | remove median | remove p99 "
                    + "| `ip netns add` + `lo up` median | `ip netns del` median |");
            System.out.println("|--:|--:|--:|--:|--:|--:|--:|");
            List<String> existing = new ArrayList<>();
            int serial = 0;
            for (int i = 0; i < 150; i++) { // let the JIT compile the paths before anything is timed
                String name = host.adopt("w" + serial++).name();
                c.createSandbox(SandboxSpec.of(name, "none"));
                c.removeSandbox(name);
            }
            for (int level : new int[] {1, 100, 1000}) {
                while (existing.size() < level) {
                    String name = host.adopt("e" + existing.size()).name();
                    c.createSandbox(SandboxSpec.of(name, "none"));
                    existing.add(name);
                }
                Stats create = new Stats(), remove = new Stats(), ipAdd = new Stats(), ipDel = new Stats();
                for (int i = -10; i < iterations; i++) {
                    String name = host.adopt("m" + serial++).name();
                    create.time(i, () -> c.createSandbox(SandboxSpec.of(name, "none")));
                    remove.time(i, () -> c.removeSandbox(name));
                    String raw = host.adopt("r" + serial++).name();
                    ipAdd.time(i, () -> {
                        run("ip", "netns", "add", raw);
                        run("ip", "-n", raw, "link", "set", "lo", "up");
                    });
                    ipDel.time(i, () -> run("ip", "netns", "del", raw));
                }
                System.out.printf(Locale.ROOT, "| %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |%n",
                        existing.size(), create.medianMs(), create.p99Ms(), remove.medianMs(), remove.p99Ms(),
                        ipAdd.medianMs(), ipDel.medianMs());
            }
            for (String name : existing) {
                c.removeSandbox(name);
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
