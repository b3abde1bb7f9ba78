package dev.weft.dockerapi.internal;

import dev.weft.api.Controller;
import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.driver.bridge.BridgeDriver;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.PerTestFixture;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A controller ({@link Standalone}) with the bridge driver on a throwaway host namespace, served by
 * the Engine API on a socket in a temporary directory, and the real {@code docker} CLI pointed at
 * it ({@code DOCKER_HOST=unix://DIR/run/docker.sock}, its own {@code DOCKER_CONFIG}). {@link #close()}
 * stops the server and removes the sandboxes, the host and the directory, also after a failure.
 */
final class DockerCliFixture implements AutoCloseable {
    static final Path DOCKER = Path.of("/usr/local/bin/docker");
    final TestHost host;
    final Path dir;
    final Standalone runtime;
    final BridgeDriver driver;
    final DockerApiServer server;

    abstract static class PerTest extends PerTestFixture<DockerCliFixture> {
        @Override
        protected DockerCliFixture open() throws Exception {
            Assumptions.assumeTrue(Files.isExecutable(DOCKER), "the docker CLI 28.2.2 is not at " + DOCKER
                    + ": the tests that drive Weft with it are skipped");
            return new DockerCliFixture();
        }
    }

    DockerCliFixture() throws Exception {
        host = TestHost.create();
        Standalone rt = null;
        BridgeDriver br = null;
        Path d = null;
        try {
            d = Files.createTempDirectory("weft-docker-api-test-");
            Files.createDirectories(d.resolve("docker-config"));
            rt = Standalone.builder().hostNamespace(host.path()).directories(d.resolve("weft")).build();
            br = new BridgeDriver(rt.driverContext("test", "wt", "weft", DriverContext.FirewallMode.NFTABLES, 0,
                    Map.of(BridgeDriver.DEFAULT_SUBNET_SETTING, "none")), rt.kernel());
            rt.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "0.1.0", br);
            server = new DockerApiServer(rt.controller(), d.resolve("run").resolve(Listeners.SOCKET_NAME),
                    Listeners.group(""), null, 8, "0.1.0.test", "test");
        } catch (Exception | Error e) {
            if (br != null) {
                br.close();
            }
            if (rt != null) {
                rt.close();
            }
            host.close();
            if (d != null) {
                deleteTree(d);
            }
            throw e;
        }
        dir = d;
        runtime = rt;
        driver = br;
    }

    Controller controller() {
        return runtime.controller();
    }

    /** A sandbox of Weft's in the test host, on {@code network} (null: none). */
    TestSandbox sandbox(String shortName, String network) {
        controller().createSandbox(new SandboxSpec(host.namespaceName(shortName), network, EndpointSpec.defaults(), null));
        return host.adopt(shortName);
    }

    SandboxInfo info(TestSandbox s) {
        return controller().sandbox(s.name()).orElseThrow();
    }

    /** The result of one docker CLI run. */
    record Run(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.isBlank() ? List.of() : List.of(stdout.strip().split("\n"));
        }
    }

    /** Runs {@code docker ARGS} against this fixture's socket. */
    Run docker(String... args) {
        return dockerWith(Map.of(), args);
    }

    /** Runs {@code docker ARGS} against this fixture's socket with more environment ({@code DOCKER_API_VERSION}). */
    Run dockerWith(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(DOCKER.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("DOCKER_HOST", "unix://" + server.socket());
        pb.environment().put("DOCKER_CONFIG", dir.resolve("docker-config").toString());
        pb.environment().remove("DOCKER_API_VERSION");
        pb.environment().remove("DOCKER_CONTEXT");
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("docker " + String.join(" ", args) + " did not end within 30 s");
            }
            Run run = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return run;
        } catch (IOException e) {
            throw new AssertionError("cannot run docker: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code docker ARGS}, which must succeed; its stdout. */
    String ok(String... args) {
        Run r = docker(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("docker " + String.join(" ", args) + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
            for (SandboxInfo s : controller().sandboxes()) {
                try {
                    controller().removeSandbox(s.name(), true);
                } catch (RuntimeException e) {
                    // the host's close removes the namespace anyway
                }
            }
            runtime.awaitRemovals();
            driver.drain();
            driver.close();
            runtime.close();
        } finally {
            try {
                host.close();
            } finally {
                deleteTree(dir);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        }
    }
}
