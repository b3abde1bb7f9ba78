package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.net.IpAddresses;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.NamespaceProbe;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sandbox removal: the user's path ends with the sandbox out of its networks and its listings;
 * the namespace's deletion and the kernel's destruction of its veth follow in the background. A
 * new sandbox of the same name, or asking for the same static address, waits for just that much,
 * so the address is handed out again only once the old veth is gone.
 */
@ExtendWith(KernelTest.class)
class SandboxRemovalKernelTest extends BridgeFixture.PerTest {
    @BeforeEach
    void setUp() throws Exception {
        f.network("blue", "10.83.0.0/24", Map.of());
    }

    private TestSandbox sandboxAt(String shortName, String ipv4) {
        create(f.host.namespaceName(shortName), ipv4);
        return f.host.adopt(shortName);
    }

    private void create(String name, String ipv4) {
        f.controller().createSandbox(new SandboxSpec(name, "blue",
                new EndpointSpec(IpAddresses.parse(ipv4), null, List.of(), List.of()), null));
    }

    @Test
    void theNameAndTheStaticAddressAreFreeAtOnceAndTheKernelObjectsGoAfter() throws Exception {
        TestSandbox a = sandboxAt("a", "10.83.0.50");
        TestSandbox b = f.sandbox("b", "blue");
        String oldHostEnd = f.endpointHostEnd(a, "blue");
        Path path = Path.of("/run/netns", a.name());
        long oldNamespace = NamespaceProbe.inode(path);

        f.controller().removeSandbox(a.name());
        assertTrue(f.controller().sandbox(a.name()).isEmpty());
        assertTrue(f.controller().sandboxes().stream().noneMatch(x -> x.name().equals(a.name())));
        assertTrue(f.controller().network("blue").orElseThrow().endpoints().stream()
                .noneMatch(e -> e.sandbox().equals(a.name())));

        // the same name and the same static address, right away: the address is taken back from
        // the removal still finishing (its veth must be gone first)
        create(a.name(), "10.83.0.50");
        TestSandbox again = a; // the kit's handle works by name
        assertFalse(f.host.tryIp("link", "show", "dev", oldHostEnd).succeeded(),
                "the old veth is gone before its address is handed out again");
        // (not compared by inode: the kernel hands a freed namespace's inode number out again at
        // once, so the new namespace may well carry the old one's number)
        try (TcpListener l = again.listenTcp(8080)) {
            assertEquals(f.ipv4(b, "blue"), b.connectTcp("10.83.0.50", 8080).peerSeenBy(l));
        }

        f.controller().removeSandbox(again.name());
        String hostEnd = f.endpointHostEnd(b, "blue");
        f.controller().removeSandbox(b.name());
        f.runtime.awaitRemovals();
        assertFalse(Files.exists(path), "namespace name left behind");
        assertFalse(f.host.tryIp("link", "show", "dev", hostEnd).succeeded(), "veth of b left behind");
        // what this test made only: a namespace of another test may carry the old inode number now
        assertFalse(NamespaceProbe.mountedUnder(oldNamespace, f.host.name()), "the old namespace is still mounted");
        assertEquals("", f.host.ip("-o", "link", "show", "master", "br-" + f.controller().network("blue").orElseThrow()
                .id().substring(0, 12)).strip(), "ports left on the bridge");
        try (var left = Files.list(f.dir.resolve("etc-netns"))) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "resolv.conf directories left");
        }
    }

    @Test
    void aProcessHoldingTheRemovedNamespaceKeepsNeitherTheVethNorTheAddress() throws Exception {
        TestSandbox a = sandboxAt("a", "10.83.0.60");
        String oldHostEnd = f.endpointHostEnd(a, "blue");
        Process holder = a.spawn("sleep", "60");
        try {
            Path path = Path.of("/run/netns", a.name());
            f.controller().removeSandbox(a.name());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (Files.exists(path) && System.nanoTime() < deadline) {
                Thread.sleep(10); // the name goes in the background, at the first quiet moment
            }
            assertFalse(Files.exists(path), "namespace name still there 5 s after the removal");
            assertTrue(f.host.tryIp("link", "show", "dev", oldHostEnd).succeeded(),
                    "the namespace lives on in the process, and so does its veth until the driver deletes it");
            f.driver.drain(); // the driver deletes such a veth itself (after a grace of some seconds)
            f.runtime.awaitRemovals();
            assertFalse(f.host.tryIp("link", "show", "dev", oldHostEnd).succeeded());

            TestSandbox c = sandboxAt("c", "10.83.0.60");
            TestSandbox d = f.sandbox("d", "blue");
            try (TcpListener l = c.listenTcp(8080)) {
                assertEquals(f.ipv4(d, "blue"), d.connectTcp("10.83.0.60", 8080).peerSeenBy(l));
            }
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }
}
