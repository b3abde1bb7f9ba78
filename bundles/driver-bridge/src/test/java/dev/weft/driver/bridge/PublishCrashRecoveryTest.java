package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.net.IpAddresses;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime halts (as kill -9) while {@code sandbox:create -p} makes the first sandbox of a new
 * network: after the driver's join, and after its element batch but before the record says the
 * endpoint is ready. After a restart no element of the half-made endpoint is left in the maps, no
 * socket holds its port, and a later sandbox given the same address receives none of that port's
 * traffic; the port can be published again.
 */
@ExtendWith(KernelTest.class)
class PublishCrashRecoveryTest {
    private static final Duration SHORT = Duration.ofMillis(700);

    @ParameterizedTest
    @ValueSource(strings = {"endpoint-joined", "endpoint-published"})
    void aCrashWhilePublishingLeavesNoElementThatSendsThePortElsewhere(String point) throws Exception {
        try (BridgeFixture f = new BridgeFixture()) {
            TestSandbox lan = f.lanWithDefaultRoute();
            f.stop();
            TestSandbox web = f.host.adopt("web");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dweft.test.crash-at=" + point, "-cp", System.getProperty("java.class.path"),
                    BridgeCrashChild.class.getName(), f.host.path().toString(), f.dir.toString(), "10.81.0.0/24",
                    web.name(), "8080:80").redirectErrorStream(true).start();
            child.getOutputStream().close();
            String out = new String(child.getInputStream().readAllBytes());
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "the child should halt at " + point + ":\n" + out);
            if (point.equals("endpoint-published")) {
                assertTrue(f.nft("list", "map", "inet", "weft", "pub_any").contains("10.81.0.2 . 80"),
                        "the crash came after the element batch");
            }

            f.start();

            assertTrue(f.controller().sandboxes().isEmpty(), "the half-made sandbox is removed");
            String map = f.nft("list", "map", "inet", "weft", "pub_any");
            assertFalse(map.contains("elements"), "no element of the half-made endpoint is left:\n" + map);
            try (TcpListener free = f.host.listenTcp(8080)) {
                assertTrue(free.port() == 8080, "no socket of Weft holds the port any more");
            }
            // a later sandbox given the address the half-made one had receives nothing for that port
            f.controller().createSandbox(new SandboxSpec(f.host.namespaceName("next"), "blue",
                    new EndpointSpec(IpAddresses.parse("10.81.0.2"), null, List.of(), List.of()), null));
            TestSandbox next = f.host.adopt("next");
            try (TcpListener l = next.listenTcp(80)) {
                assertFalse(lan.canConnectTcp("10.99.0.1", 8080, SHORT), "port 8080 must not reach " + next.name());
            }
            // and the port can be published again, to a new sandbox
            TestSandbox again = f.sandbox("again", "blue", "8080:80");
            try (TcpListener l = again.listenTcp(80)) {
                assertEquals("10.99.0.2", lan.connectTcp("10.99.0.1", 8080).peerSeenBy(l));
            }
        }
    }
}
