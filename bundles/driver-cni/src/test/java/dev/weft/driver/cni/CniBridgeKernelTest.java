package dev.weft.driver.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A network over the Debian plugins bridge + host-local + portmap: sandboxes talk, a published port
 * answers from another namespace, DEL leaves no per-attachment state, network:remove deletes the
 * bridge the plugin made, CHECK reports an `nft flush ruleset`, GC after a crash collects.
 */
@ExtendWith(KernelTest.class)
class CniBridgeKernelTest extends CniFixture.PerTest {

    private Path bridgeConflist() throws Exception {
        return f.conflist("cnibr", "1.0.0",
                "{\"type\": \"bridge\", \"bridge\": \"cnibr0\", \"isGateway\": true, \"ipMasq\": true, \"ipam\": "
                        + f.hostLocal("10.88.0.0/24") + "}",
                "{\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}, \"snat\": true}");
    }

    @Test
    void sandboxesTalkAPublishedPortAnswersAndDelLeavesNothing() throws Exception {
        TestSandbox out = f.host.outside("out", "192.168.77.1/24", "192.168.77.2/24");
        String beforeLinks = f.hostLinks();
        String beforeRules = f.host.exec("iptables-save").replaceAll("(?m)^#.*$", "").replaceAll("\\[\\d+:\\d+\\]", "");
        cycle(out, "a", "b");
        // portmap's shared top-level chains (CNI-HOSTPORT-*, made once per host namespace and shared
        // by every network, as with Podman and containerd) are all that stays after the first network
        String rules = f.host.exec("iptables-save").replaceAll("(?m)^#.*$", "").replaceAll("\\[\\d+:\\d+\\]", "");
        for (String line : CniFixture.added(beforeRules, rules).split("\n")) {
            assertTrue(line.isBlank() || line.contains("CNI-HOSTPORT") || line.matches("(\\*nat|:[A-Z]+ ACCEPT\\s*|COMMIT)"),
                    "only portmap's shared chains stay: " + line);
        }
        assertEquals(beforeLinks, f.hostLinks(), "links, addresses and routes as before");
        String first = f.hostState();
        cycle(out, "c", "d");
        assertEquals(first, f.hostState(), "a second network's whole life leaves the host namespace as it found it");
    }

    private void cycle(TestSandbox out, String nameA, String nameB) throws Exception {
        f.network("br", bridgeConflist(), null);
        TestSandbox a = f.sandbox(nameA, "br");
        TestSandbox b = f.sandbox(nameB, "br", new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("8080:80"))));
        String ipA = CniFixture.ipv4(a), ipB = CniFixture.ipv4(b);
        assertTrue(ipA.startsWith("10.88.0.") && ipB.startsWith("10.88.0.") && !ipA.equals(ipB), ipA + " " + ipB);
        try (TcpListener l = b.listenTcp(7000); TcpConnection c = a.connectTcp(ipB, 7000)) {
            assertEquals(ipA, c.peerSeenBy(l));
        }
        // what the plugins reported, in sandbox:inspect
        SandboxInfo info = f.controller().sandbox(b.name()).orElseThrow();
        EndpointInfo ep = info.endpoints().get(0);
        assertEquals("eth0", ep.interfaceName());
        assertTrue(ep.driverInfo().get("Cni.ips").contains(ipB), ep.driverInfo().toString());
        assertTrue(f.controller().network("br").orElseThrow().remarks().get("CniPlugins").startsWith("bridge,portmap"),
                f.controller().network("br").orElseThrow().remarks().toString());

        // published: another namespace on the host's LAN reaches b's port 80 through the host's 8080
        try (TcpListener l = b.listenTcp(80); TcpConnection c = out.connectTcp("192.168.77.1", 8080)) {
            assertNotEquals(null, c.peerSeenBy(l));
        }
        assertTrue(f.host.exec("iptables-save", "-t", "nat").contains("--dport 8080"));

        f.controller().removeSandbox(a.name(), false);
        f.controller().removeSandbox(b.name(), false);
        String nat = f.host.exec("iptables-save", "-t", "nat");
        assertFalse(nat.contains("--dport 8080") || nat.contains("CNI-DN-"), "portmap's DEL removed its DNAT: " + nat);
        assertFalse(nat.contains("10.88.0.") && nat.contains("-j CNI-"), "the bridge's DEL removed its masquerade: " + nat);
        assertTrue(f.host.ip("link").contains("cnibr0"), "the bridge plugin's DEL keeps its bridge, by design");

        f.controller().removeNetwork("br");
        assertFalse(f.host.ip("link").contains("cnibr0"), "network:remove deleted the bridge the plugins made");
    }
}
