package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TestSandbox;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The second client: Docker's SDK for Python (Debian's {@code python3-docker}, which {@code ./weft
 * test} installs) runs {@code sdk_session.py} against Weft: the bodies it sends (IPAM pools,
 * {@code CheckDuplicate}, {@code null}s), version negotiation ({@code version="auto"}), network
 * containers looked up one by one, its error classes by status.
 */
@ExtendWith(KernelTest.class)
class PythonSdkKernelTest extends DockerCliFixture.PerTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void theSdkManagesNetworksAndFindsSandboxes() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c", "import docker")
                .start().waitFor() == 0, "Docker's SDK for Python (python3-docker) is not installed: skipped");
        f.ok("network", "create", "--subnet", "10.72.0.0/24", "home");
        TestSandbox s = f.sandbox("s", "home");
        Path script = f.dir.resolve("sdk_session.py");
        try (InputStream in = getClass().getResourceAsStream("/sdk_session.py")) {
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), script.toString(), s.name());
        pb.environment().put("DOCKER_HOST", "unix://" + f.server.socket());
        pb.environment().remove("DOCKER_API_VERSION");
        Path out = f.dir.resolve("sdk.out");
        Path err = f.dir.resolve("sdk.err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stdout + Files.readString(err, StandardCharsets.UTF_8));
        List<String> steps = stdout.lines().map(l -> l.split(" ", 2)[0]).toList();
        assertEquals(List.of("ping", "created", "duplicate", "connected", "in", "not", "no", "pruned"), steps, stdout);
        assertTrue(stdout.contains("ping 1.50"), "negotiated Weft's version: " + stdout);
        assertEquals(List.of("home"), f.controller().networks().stream().map(n -> n.name()).toList());
    }
}
