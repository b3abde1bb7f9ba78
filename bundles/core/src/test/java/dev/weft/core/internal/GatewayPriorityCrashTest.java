package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runtime halts (as kill -9) after a connect of higher gw-priority took the default route off
 * the sandbox's first network and before the new endpoint joined: the restarted runtime removes
 * the half-made endpoint and gives the route back to the first network, proven with traffic.
 */
@ExtendWith(KernelTest.class)
class GatewayPriorityCrashTest {

    @Test
    void aCrashInTheMiddleOfAMoveLeavesTheDefaultRouteWhereItWas() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            TestSandbox a = f.host.adopt("a");
            f.stop();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-D" + CrashPoints.PROPERTY + "=default-route-taken", "-cp", System.getProperty("java.class.path"),
                    GatewayCrashChild.class.getName(), f.host.path().toString(), f.dir.toString(), f.etcNetns.toString(),
                    f.resolvConf.toString(), a.name()).redirectErrorStream(true).start();
            child.getOutputStream().close();
            String out = new String(child.getInputStream().readAllBytes());
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "the child should halt at default-route-taken:\n" + out);
            assertEquals("", a.ip("-4", "route", "show", "default").strip(), "the crash left no default route");

            f.start();

            List<EndpointInfo> eps = f.controller.sandbox(a.name()).orElseThrow().endpoints();
            assertEquals(List.of("blue"), eps.stream().map(EndpointInfo::network).toList(), "green's half-made endpoint is gone");
            assertTrue(eps.get(0).defaultRoute4());
            assertEquals("default via 10.82.1.1 dev eth0", a.ip("-4", "route", "show", "default").strip());
            f.host.ip("addr", "add", "192.0.2.10/32", "dev", "lo");
            try (TcpListener l = f.host.listenTcp("192.0.2.10", 7070); TcpConnection c = a.connectTcp("192.0.2.10", 7070)) {
                assertEquals("10.82.1.2", c.peerSeenBy(l), "out through blue's default route");
            }
        }
    }
}
