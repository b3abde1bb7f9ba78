package dev.weft.itests.karaf;

import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import dev.weft.itests.Cleanup;
import dev.weft.testkit.Leaks;
import dev.weft.testkit.TestHost;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;

/**
 * The throwaway world the Karaf container's Weft runs in (docs/architecture.md §10), made and removed in the
 * test JVM: a test-kit host namespace as the instance's host namespace, run, state and /etc/netns
 * directories under a fresh temporary directory, and an instance name, nf_tables table and link
 * prefix made unique by the host's id. Its settings reach the distribution as the weft.* lines of
 * etc/custom.properties, which etc/dev.weft.cfg hands to core.
 *
 * <p>Driver side only: the container has no test kit, so nothing here may be touched by code
 * that runs inside Karaf. The test there learns the sandbox name it may use from the system
 * property {@value #SANDBOX_PROPERTY}; the host adopts that name before Karaf starts, so its
 * cleanup removes the namespace whatever the test or the runtime did.
 *
 * <p>{@link WeftKaraf} opens the world when Pax Exam asks for the configuration (before the
 * container starts) and closes it after the container has stopped: {@code @AfterClass} would run
 * inside the container, once per test method.
 */
final class KarafWorld {
    static final String SANDBOX_PROPERTY = "weft.itest.sandbox";
    private static final String CUSTOM = "etc/custom.properties";
    private static final String MAVEN = "etc/org.ops4j.pax.url.mvn.cfg";

    private static KarafWorld current;

    private final Leaks before;
    private final TestHost host;
    private final Path dir;

    private KarafWorld(Leaks before, TestHost host, Path dir) {
        this.before = before;
        this.host = host;
        this.dir = dir;
    }

    /** The container's configuration; makes the world on the first call. */
    static synchronized Option[] configuration() throws IOException {
        if (current == null) {
            current = open();
        }
        return current.karafOptions();
    }

    /**
     * Removes the world, if one was made: the host namespace with the sandbox, the temporary
     * directory; then asserts with the kit that nothing made since it was opened remains.
     */
    static synchronized void closeCurrent() {
        KarafWorld world = current;
        current = null;
        if (world != null) {
            world.close();
        }
    }

    private static KarafWorld open() throws IOException {
        Leaks before = Leaks.snapshot();
        TestHost host = TestHost.create();
        try {
            host.adopt("s");
            // Short path: the local CLI's socket (RUN_DIR/cli.sock) is limited to 107 bytes.
            return new KarafWorld(before, host, Files.createTempDirectory("weft-karaf-"));
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
    }

    private Option[] karafOptions() {
        String id = host.id();
        return options(
                karafDistributionConfiguration()
                        // the reactor's archive (or the repository's when itests builds alone): a
                        // file URL needs no Maven resolution, so a plain `mvn verify` tests this build
                        .frameworkUrl(Path.of(property("weft.distribution")).toUri().toString())
                        .karafVersion(property("weft.itest.karaf.version"))
                        .name("Weft")
                        .unpackDirectory(new File(property("weft.itest.karaf.unpack")))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole(),
                logLevel(LogLevel.WARN),
                editConfigurationFilePut(CUSTOM, "weft.instance", "it" + id),
                editConfigurationFilePut(CUSTOM, "weft.run.dir", dir.resolve("run").toString()),
                editConfigurationFilePut(CUSTOM, "weft.state.dir", dir.resolve("state").toString()),
                // where the kit's namespaces live, so the host can remove the sandbox
                editConfigurationFilePut(CUSTOM, "weft.netns.dir", "/run/netns"),
                editConfigurationFilePut(CUSTOM, "weft.etc.netns.dir", dir.resolve("etc-netns").toString()),
                editConfigurationFilePut(CUSTOM, "weft.host.netns", host.path().toString()),
                editConfigurationFilePut(CUSTOM, "weft.nft.table", "weft_it" + id),
                editConfigurationFilePut(CUSTOM, "weft.link.prefix", "w" + id.substring(0, 3)),
                // Pax Exam's own bundles (feature "exam") come from the build's local repository;
                // Central only for what is not there yet, never the distribution's snapshot repositories
                editConfigurationFilePut(MAVEN, "org.ops4j.pax.url.mvn.localRepository",
                        property("org.ops4j.pax.url.mvn.localRepository")),
                editConfigurationFilePut(MAVEN, "org.ops4j.pax.url.mvn.repositories",
                        property("org.ops4j.pax.url.mvn.repositories")),
                systemProperty(SANDBOX_PROPERTY).value(host.namespaceName("s")));
    }

    private void close() {
        Cleanup cleanup = new Cleanup();
        cleanup.step(host::close);
        cleanup.step(() -> Cleanup.deleteTree(dir));
        cleanup.step(before::assertUnchanged);
        cleanup.throwIfFailed(host.name());
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run the itests through Maven "
                    + "(mvn verify), whose failsafe configuration sets it");
        }
        return value;
    }
}
