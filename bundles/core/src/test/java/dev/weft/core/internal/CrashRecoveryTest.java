package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.testkit.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime halts (as kill -9) between a kernel change and its record; a restarted runtime
 * finishes or undoes the half-made object: nothing duplicated, nothing leaked, leases free.
 */
@ExtendWith(KernelTest.class)
class CrashRecoveryTest {

    @ParameterizedTest
    @ValueSource(strings = {"network-created", "sandbox-namespace-made", "endpoint-joined"})
    void aCrashBetweenAKernelChangeAndItsRecordLeavesNothingAfterRestart(String point) throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            String sandbox = f.sandboxName("a");
            f.stop();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dweft.test.crash-at=" + point, "-cp", System.getProperty("java.class.path"),
                    CrashChild.class.getName(), f.host.path().toString(), f.dir.toString(), f.etcNetns.toString(),
                    f.resolvConf.toString(), sandbox).redirectErrorStream(true).start();
            child.getOutputStream().close();
            String out = new String(child.getInputStream().readAllBytes());
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "the child should halt at " + point + ":\n" + out);

            f.start();

            assertFalse(Files.exists(Path.of("/run/netns", sandbox)), "the half-made sandbox's namespace is removed");
            assertTrue(f.controller.sandboxes().isEmpty());
            String links = f.host.ip("-o", "link");
            assertFalse(links.contains(" tv"), "no veth of the half-made endpoint remains: " + links);
            List<String> networks = f.controller.networks().stream().map(NetworkInfo::name).toList();
            if (point.equals("network-created")) {
                assertEquals(List.of("host", "none"), networks, "the half-made network is removed");
                assertFalse(links.contains(" tb"), "its bridge is removed: " + links);
            } else {
                assertEquals(List.of("blue", "host", "none"), networks);
                assertEquals(1, links.lines().filter(l -> l.contains(" tb")).count(), "one bridge, not recreated: " + links);
                String again = f.sandboxName("b");
                var spec = new SandboxSpec(again, "blue", new dev.weft.api.EndpointSpec(
                        dev.weft.net.IpAddresses.parse("10.81.0.2"), null, List.of(), List.of()), null);
                assertEquals("10.81.0.2/24", f.controller.createSandbox(spec).endpoints().get(0).ipv4().toString(),
                        "the half-made endpoint's lease is free again");
            }
        }
    }
}
