package dev.weft.itests.felix;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;

/**
 * What the embedded Felix gets: SCR with its OSGi APIs, Felix ConfigAdmin, JNA and Gson, Weft's
 * network values, API and SPI, kernel layer, core, three drivers and the sample IPAM driver, all from files the build copied to
 * {@code target/felix-bundles} (Weft's own straight from the reactor).
 *
 * <p>Core is installed but not started; each test configures it for a throwaway world first and
 * starts it then ({@link WeftInstance}). (Its configuration policy is REQUIRE, so it would not
 * activate without a configuration anyway; starting it afterwards keeps each test's start explicit.)
 *
 * <p>The test kit is not a bundle: the framework exports its package from the class path, so the
 * test code in the probe uses the same kit as every other kernel test.
 */
final class FelixSetup {
    static final String CORE = "dev.weft.core";
    static final String SAMPLE = "dev.weft.driver-sample";
    static final String IPAM_SAMPLE = "dev.weft.ipam-sample";

    private FelixSetup() {}

    static Option[] provisioning() {
        return options(
                systemPackage("dev.weft.testkit;version=\"0.1.0\""),
                workingDirectory(property("weft.itest.work")),
                cleanCaches(true),
                // Pax Exam's pax-logging-api takes over java.util.logging: Weft's INFO lines, not everyone's DEBUG
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("INFO"),
                // ConfigAdmin before SCR: SCR must find it when it starts, or it runs without configurations
                file("org.apache.felix.configadmin"),
                file("org.osgi.util.function"),
                file("org.osgi.util.promise"),
                file("org.osgi.service.component"),
                file("org.apache.felix.scr"),
                file("jna"),
                file("gson"),
                file("net"),
                file("api"),
                file("linux"),
                file("core").start(false),
                file("driver-null"),
                file("driver-host"),
                file("driver-sample"),
                file("ipam-sample"),
                junitBundles());
    }

    /** The location (file URL) of a provisioned bundle, by artifact id. */
    static String location(String artifactId) {
        Path jar = Path.of(property("weft.itest.bundles")).resolve(artifactId + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("bundle " + jar + " is missing: run the itests through Maven (mvn verify), "
                    + "which copies the bundles there");
        }
        return jar.toUri().toString();
    }

    private static UrlProvisionOption file(String artifactId) {
        return bundle(location(artifactId));
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
