package dev.weft.itests.felix;

import dev.weft.api.Controller;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.Leaks;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * One Weft runtime inside the embedded Felix, on a world of its own: a test-kit host namespace as
 * the instance's host namespace, private state, run and /etc/netns directories and resolv.conf,
 * its own instance name and link prefix. Sandboxes are named {@code wt-<host id>-<short>} and
 * adopted by the test host, so {@link #close()} removes their namespaces whatever happened; it
 * then checks with the kit that nothing made since {@link #start} remains.
 */
final class WeftInstance implements AutoCloseable {
    static final String LINK_PREFIX = "wi";
    private static final String PID = "dev.weft";

    private final BundleContext context;
    private final Leaks before;
    private TestHost host;
    private Path dir;
    private Configuration configuration;
    private ServiceTracker<Controller, Controller> controllers;

    private WeftInstance(BundleContext context) {
        this.context = context;
        this.before = Leaks.snapshot();
    }

    /** Configures core for a fresh world, starts it and waits for its controller and the three drivers. */
    static WeftInstance start(BundleContext context, ConfigurationAdmin configAdmin) throws Exception {
        WeftInstance weft = new WeftInstance(context);
        try {
            weft.host = TestHost.create();
            weft.dir = Files.createTempDirectory("weft-itest-");
            weft.configuration = configAdmin.getConfiguration(PID, "?");
            weft.configuration.update(weft.properties());
            // Only now: core activates only with a configuration (policy REQUIRE), and this is its world.
            weft.bundle(FelixSetup.CORE).orElseThrow().start();
            weft.controllers = Await.service(context, Controller.class);
            Await.until("drivers null, host and sample registered", () -> weft.availableDrivers().containsAll(
                    List.of("null", "host", "sample")));
            return weft;
        } catch (Exception | Error e) {
            try {
                weft.close();
            } catch (RuntimeException | Error cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Hashtable<String, Object> properties() throws IOException {
        Path resolvConf = Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.53\n");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("instance", "it" + host.id());
        p.put("stateDir", dir.resolve("state").toString());
        p.put("runDir", dir.resolve("run").toString());
        p.put("netnsDir", "/run/netns"); // where the kit's namespaces live, so it can adopt the sandboxes
        p.put("etcNetnsDir", Files.createDirectories(dir.resolve("etc-netns")).toString());
        p.put("resolvConf", resolvConf.toString());
        p.put("hostNamespace", host.path().toString());
        p.put("nftTable", "weft_it" + host.id());
        p.put("linkPrefix", LINK_PREFIX);
        p.put("defaultBridgeSubnet", "none");
        p.put("firewallMode", "none");
        return p;
    }

    Controller controller() {
        Controller c = controllers.getService();
        if (c == null) {
            throw new AssertionError("the Controller service is gone");
        }
        return c;
    }

    TestHost host() {
        return host;
    }

    /** The ownership mark this instance's drivers put on what they make for {@code id}. */
    String ownershipMark(String id) {
        return "weft:it" + host.id() + ":" + id;
    }

    /** A network of driver sample with one IPv4 subnet and the given options. */
    NetworkInfo sampleNetwork(String name, String subnet, Map<String, String> options) {
        return controller().createNetwork(new NetworkSpec(name, "sample", List.of(SubnetSpec.of(IpPrefix.parse(subnet))),
                false, false, options, Map.of()));
    }

    /** The sample driver's bridge for a network (its naming rule). */
    static String bridgeOf(NetworkInfo network) {
        return LINK_PREFIX + "s" + network.id().substring(0, 8);
    }

    /**
     * Creates a sandbox on {@code network} through the controller, named so the host adopts its
     * namespace (adopted first: a failure half way still leaves it to the kit's cleanup).
     */
    Sandbox sandbox(String shortName, String network) {
        TestSandbox ns = host.adopt(shortName);
        SandboxInfo info = controller().createSandbox(SandboxSpec.of(ns.name(), network));
        return new Sandbox(ns, info);
    }

    /** A controller-made sandbox and the kit's handle on its namespace. */
    record Sandbox(TestSandbox ns, SandboxInfo info) {
        String ipv4() {
            return info.endpoints().get(0).ipv4().address().getHostAddress();
        }

        String name() {
            return info.name();
        }
    }

    /** The ifindex of a link in the host namespace, or -1 when there is none. */
    int linkIndex(String name) {
        var r = host.tryIp("-o", "link", "show", "dev", name);
        return r.succeeded() ? Integer.parseInt(r.stdout().strip().split(":", 2)[0]) : -1;
    }

    /** Names of the host namespace's links with this instance's prefix (bridges and veth host ends). */
    List<String> ownLinks() {
        return host.ip("-o", "link", "show").lines().map(l -> l.split(": ", 3)[1].replaceFirst("@.*", ""))
                .filter(n -> n.startsWith(LINK_PREFIX)).sorted().toList();
    }

    /** Names of the ports of a bridge in the host namespace. */
    List<String> portsOf(String bridge) {
        return host.ip("-o", "link", "show", "master", bridge).lines()
                .map(l -> l.split(": ", 3)[1].replaceFirst("@.*", "")).sorted().toList();
    }

    List<String> availableDrivers() {
        Controller c = controllers == null ? null : controllers.getService();
        return c == null ? List.of() : c.drivers().stream().filter(d -> d.available()).map(d -> d.name()).toList();
    }

    Optional<Bundle> bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst();
    }

    /** Uninstalls the sample driver's bundle; returns once the controller no longer has the driver. */
    void uninstallSample() throws BundleException {
        bundle(FelixSetup.SAMPLE).orElseThrow(() -> new AssertionError("the sample driver is not installed")).uninstall();
        Await.until("driver sample gone", () -> !availableDrivers().contains("sample"));
    }

    /** Installs and starts the sample driver's bundle again; returns once the controller has the driver. */
    void installSample() throws BundleException {
        context.installBundle(FelixSetup.location("driver-sample")).start();
        Await.until("driver sample registered", () -> availableDrivers().contains("sample"));
    }

    List<String> availableIpamDrivers() {
        Controller c = controllers == null ? null : controllers.getService();
        return c == null ? List.of() : c.ipamDrivers().stream().filter(d -> d.available()).map(d -> d.name()).toList();
    }

    /** Uninstalls the sample IPAM driver's bundle; returns once the controller no longer has it. */
    void uninstallIpamSample() throws BundleException {
        bundle(FelixSetup.IPAM_SAMPLE).orElseThrow(() -> new AssertionError("the sample IPAM driver is not installed"))
                .uninstall();
        Await.until("IPAM driver fixed gone", () -> !availableIpamDrivers().contains("fixed"));
    }

    /** Installs and starts the sample IPAM driver's bundle again; returns once the controller has it. */
    void installIpamSample() throws BundleException {
        context.installBundle(FelixSetup.location("ipam-sample")).start();
        Await.until("IPAM driver fixed registered", () -> availableIpamDrivers().contains("fixed"));
    }

    /**
     * Stops core (deactivation frees JVM resources only), then drops its configuration (in that
     * order, so core is not deactivated by the deletion while its bundle still runs), puts the
     * sample bundles back if a test took them away, removes the world, and checks that nothing made
     * since {@link #start} is left. Keeps going past failures and reports them all.
     */
    @Override
    public void close() {
        List<Throwable> failures = new ArrayList<>();
        step(failures, () -> {
            Optional<Bundle> core = bundle(FelixSetup.CORE);
            if (core.isPresent()) {
                core.get().stop();
            }
        });
        step(failures, () -> {
            if (controllers != null) {
                controllers.close();
            }
        });
        step(failures, () -> {
            if (configuration != null) {
                configuration.delete();
            }
        });
        step(failures, () -> {
            if (bundle(FelixSetup.SAMPLE).isEmpty()) {
                context.installBundle(FelixSetup.location("driver-sample")).start();
            }
        });
        step(failures, () -> {
            if (bundle(FelixSetup.IPAM_SAMPLE).isEmpty()) {
                context.installBundle(FelixSetup.location("ipam-sample")).start();
            }
        });
        step(failures, () -> {
            if (host != null) {
                host.close();
            }
        });
        step(failures, () -> {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        });
        step(failures, before::assertUnchanged);
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("cleanup failed: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void step(List<Throwable> failures, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            failures.add(e);
        }
    }
}
