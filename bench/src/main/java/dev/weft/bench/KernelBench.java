package dev.weft.bench;

import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Times the kernel layer's steps against the same steps done by spawning {@code ip} and
 * {@code nft}, in one run, inside a throwaway host namespace. Prints figures; asserts nothing.
 * Run as root through {@code bench/run-kernel.sh}.
 */
public final class KernelBench {
    private KernelBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Report report = new Report(System.out);
        // The kit removes the host namespace and every sandbox it adopted on close, also when a step
        // fails; its shutdown hook does the same on Ctrl-C, while this run may still be making one
        // more namespace: our own hook stops the run and then removes whatever is left of it.
        TestHost host = TestHost.create();
        CountDownLatch finished = new CountDownLatch(1);
        Thread onInterrupt = new Thread(() -> stopAndSweep(host.name(), finished), "bench-interrupted");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (host; Kernel kernel = Kernel.open(KernelConfig.defaults().withHostNamespace(host.path()))) {
            // Runs on a thread inside the host namespace, so spawned host-side commands act there.
            host.call(() -> {
                report.header("Weft kernel layer against spawned ip/nft", machine(options, host));
                World world = World.build(host, kernel, options);
                List<Row> rows = new ArrayList<>();
                EndpointBench endpoint = new EndpointBench();
                if (options.runs(1)) {
                    rows.addAll(new RoundTripBench().run(world));
                }
                rows.addAll(new LinkBench().run(world));
                if (options.runs(5)) {
                    rows.addAll(new NamespaceBench().run(world));
                }
                if (options.runs(6)) {
                    rows.addAll(new ElementBench().run(world));
                }
                if (options.runs(7)) {
                    rows.addAll(endpoint.run(world));
                }
                report.table(rows);
                if (options.runs(7)) {
                    List<Laps> laps = endpoint.breakdown();
                    report.breakdown("Where step 7's time goes: Weft", laps.get(0));
                    report.breakdown("Where step 7's time goes: one command per step", laps.get(1));
                    report.breakdown("Where step 7's time goes: ip -batch", laps.get(2));
                }
                world.notes.add("Load average at the end: " + loadAverage() + " (other work on the machine shows in "
                        + "the p99 figures).");
                report.notes(world.notes);
                return null;
            });
        } catch (RuntimeException e) {
            if (!World.isStopping()) {
                throw e;
            }
            System.err.println("interrupted; removing what the run made");
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it finds nothing left
            }
        }
    }

    /** On Ctrl-C: lets the run stop at its next namespace, then deletes every namespace named after the host. */
    private static void stopAndSweep(String hostName, CountDownLatch finished) {
        World.stop();
        try {
            finished.await(15, TimeUnit.SECONDS);
            try (Stream<Path> entries = Files.list(Path.of("/run/netns"))) {
                List<String> left = entries.map(p -> p.getFileName().toString())
                        .filter(n -> n.equals(hostName) || n.startsWith(hostName + "-"))
                        .sorted(Comparator.comparing(String::length).reversed()) // sandboxes before their host
                        .toList();
                for (String name : left) {
                    new ProcessBuilder("ip", "netns", "del", name).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(); // gone already: fine
                }
            }
        } catch (Exception e) {
            System.err.println("clean-up after interruption failed: " + e + "; remove /run/netns/" + hostName + "* by hand");
        }
    }

    private static List<String> machine(Options o, TestHost host) throws Exception {
        return List.of(
                "Date " + LocalDate.now() + "; kernel " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip()
                        + "; " + Runtime.getRuntime().availableProcessors() + " cores; Java "
                        + Runtime.version() + "; " + Tools.run("ip", "-V").strip() + "; "
                        + Tools.run("nft", "--version").strip() + ".",
                "Measured iterations: " + o.cheap() + " for steps 1-4 and 6, " + o.heavy()
                        + " for steps 5 and 7, each after " + o.warmup() + " unmeasured ones. The sides take turns "
                        + "going first, except in step 6 (one after the other: see ElementBench). Host namespace "
                        + host.name() + ". Load average at the start: " + loadAverage() + ".");
    }

    private static String loadAverage() throws java.io.IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }
}
