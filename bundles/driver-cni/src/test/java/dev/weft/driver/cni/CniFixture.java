package dev.weft.driver.cni;

import dev.weft.api.Controller;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.PerTestFixture;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A controller ({@link Standalone}) with the cni driver on a throwaway host namespace and a private
 * directory (conflists, host-local's data, the driver's cache, fake plugins). {@link #restart()}
 * drops controller and driver as kill -9 would and starts new ones on the same directories.
 */
final class CniFixture implements AutoCloseable {
    static final String BUNDLE = "dev.weft.driver-cni";
    final TestHost host;
    final Path dir;
    Standalone runtime;
    CniDriver driver;

    abstract static class PerTest extends PerTestFixture<CniFixture> {
        @Override
        protected CniFixture open() throws IOException {
            return new CniFixture();
        }
    }

    CniFixture() throws IOException {
        host = TestHost.create();
        try {
            dir = Files.createTempDirectory("weft-cni-test-");
            Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.53\n");
            start();
        } catch (RuntimeException | IOException e) {
            host.close();
            throw e;
        }
    }

    void start() {
        runtime = Standalone.builder().hostNamespace(host.path()).directories(dir.resolve("weft"))
                .resolvConf(dir.resolve("resolv.conf")).build();
        driver = new CniDriver(runtime.driverContext("test", "wt", "weft", DriverContext.FirewallMode.NONE, 0,
                Map.of(CniDriver.STATE_DIR, dir.resolve("cni").toString(), CniDriver.TIMEOUT, "3000")), runtime.kernel());
        runtime.addDriver(CniDriver.NAME, BUNDLE, "0.1.0", driver);
    }

    /** As kill -9: the controller and the driver go, the kernel state and the files stay. */
    void restart() {
        driver.close();
        runtime.close();
        start();
    }

    Controller controller() {
        return runtime.controller();
    }

    /** Writes a conflist named {@code name} with these plugin objects (JSON text) and returns its path. */
    Path conflist(String name, String cniVersion, String... plugins) throws IOException {
        Path p = dir.resolve(name + ".conflist");
        Files.writeString(p, "{\"cniVersion\": \"" + cniVersion + "\", \"name\": \"" + name + "\", \"plugins\": ["
                + String.join(",", plugins) + "]}");
        return p;
    }

    /** host-local IPAM on {@code subnet}, its data in the test's directory. */
    String hostLocal(String subnet) {
        return "{\"type\": \"host-local\", \"ranges\": [[{\"subnet\": \"" + subnet + "\"}]], "
                + "\"routes\": [{\"dst\": \"0.0.0.0/0\"}], \"dataDir\": \"" + dir.resolve("ipam") + "\"}";
    }

    /** A fake plugin: a shell script {@code body} (it gets the CNI environment), in {@code dir/fake}. */
    Path fakePlugin(String type, String body) throws IOException {
        Path d = dir.resolve("fake");
        Files.createDirectories(d);
        Path p = d.resolve(type);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    NetworkInfo network(String name, Path conflist, String cniPath) {
        Map<String, String> options = cniPath == null ? Map.of(CniOptions.CONFLIST, conflist.toString())
                : Map.of(CniOptions.CONFLIST, conflist.toString(), CniOptions.PATH, cniPath);
        return controller().createNetwork(new NetworkSpec(name, CniDriver.NAME, List.of(), false, false, options, Map.of()));
    }

    TestSandbox sandbox(String shortName, String network, EndpointSpec endpoint) {
        controller().createSandbox(new SandboxSpec(host.namespaceName(shortName), network, endpoint, null));
        return host.adopt(shortName);
    }

    TestSandbox sandbox(String shortName, String network) {
        return sandbox(shortName, network, EndpointSpec.defaults());
    }

    /** The IPv4 address the plugins gave the sandbox's eth0. */
    static String ipv4(TestSandbox s) {
        Matcher m = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(s.ip("-4", "-o", "addr", "show", "eth0"));
        if (!m.find()) {
            throw new AssertionError("no IPv4 address on eth0 of " + s.name());
        }
        return m.group(1);
    }

    /** The host namespace's links, addresses, routes and firewall, for before/after comparisons. */
    String hostState() {
        return hostLinks() + host.exec("nft", "list", "ruleset").replaceAll("counter packets \\d+ bytes \\d+", "counter")
                + "\n" + host.exec("iptables-save").replaceAll("(?m)^#.*$", "").replaceAll("\\[\\d+:\\d+\\]", "");
    }

    /** The host namespace's links, addresses and routes. */
    String hostLinks() {
        return host.ip("-o", "link").replaceAll(" state [A-Z]+ ", " ").replaceAll("<[^>]*>", "")
                .replaceAll("link/ether \\S+", "") + "\n" + host.ip("-o", "addr").replace(" tentative", "") + "\n" + host.ip("route") + "\n";
    }

    /** The lines of {@code after} that {@code before} does not have. */
    static String added(String before, String after) {
        java.util.Set<String> old = new java.util.HashSet<>(List.of(before.split("\n")));
        return String.join("\n", Stream.of(after.split("\n")).filter(l -> !l.isBlank() && !old.contains(l)).toList());
    }

    /** Processes whose command line names the test's directory (fake plugins left running). */
    static List<String> strayProcesses(Path dir) throws IOException {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(h -> h.info().commandLine().orElse("").contains(dir.toString()))
                    .map(h -> h.pid() + " " + h.info().commandLine().orElse("")).toList();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (runtime != null) {
                driver.close();
                runtime.close();
            }
        } finally {
            try {
                host.close();
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
