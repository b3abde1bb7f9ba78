package dev.weft.driver.macvlan;

import static dev.weft.driver.macvlan.MacvlanFixture.GW4;
import static dev.weft.driver.macvlan.MacvlanFixture.SUBNET4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A restart of the runtime and a driver bundle going away and coming back keep the sandboxes'
 * links (same interface, same MAC) and their traffic, an open connection included; a link that
 * vanished meanwhile is made again; removing the network leaves the parent as it was.
 */
@ExtendWith(KernelTest.class)
class MacvlanRestoreKernelTest extends MacvlanFixture.PerTest {

    @Test
    void aRestartReadoptsTheLinksAndAnOpenConnectionKeepsGoing() {
        f.network("mv", SUBNET4, GW4, Map.of());
        TestSandbox a = f.sandbox("a", "mv");
        TestSandbox b = f.sandbox("b", "mv");
        String before = a.ip("-d", "link", "show", "eth0");
        try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = a.connectTcp(GW4, 7000)) {
            assertEquals(f.lan.name(), c.readLine());
            f.restart();
            c.writeLine("still there");
            assertEquals("still there", c.readLine(), "the open connection survived the restart");
        }
        assertEquals(before, a.ip("-d", "link", "show", "eth0"), "the same link, not a new one");
        try (TcpListener l = b.listenTcp(7001); TcpConnection c = a.connectTcp(f.ipv4(b, "mv"), 7001)) {
            assertEquals(f.ipv4(a, "mv"), c.peerSeenBy(l));
        }
        TestSandbox c = f.sandbox("c", "mv"); // the restarted driver takes new endpoints
        try (TcpListener l = f.lan.listenTcp(7002); TcpConnection conn = c.connectTcp(GW4, 7002)) {
            assertEquals(f.ipv4(c, "mv"), conn.peerSeenBy(l));
        }
    }

    @Test
    void theDriverGoingAwayAndComingBackKeepsTrafficAndRemakesAMissingLink() {
        f.network("mv", SUBNET4, GW4, Map.of());
        TestSandbox a = f.sandbox("a", "mv");
        TestSandbox b = f.sandbox("b", "mv");
        String macB = f.endpoint(b, "mv").mac().toString();
        try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = a.connectTcp(GW4, 7000)) {
            assertEquals(f.lan.name(), c.readLine());
            f.removeDriver();
            assertFalse(f.controller().network("mv").orElseThrow().available());
            c.writeLine("while away");
            assertEquals("while away", c.readLine(), "the driver's absence cuts no traffic");
            b.ip("link", "del", "eth0"); // lost while the driver was away
            f.addDriver();
            assertTrue(f.controller().network("mv").orElseThrow().available());
            c.writeLine("back");
            assertEquals("back", c.readLine());
        }
        String link = b.ip("-d", "link", "show", "eth0");
        assertTrue(link.contains("macvlan mode bridge") && link.contains(macB), "made again with its MAC: " + link);
        try (TcpListener l = f.lan.listenTcp(7001); TcpConnection c = b.connectTcp(GW4, 7001)) {
            assertEquals(f.ipv4(b, "mv"), c.peerSeenBy(l));
        }
    }

    /**
     * A sandbox's removal leaves its link to the namespace's destruction (off the user's path) but
     * takes its address off at once: with the namespace still held by something else, the address
     * goes to a new sandbox, and only that one answers for it on the LAN.
     */
    @Test
    void aRemovedSandboxsLinkAnswersForNoAddressEvenWhileItsNamespaceIsHeld() throws Exception {
        f.network("mv", SUBNET4, GW4, Map.of());
        TestSandbox a = f.sandbox("a", "mv");
        String address = f.ipv4(a, "mv");
        try (java.nio.channels.FileChannel held = java.nio.channels.FileChannel.open(a.path())) {
            f.controller().removeSandbox(a.name());
            f.runtime.awaitRemovals();
            TestSandbox b = f.sandbox("b", "mv", new dev.weft.api.EndpointSpec(
                    dev.weft.net.IpAddresses.parse(address), null, java.util.List.of(), java.util.List.of()));
            for (int port = 7100; port < 7105; port++) { // a few fresh neighbour lookups, none may reach a
                f.lan.ip("neigh", "flush", "all");
                try (TcpListener l = b.listenTcp(port); TcpConnection c = f.lan.connectTcp(address, port)) {
                    assertEquals(GW4, c.peerSeenBy(l), "the LAN reaches " + address + " at b");
                }
            }
            assertTrue(held.isOpen());
        }
    }

    @Test
    void removingEverythingLeavesTheParentAsItWas() throws InterruptedException {
        String parent = parent();
        f.network("mv", SUBNET4, GW4, Map.of(MacvlanOptions.MTU, "1400"));
        TestSandbox a = f.sandbox("a", "mv");
        f.controller().disconnect("mv", a.name(), false);
        assertFalse(a.tryIp("link", "show", "eth0").succeeded(), "leave deletes the link");
        f.controller().connect("mv", a.name(), dev.weft.api.EndpointSpec.defaults());
        f.controller().removeSandbox(a.name());
        f.runtime.awaitRemovals();
        f.controller().removeNetwork("mv");
        // the sandbox's link goes with its namespace, which the kernel destroys in its cleanup worker
        // after the reaper's unmount: wait for that (bounded), then the parent must be as it was
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!parent.equals(parent()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(parent, parent());
        assertTrue(f.controller().networks().isEmpty());
    }

    private String parent() {
        return f.host.ip("-d", "link", "show", MacvlanFixture.PARENT).replaceAll(" state [A-Z]+ ", " ")
                .replaceAll("<[^>]*>", "");
    }
}
