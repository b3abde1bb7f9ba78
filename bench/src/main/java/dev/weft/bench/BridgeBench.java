package dev.weft.bench;

import dev.weft.api.Controller;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.driver.bridge.BridgeDriver;
import dev.weft.driver.container.ContainerDriver;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The bridge driver through the Controller API (issue 4's targets): one sandbox setup with one
 * published port (namespace creation included), connecting a running sandbox to a second network,
 * disconnecting it, removing the sandbox (the user's path: veth and conntrack deletes that run in
 * the background are not counted, but they run during the following iterations, as they would in
 * production); 100 sandboxes with a port each (total, per-sandbox median of the 1st–10th against
 * the 91st–100th, ruleset lines); then 1000 sandboxes over four bridges. Not a test: prints figures.
 *
 * <pre>bench/run-bridge.sh [ITERATIONS [WARMUP]]</pre>
 */
public final class BridgeBench {
    private BridgeBench() {}

    /**
     * The instance settings the bench's drivers see, from {@code runtime} (also {@link WeftWorld}'s and
     * {@link MacvlanBench}'s): no predefined bridge network, the bench makes its own.
     */
    static DriverContext context(Standalone runtime) {
        return runtime.driverContext("bench", "wb", "weft_bench", DriverContext.FirewallMode.NFTABLES, 1500,
                Map.of(BridgeDriver.DEFAULT_SUBNET_SETTING, "none"));
    }

    private static int serial;

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int many = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        // Records go where a real instance keeps them: networks on disk, sandboxes and endpoints on
        // tmpfs (the runtime directory, /run in production; on this VM /run is ext4, so mount one).
        Path dir = Files.createTempDirectory(Path.of("/run"), "weft-bridge-bench-");
        Path runDir = Files.createDirectories(dir.resolve("run"));
        Tools.run("mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "weft-bench", runDir.toString());
        try (TestHost host = TestHost.create();
             // the host's own /etc/resolv.conf, as in production (read only)
             Standalone runtime = Standalone.builder().hostNamespace(host.path()).directories(dir).build()) {
            BridgeDriver driver = new BridgeDriver(context(runtime), runtime.kernel());
            try {
                runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "bench", driver);
                runtime.addDriver(ContainerDriver.NAME, "dev.weft.driver-container", "bench", new ContainerDriver());
                run(host, runtime.controller(), () -> {
                    runtime.awaitRemovals();
                    driver.drain();
                }, iterations, warmup, many);
            } finally {
                driver.close();
            }
        } finally {
            Tools.run("umount", runDir.toString());
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void network(Controller c, String name, String subnet) {
        c.createNetwork(new NetworkSpec(name, BridgeDriver.NAME, List.of(SubnetSpec.of(IpPrefix.parse(subnet))), false,
                false, Map.of(), Map.of()));
    }

    private static String newSandbox(TestHost host, Controller c, String network, int port) {
        String shortName = "s" + serial++;
        String name = host.namespaceName(shortName);
        host.adopt(shortName);
        c.createSandbox(new SandboxSpec(name, network, new EndpointSpec(null, null, List.of(),
                List.of(PortSpec.parse(port + ":80"))), null));
        return name;
    }

    private static void run(TestHost host, Controller c, Runnable drain, int iterations, int warmup, int many)
            throws Exception {
        network(c, "one", "10.90.0.0/16");
        network(c, "two", "10.91.0.0/16");
        Stats setup = new Stats(), connect = new Stats(), disconnect = new Stats(), remove = new Stats();
        String[] name = new String[1];
        for (int i = -warmup; i < iterations; i++) {
            int port = 20000 + Math.floorMod(i, 5000);
            setup.time(i, () -> name[0] = newSandbox(host, c, "one", port));
            connect.time(i, () -> c.connect("two", name[0], EndpointSpec.defaults()));
            disconnect.time(i, () -> c.disconnect("two", name[0], false));
            remove.time(i, () -> c.removeSandbox(name[0]));
        }
        long t0 = System.nanoTime();
        drain.run();
        long drained = System.nanoTime() - t0;
        System.out.println("# Bridge driver through the Controller API");
        System.out.println();
        System.out.printf(Locale.ROOT, "%d iterations after %d untimed ones; background veth/conntrack deletes "
                + "left at the end drained in %.1f ms.%n%n", iterations, warmup, drained / 1e6);
        System.out.println("| step | median | p99 | target (median) |");
        System.out.println("|---|--:|--:|---|");
        row("sandbox setup, one published port", setup, 5);
        row("connect a running sandbox to a second network", connect, 2);
        row("disconnect it", disconnect, Double.NaN);
        row("sandbox removal (user's path)", remove, 10);
        System.out.println();

        shares(host, c, drain, iterations, warmup);

        int rulesEmpty = rulesetLines(host);
        batch(host, c, drain, List.of("one"), 100, rulesEmpty);
        if (many > 0) {
            List<String> nets = new ArrayList<>();
            for (int b = 0; b < 4; b++) {
                network(c, "many" + b, "10." + (100 + b) + ".0.0/16");
                nets.add("many" + b);
            }
            batch(host, c, drain, nets, many, -1);
        }
    }

    /**
     * Container mode: a sandbox sharing another's namespace ({@code --network container:NAME}) made
     * and removed, timed, beside a sandbox on "one" made and removed untimed around it (a loop of its
     * own, so the figures above keep their loop).
     */
    private static void shares(TestHost host, Controller c, Runnable drain, int iterations, int warmup)
            throws Exception {
        Stats share = new Stats(), unshare = new Stats();
        for (int i = -warmup; i < iterations; i++) {
            String web = newSandbox(host, c, "one", 20000 + Math.floorMod(i, 5000));
            String shortName = "s" + serial++;
            host.adopt(shortName);
            String app = host.namespaceName(shortName);
            share.time(i, () -> c.createSandbox(SandboxSpec.of(app, "container:" + web)));
            unshare.time(i, () -> c.removeSandbox(app));
            c.removeSandbox(web);
        }
        drain.run();
        System.out.println("# Container mode through the Controller API");
        System.out.println();
        System.out.println("| step | median | p99 | target (median) |");
        System.out.println("|---|--:|--:|---|");
        row("sandbox:create --network container:web (a second name of web's namespace)", share, Double.NaN);
        row("its removal (user's path)", unshare, Double.NaN);
        System.out.println();
    }

    /** {@code count} sandboxes with a port each, spread over {@code nets} in turn; then removed, untimed. */
    private static void batch(TestHost host, Controller c, Runnable drain, List<String> nets, int count, int rulesEmpty)
            throws Exception {
        List<String> names = new ArrayList<>();
        long[] each = new long[count];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long t = System.nanoTime();
            names.add(newSandbox(host, c, nets.get(i % nets.size()), 30000 + i));
            each[i] = System.nanoTime() - t;
        }
        long total = System.nanoTime() - start;
        Stats first = new Stats(), last = new Stats();
        for (int i = 0; i < 10; i++) {
            first.add(each[i]);
            last.add(each[count - 10 + i]);
        }
        System.out.printf(Locale.ROOT, "%d sandboxes with a published port each over %d bridge(s): total %.0f ms "
                + "(%.2f ms each); per-sandbox median 1st–10th %.2f ms, %d–%d: %.2f ms (ratio %.2f)%n",
                count, nets.size(), total / 1e6, total / 1e6 / count, first.medianMs(), count - 9, count,
                last.medianMs(), last.medianMs() / first.medianMs());
        if (rulesEmpty >= 0) {
            System.out.printf(Locale.ROOT, "`nft -t list ruleset | wc -l` (elements omitted): %d with no sandbox, %d with %d%n",
                    rulesEmpty, rulesetLines(host), count);
        }
        long t = System.nanoTime();
        for (String n : names) {
            c.removeSandbox(n);
        }
        long removed = System.nanoTime() - t;
        t = System.nanoTime();
        drain.run();
        System.out.printf(Locale.ROOT, "removing them: %.0f ms on the user's path (%.2f ms each), background deletes "
                + "drained %.0f ms later%n%n", removed / 1e6, removed / 1e6 / count, (System.nanoTime() - t) / 1e6);
    }

    private static void row(String step, Stats s, double target) {
        String verdict = Double.isNaN(target) ? "" : String.format(Locale.ROOT, "≤ %.0f ms: %s", target,
                s.medianMs() <= target ? "met" : "not met");
        System.out.printf(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %s |%n", step, s.medianMs(), s.p99Ms(), verdict);
    }

    /** Lines of the ruleset without set and map elements ({@code nft -t}): tables, chains, rules, declarations. */
    private static int rulesetLines(TestHost host) {
        return host.exec("nft", "-t", "list", "ruleset").split("\n").length;
    }
}
