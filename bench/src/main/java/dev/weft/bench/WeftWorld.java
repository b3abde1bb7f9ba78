package dev.weft.bench;

import dev.weft.api.Controller;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.driver.bridge.BridgeDriver;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.TestHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Weft's runtime with the bridge driver in a throwaway host namespace, set up as
 * {@link BridgeBench} does: records under a temporary directory in /run, the runtime directory
 * on its own tmpfs (as /run/weft is in production), table {@code weft_bench}, link prefix
 * {@code wb}. {@link #close()} removes all of it (the test kit deletes the namespaces, the
 * tmpfs is unmounted, the directory deleted), also after a failure.
 */
final class WeftWorld implements AutoCloseable {
    final TestHost host;
    final Standalone runtime;
    final Controller controller;
    final BridgeDriver driver;
    private final Path dir;
    private final Path runDir;
    private final Thread onExit;
    private int serial;

    private WeftWorld(Path dir, Path runDir, TestHost host, Standalone runtime, BridgeDriver driver) {
        this.dir = dir;
        this.runDir = runDir;
        this.host = host;
        this.runtime = runtime;
        this.controller = runtime.controller();
        this.driver = driver;
        // Ctrl-C: the test kit's own hook deletes the namespaces; this one the mount and directory.
        this.onExit = new Thread(() -> closeQuietly(null, null, runDir, dir, null), "weft-world-cleanup");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    static WeftWorld open() throws Exception {
        return open(null);
    }

    /**
     * As {@link #open()}, with {@code resolvConf} as the host's resolv.conf (written before the
     * runtime starts; null: the machine's /etc/resolv.conf). The DNS bench names an upstream
     * stand-in on the throwaway host's loopback there.
     */
    static WeftWorld open(String resolvConf) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/run"), "weft-peers-bench-");
        Path runDir = Files.createDirectories(dir.resolve("run"));
        TestHost host = null;
        Standalone runtime = null;
        boolean mounted = false;
        try {
            Tools.run("mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "weft-bench", runDir.toString());
            mounted = true;
            host = TestHost.create();
            // the host's own /etc/resolv.conf, as in production (read only)
            Standalone.Builder builder = Standalone.builder().hostNamespace(host.path()).directories(dir);
            if (resolvConf != null) {
                builder.resolvConf(Files.writeString(dir.resolve("host-resolv.conf"), resolvConf));
            }
            runtime = builder.build();
            BridgeDriver driver = new BridgeDriver(BridgeBench.context(runtime), runtime.kernel());
            runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "bench", driver);
            return new WeftWorld(dir, runDir, host, runtime, driver);
        } catch (Exception | Error e) {
            closeQuietly(runtime, host, mounted ? runDir : null, dir, e);
            throw e;
        }
    }

    /** A bridge network with one IPv4 subnet, e.g. {@code network("one", "10.90.0.0/16")}. */
    void network(String name, String subnet) {
        controller.createNetwork(new NetworkSpec(name, BridgeDriver.NAME, List.of(SubnetSpec.of(IpPrefix.parse(subnet))),
                false, false, Map.of(), Map.of()));
    }

    /**
     * A fresh short name whose namespace the test kit adopts before Weft creates it, so that it
     * goes with the host whatever happens.
     */
    String nextName() {
        String shortName = "s" + serial++;
        host.adopt(shortName);
        return host.namespaceName(shortName);
    }

    /** Creates sandbox {@code name} (namespace included) on {@code network}, publishing {@code hostPort} → 80/tcp. */
    SandboxInfo sandbox(String name, String network, int hostPort) {
        return controller.createSandbox(new SandboxSpec(name, network, new EndpointSpec(null, null, List.of(),
                List.of(PortSpec.parse(hostPort + ":80"))), null));
    }

    /** The test kit's handle on a sandbox Weft made (traffic helpers work in it). */
    dev.weft.testkit.TestSandbox testSandbox(String name) {
        String prefix = host.name() + "-";
        String shortName = name.substring(prefix.length());
        return host.sandboxes().stream().filter(s -> s.shortName().equals(shortName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no adopted sandbox named " + name));
    }

    /** {@code nft [-t] list ruleset | wc -l} in the host namespace; {@code -t} omits set and map elements. */
    int rulesetLines(boolean withElements) {
        String out = withElements ? host.exec("nft", "list", "ruleset") : host.exec("nft", "-t", "list", "ruleset");
        return out.isEmpty() ? 0 : out.split("\n").length;
    }

    /**
     * Waits for the work a removal leaves off the user's path: the runtime's namespace deletions
     * (which release the addresses), then the driver's veth and conntrack deletes.
     */
    void drain() {
        runtime.awaitRemovals();
        driver.drain();
    }

    @Override
    public void close() throws Exception {
        Runtime.getRuntime().removeShutdownHook(onExit);
        Exception first = null;
        try {
            drain();
            driver.close();
        } catch (Exception e) {
            first = e;
        }
        closeQuietly(runtime, host, runDir, dir, first);
        if (first != null) {
            throw first;
        }
    }

    private static void closeQuietly(Standalone runtime, TestHost host, Path mountedRunDir, Path dir, Throwable failure) {
        Runnable[] steps = {
            () -> {
                if (runtime != null) {
                    runtime.close();
                }
            },
            () -> {
                if (host != null) {
                    host.close();
                }
            },
            () -> {
                if (mountedRunDir != null) {
                    try {
                        Tools.run("umount", mountedRunDir.toString());
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException("cannot unmount " + mountedRunDir + ": " + e.getMessage(), e);
                    }
                }
            },
            () -> {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    throw new IllegalStateException("cannot delete " + dir + ": " + e.getMessage(), e);
                }
            }
        };
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    System.err.println("cleanup: " + e.getMessage());
                }
            }
        }
    }
}
