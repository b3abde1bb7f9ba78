package dev.weft.driver.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.PortSpec;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.SandboxConfig;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** CHECK after another tool flushed the firewall; GC (DEL from the cache) of an attachment a crash left without a record. */
@ExtendWith(KernelTest.class)
class CniLifecycleKernelTest extends CniFixture.PerTest {

    private Path conflist() throws Exception {
        return f.conflist("cnilc", "1.0.0",
                "{\"type\": \"bridge\", \"bridge\": \"cnilc0\", \"isGateway\": true, \"ipMasq\": true, \"ipam\": "
                        + f.hostLocal("10.89.0.0/24") + "}",
                "{\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}");
    }

    @Test
    void reapplyRunsCheckWhichReportsAFlushedRuleset() throws Exception {
        f.network("lc", conflist(), null);
        TestSandbox a = f.sandbox("a", "lc");
        TestSandbox b = f.sandbox("b", "lc", new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("8081:80"))));
        String epA = f.controller().sandbox(a.name()).orElseThrow().endpoints().get(0).id();
        String epB = f.controller().sandbox(b.name()).orElseThrow().endpoints().get(0).id();
        f.controller().reapply();
        f.driver.awaitBackground();
        assertEquals("ok", f.driver.lastCheck(epA));
        // Debian's portmap 1.1.1 checks IPv6 DNAT chains also for an IPv4-only mapping (a plugin bug,
        // fixed upstream later): its CHECK fails on IPv6 from the start, never on IPv4
        String intact = f.driver.lastCheck(epB);
        assertTrue(intact.equals("ok") || !intact.contains("ipv4"), intact);

        f.host.exec("nft", "flush", "ruleset");
        f.controller().reapply();
        f.driver.awaitBackground();
        String check = f.driver.lastCheck(epB);
        assertTrue(check.contains("CNI plugin \"portmap\" failed CHECK") && check.contains("ipv4"), check);
        assertEquals(check, f.controller().sandbox(b.name()).orElseThrow().endpoints().get(0).driverInfo().get("Cni.check"),
                "sandbox:inspect shows the failed CHECK");
        f.controller().removeSandbox(a.name(), false);
        f.controller().removeSandbox(b.name(), false);
        f.controller().removeNetwork("lc");
    }

    @Test
    void aRestartCollectsAnAttachmentNoEndpointExplains() throws Exception {
        NetworkInfo n = f.network("lc", conflist(), null);
        TestSandbox a = f.sandbox("a", "lc");
        // a crash between the plugins' ADD and the controller's record: an attachment only the cache knows
        TestSandbox lost = f.host.sandbox("lost");
        String lostEp = "f".repeat(64);
        NetworkConfig config = new NetworkConfig(n.id(), "lc", false, false, List.of(), Map.of(), false, "default");
        f.driver.join(config, f.driver.parseOptions(Map.of(CniOptions.CONFLIST, conflist().toString())),
                new EndpointConfig(lostEp, "eth0", null, null, null, null, false, false, null, List.of()),
                new SandboxConfig("e".repeat(64), lost.name(), dev.weft.net.NetNamespace.at(lost.name(), lost.path())));
        String lostIp = CniFixture.ipv4(lost);
        Path cache = f.dir.resolve("cni").resolve(n.id()).resolve("endpoints").resolve(lostEp + ".json");
        assertTrue(Files.exists(cache));
        assertTrue(Files.exists(f.dir.resolve("ipam").resolve("cnilc").resolve(lostIp)), "host-local holds its address");

        f.restart();                                    // as kill -9: no leave ran
        f.driver.awaitBackground();
        assertFalse(Files.exists(cache), "the stale attachment's DEL ran from the cache");
        assertFalse(Files.exists(f.dir.resolve("ipam").resolve("cnilc").resolve(lostIp)), "its address is free again");
        assertFalse(lost.tryIp("link", "show", "eth0").succeeded(), "its interface is gone");
        String ep = f.controller().sandbox(a.name()).orElseThrow().endpoints().get(0).id();
        assertEquals("ok", f.driver.lastCheck(ep), "the valid attachment passed its CHECK after the restart");
        assertNotNull(CniFixture.ipv4(a));
        f.controller().removeSandbox(a.name(), false);
        f.controller().removeNetwork("lc");
    }
}
