package dev.weft.itests.felix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import dev.weft.api.Controller;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The shell commands need the API, not the kernel layer: in a plain Felix with Karaf's shell, Weft's
 * API and network values and the shell bundle, but no kernel layer, no core and no JNA, the shell
 * bundle resolves (wired to {@code dev.weft.api} and {@code dev.weft.net} only) and
 * {@code network:list} runs against a Controller service the test registers, as an embedding
 * platform or a remote-API bundle would.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellWithoutKernelIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return options(
                workingDirectory(System.getProperty("weft.itest.work") + "-shell"),
                cleanCaches(true),
                systemProperty("karaf.startLocalConsole").value("false"),
                systemProperty("karaf.startRemoteShell").value("false"),
                // slf4j-api 2 asks for a service-loader extender (SPI Fly) to find its provider; none is
                // needed here, so the framework stands in for it (and the felix execution's system
                // property slf4j.provider tells slf4j to log nothing)
                frameworkProperty("org.osgi.framework.system.capabilities.extra").value(
                        "osgi.extender;osgi.extender=\"osgi.serviceloader.processor\";version:Version=\"1.0\","
                        + "osgi.serviceloader;osgi.serviceloader=\"org.slf4j.spi.SLF4JServiceProvider\""),
                bundle(FelixSetup.location("org.apache.felix.configadmin")),
                bundle(FelixSetup.location("org.apache.karaf.jaas.boot")),
                bundle(FelixSetup.location("slf4j-api")),
                bundle(FelixSetup.location("jline")),
                bundle(FelixSetup.location("org.apache.karaf.shell.core")),
                bundle(FelixSetup.location("gson")),
                bundle(FelixSetup.location("net")),
                bundle(FelixSetup.location("api")),
                bundle(FelixSetup.location("shell")),
                junitBundles());
    }

    @Test
    public void theShellRunsAgainstAControllerWithNoKernelLayerInstalled() throws Exception {
        Set<String> installed = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertFalse("no kernel layer: " + installed, installed.contains("dev.weft.linux"));
        assertFalse("no core: " + installed, installed.contains("dev.weft.core"));
        assertFalse("no JNA: " + installed, installed.contains("com.sun.jna"));

        Bundle shell = Arrays.stream(context.getBundles()).filter(b -> "dev.weft.shell".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        assertEquals("the shell bundle is active", Bundle.ACTIVE, shell.getState());
        Set<String> weftProviders = shell.adapt(BundleWiring.class).getRequiredWires(null).stream()
                .map(BundleWire::getProvider).map(r -> r.getBundle().getSymbolicName())
                .filter(n -> n.startsWith("dev.weft")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("dev.weft.api", "dev.weft.net"), weftProviders);

        ServiceRegistration<Controller> registration = context.registerService(Controller.class, fakeController(), null);
        try {
            String out = run("network:list");
            assertTrue(out, out.contains("outside"));
            assertTrue(out, out.contains("fake"));
            String inspect = run("network:inspect outside");
            assertTrue(inspect, inspect.contains("\"Subnet\": \"10.77.0.0/24\""));
        } finally {
            registration.unregister();
        }
    }

    /**
     * What the wiring above rests on, read from the built bundles' manifests: the API bundle
     * imports nothing but the network values and Java, and the kernel layer's exported package
     * uses no JNA type (clients of dev.weft.linux wire JNA only through that bundle's private code).
     */
    @Test
    public void theApiImportsNoKernelLayerAndTheKernelLayerExportsNoJnaType() throws Exception {
        String apiImports = manifest("api").getValue("Import-Package");
        List<String> foreign = Arrays.stream(apiImports.split(",(?=[a-z])")).map(p -> p.split(";")[0].trim())
                .filter(p -> !p.startsWith("java.") && !p.equals("dev.weft.net") && !p.equals("dev.weft.api")
                        && !p.equals("dev.weft.spi"))
                .toList();
        assertEquals("Import-Package of dev.weft.api: " + apiImports, List.of(), foreign);
        String linuxExports = manifest("linux").getValue("Export-Package");
        assertTrue(linuxExports, linuxExports.startsWith("dev.weft.linux;"));
        assertFalse("Export-Package of dev.weft.linux: " + linuxExports, linuxExports.contains("com.sun.jna"));
        assertFalse("Export-Package of dev.weft.linux: " + linuxExports, linuxExports.contains("dev.weft.linux.internal"));
    }

    private static java.util.jar.Attributes manifest(String artifactId) throws Exception {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(
                java.nio.file.Path.of(java.net.URI.create(FelixSetup.location(artifactId))).toFile())) {
            return jar.getManifest().getMainAttributes();
        }
    }

    /** Runs a line in a headless session; waits for the command (registered once Controller is there). */
    private String run(String line) throws Exception {
        ServiceTracker<SessionFactory, SessionFactory> tracker = new ServiceTracker<>(context, SessionFactory.class, null);
        tracker.open();
        try {
            SessionFactory factory = tracker.waitForService(10_000);
            assertTrue("Karaf's shell registered its SessionFactory", factory != null);
            Exception last = null;
            for (int attempt = 0; attempt < 100; attempt++) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
                try (Session s = factory.create(new ByteArrayInputStream(new byte[0]), out, out)) {
                    s.execute(line);
                    return bytes.toString(StandardCharsets.UTF_8);
                } catch (Exception e) {
                    last = e; // the command registers when its @Reference Controller is satisfied
                    Thread.sleep(100);
                }
            }
            throw last;
        } finally {
            tracker.close();
        }
    }

    /** A Controller that knows one network and refuses everything else. */
    private static Controller fakeController() {
        NetworkInfo outside = new NetworkInfo("f".repeat(64), "outside", "fake", "local", Instant.EPOCH, false, false,
                false, true, List.of(new SubnetInfo(IpPrefix.parse("10.77.0.0/24"), null, IpAddresses.parse("10.77.0.1"),
                Map.of())), Map.of(), Map.of(), List.of());
        return (Controller) Proxy.newProxyInstance(ShellWithoutKernelIT.class.getClassLoader(),
                new Class<?>[] {Controller.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "networks" -> List.of(outside);
                    case "network" -> Optional.of(outside).filter(n -> n.name().equals(args[0]) || n.id().equals(args[0]));
                    case "sandboxes", "drivers" -> List.of();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "fake controller";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
