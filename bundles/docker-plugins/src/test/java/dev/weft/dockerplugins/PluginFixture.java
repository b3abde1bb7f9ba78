package dev.weft.dockerplugins;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.net.IpAddresses;
import dev.weft.spi.DriverContext;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.NetworkDriver;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A controller ({@link Standalone}) on a throwaway host namespace with this bundle's {@link Plugins}
 * following a private plugin directory, and the test plugins ({@code plugin.py}, Python's standard
 * library) started and stopped there as processes of this JVM. {@link #close()} stops the plugins
 * (by their own PIDs), the controller and the plugin watcher, then removes the host namespace and the
 * directories, also after a failure.
 */
final class PluginFixture implements AutoCloseable {
    static final String BUNDLE = "dev.weft.docker-plugins";
    static final Duration TIMEOUT = Duration.ofMillis(1500);

    final TestHost host;
    final Path dir;
    final Path pluginDir;
    final Standalone runtime;
    final Plugins plugins;
    private final Path script;
    private final Map<String, Process> processes = new LinkedHashMap<>();

    PluginFixture() throws IOException {
        host = TestHost.create();
        Path d = null;
        Standalone r = null;
        try {
            d = Files.createTempDirectory("weft-docker-plugins-test-");
            dir = d;
            pluginDir = Files.createDirectory(dir.resolve("plugins"));
            script = dir.resolve("plugin.py");
            try (InputStream in = PluginFixture.class.getResourceAsStream("plugin.py")) {
                Files.copy(in, script);
            }
            Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.53\n");
            r = Standalone.builder().hostNamespace(host.path()).directories(dir.resolve("weft"))
                    .resolvConf(dir.resolve("resolv.conf")).build();
            runtime = r;
            DriverContext context = runtime.driverContext("test", "wt", "weft", DriverContext.FirewallMode.NONE, 0,
                    Map.of("defaultBridgeSubnet", "none", Settings.DIRS, pluginDir.toString(),
                            Settings.TIMEOUT, String.valueOf(TIMEOUT.toMillis()), Settings.RESCAN, "300"));
            plugins = new Plugins(Settings.of(context), runtime.kernel(), context, new Registrar() {
                @Override
                public Registration network(String name, NetworkDriver<?> driver) {
                    runtime.addDriver(name, BUNDLE, "0.1.0", driver);
                    return () -> runtime.removeDriver(name, BUNDLE);
                }

                @Override
                public Registration ipam(String name, IpamDriver ipam) {
                    runtime.addIpam(name, BUNDLE, "0.1.0", ipam);
                    return () -> runtime.removeIpam(name, BUNDLE);
                }
            }).start();
        } catch (RuntimeException | IOException e) {
            if (r != null) {
                r.close();
            }
            host.close();
            if (d != null) {
                delete(d);
            }
            throw e;
        }
    }

    Controller controller() {
        return runtime.controller();
    }

    /** Starts plugin.py as {@code name} ({@code NAME.sock} in the plugin directory) and waits for its socket. */
    void startPlugin(String name, String kind, String... more) {
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), "--socket",
                pluginDir.resolve(name + ".sock").toString(), "--state", state(name).toString(), "--netns", host.name(),
                "--kind", kind));
        cmd.addAll(List.of(more));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + ".log").toFile()).start();
            processes.put(name, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test plugin " + name + ": " + e.getMessage(), e);
        }
        await("plugin " + name + "'s socket", Duration.ofSeconds(10),
                () -> Files.exists(pluginDir.resolve(name + ".sock")));
    }

    /**
     * Starts plugin.py as {@code name} on 127.0.0.1:{@code port} inside the test's host namespace
     * (unreachable from the JVM's own), and once it listens writes {@code NAME.spec} naming it.
     */
    void startTcpPlugin(String name, int port, String kind, String... more) {
        Path ready = dir.resolve(name + ".ready");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.name(), "python3", script.toString(),
                "--tcp", String.valueOf(port), "--ready", ready.toString(), "--state", state(name).toString(),
                "--netns", host.name(), "--kind", kind));
        cmd.addAll(List.of(more));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + ".log").toFile()).start();
            processes.put(name, p);
            await("plugin " + name + " listening on port " + port, Duration.ofSeconds(10), () -> Files.exists(ready));
            Files.writeString(pluginDir.resolve(name + ".spec"), "tcp://127.0.0.1:" + port + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test plugin " + name + ": " + e.getMessage(), e);
        }
    }

    /** Stops the plugin's process (its PID, which this fixture started) and removes its socket. */
    void stopPlugin(String name) {
        Process p = processes.remove(name);
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String file = name.endsWith("-dead") ? name.substring(0, name.length() - "-dead".length()) : name;
        try {
            Files.deleteIfExists(pluginDir.resolve(file + ".sock"));
            Files.deleteIfExists(pluginDir.resolve(file + ".spec"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the plugin's process (its PID) and leaves its socket file: a socket nobody answers on. */
    void killPluginKeepingItsSocket(String name) throws InterruptedException {
        Process p = processes.remove(name);
        p.destroyForcibly().waitFor();
        processes.put(name + "-dead", p);
    }

    Path state(String name) {
        return dir.resolve(name + ".json");
    }

    /** The plugin's state file (networks, endpoints, pools, calls). */
    JsonObject stateOf(String name) {
        try {
            return JsonParser.parseString(Files.readString(state(name))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The plugin's log, for failure messages. */
    String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Addresses the IPAM plugin holds, per pool. */
    Map<String, List<String>> leases(String ipamPlugin) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        stateOf(ipamPlugin).getAsJsonObject("pools").entrySet().forEach(e -> {
            List<String> a = new ArrayList<>();
            e.getValue().getAsJsonObject().getAsJsonArray("addresses").forEach(x -> a.add(x.getAsString()));
            out.put(e.getValue().getAsJsonObject().get("pool").getAsString(), a);
        });
        return out;
    }

    boolean driverListed(String name) {
        return controller().drivers().stream().anyMatch(d -> d.name().equals(name) && d.available());
    }

    boolean ipamListed(String name) {
        return controller().ipamDrivers().stream().anyMatch(d -> d.name().equals(name) && d.available());
    }

    /** A sandbox created by the controller on {@code network}. */
    TestSandbox sandbox(String shortName, String network) {
        controller().createSandbox(new SandboxSpec(host.namespaceName(shortName), network, EndpointSpec.defaults(), null));
        return host.adopt(shortName);
    }

    EndpointInfo endpoint(TestSandbox sandbox, String network) {
        return controller().sandbox(sandbox.name()).orElseThrow().endpoints().stream()
                .filter(e -> e.network().equals(network)).findFirst().orElseThrow();
    }

    String ipv4(TestSandbox sandbox, String network) {
        return IpAddresses.format(endpoint(sandbox, network).ipv4().address());
    }

    /** The host namespace's link names. */
    List<String> hostLinks() {
        return Stream.of(host.ip("-o", "link").split("\n")).filter(l -> !l.isBlank())
                .map(l -> l.split(":")[1].strip().replaceAll("@.*", "")).sorted().toList();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what + " in vain");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            for (String name : List.copyOf(processes.keySet())) {
                stopPlugin(name);
            }
        } finally {
            try {
                plugins.close();
            } finally {
                try {
                    runtime.awaitRemovals(); // a failed create's namespace goes through the reaper
                    runtime.close();
                } finally {
                    try {
                        host.close();
                    } finally {
                        delete(dir);
                    }
                }
            }
        }
    }

    private static void delete(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
