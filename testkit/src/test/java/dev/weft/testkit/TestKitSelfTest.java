package dev.weft.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The kit proves itself on the real kernel: a bridge with two sandboxes, traffic both families. */
@ExtendWith(KernelTest.class)
class TestKitSelfTest {
    private static final Duration WAIT = Duration.ofSeconds(2);

    @Test
    void tcpFromAToBIsSeenWithAsAddress() {
        try (TestHost host = TestHost.create()) {
            TestSandbox a = host.sandbox("a"), b = host.sandbox("b");
            host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24").attach(b, "10.1.0.3/24");
            try (TcpListener listener = b.listenTcp(8080)) {
                TcpConnection connection = a.connectTcp("10.1.0.3", 8080);
                assertEquals(b.name(), connection.readLine(), "greeting names the namespace that answered");
                assertEquals("10.1.0.2", connection.peerSeenBy(listener));
                connection.writeLine("ping");
                assertEquals("ping", connection.readLine());
                assertEquals("10.1.0.2", listener.awaitConnection(WAIT));
            }
        }
    }

    @Test
    void udpDatagramsCarryTheirSourceAddressAndPort() {
        try (TestHost host = TestHost.create()) {
            TestSandbox a = host.sandbox("a"), b = host.sandbox("b");
            host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24").attach(b, "10.1.0.3/24");
            try (UdpListener listener = b.listenUdp("10.1.0.3", 5353)) {
                a.sendUdp("10.1.0.3", 5353, "hello");
                Datagram first = listener.awaitDatagram(WAIT);
                assertNotNull(first, "no datagram arrived");
                assertEquals("hello", first.payload());
                assertEquals("10.1.0.2", first.source());

                try (UdpSender flow = a.udpSender(40000)) {
                    flow.send("10.1.0.3", 5353, "one");
                    flow.send("10.1.0.3", 5353, "two");
                }
                assertEquals(new Datagram("one", "10.1.0.2", 40000), listener.awaitDatagram(WAIT));
                assertEquals(new Datagram("two", "10.1.0.2", 40000), listener.awaitDatagram(WAIT));
            }
        }
    }

    @Test
    void ipv6TcpCrossesTheBridgeWithoutWaitingForDad() {
        try (TestHost host = TestHost.create()) {
            TestSandbox a = host.sandbox("a"), b = host.sandbox("b");
            host.bridge("br0", "10.1.0.1/24", "fd00:1::1/64")
                    .attach(a, "10.1.0.2/24", "fd00:1::2/64")
                    .attach(b, "10.1.0.3/24", "fd00:1::3/64");
            try (TcpListener listener = b.listenTcp(8080)) {
                assertEquals("fd00:1::2", a.connectTcp("fd00:1::3", 8080).peerSeenBy(listener));
                assertEquals("10.1.0.2", a.connectTcp("10.1.0.3", 8080).peerSeenBy(listener),
                        "the dual-stack listener reports IPv4 clients as plain IPv4");
                assertEquals("fd00:1::1", host.connectTcp("[fd00:1::3]", 8080).peerSeenBy(listener));
            }
            assertTrue(a.ip("-6", "route", "show", "default").contains("via fd00:1::1"));
        }
    }

    @Test
    void closedPortsAndUnreachableAddressesCannotBeConnected() {
        try (TestHost host = TestHost.create()) {
            TestSandbox a = host.sandbox("a"), b = host.sandbox("b");
            host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24").attach(b, "10.1.0.3/24");
            assertFalse(a.canConnectTcp("10.1.0.3", 9, WAIT), "nothing listens on port 9");
            assertFalse(a.canConnectTcp("10.1.0.99", 80, Duration.ofMillis(300)), "no such neighbour");
            AssertionError failure = assertThrows(AssertionError.class, () -> a.connectTcp("10.1.0.3", 9));
            assertTrue(failure.getMessage().contains(a.name()) && failure.getMessage().contains("10.1.0.3:9"),
                    failure.getMessage());
            try (TcpListener ignored = b.listenTcp("10.1.0.3", 9)) {
                assertTrue(a.canConnectTcp("10.1.0.3", 9, WAIT));
            }
        }
    }

    @Test
    void callRunsCodeInsideTheNamespaceAndSysctlIsPerNamespace() throws Exception {
        try (TestHost host = TestHost.create()) {
            long inside = host.call(() -> NamespaceProbe.inode(Path.of("/proc/thread-self/ns/net")));
            assertEquals(NamespaceProbe.inode(host.path()), inside);
            assertTrue(inside != NamespaceProbe.inode(Path.of("/proc/thread-self/ns/net")));

            String machineForwarding = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
            host.sysctl("net.ipv4.ip_forward", "1");
            assertEquals("1", host.exec("cat", "/proc/sys/net/ipv4/ip_forward").strip());
            assertEquals("1", host.sysctl("net.ipv4.ip_forward"));
            assertEquals(machineForwarding, Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip());

            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> host.ip("link", "set", "nosuchlink", "up"));
            assertTrue(failure.getMessage().contains("ip -n " + host.name() + " link set nosuchlink up"),
                    failure.getMessage());
        }
    }

    @Test
    void outsideNamespaceIsReachableFromTheHost() {
        try (TestHost host = TestHost.create()) {
            TestSandbox lan = host.outside("lan", "192.168.77.1/24", "192.168.77.2/24");
            try (TcpListener listener = lan.listenTcp(80)) {
                assertEquals("192.168.77.1", host.connectTcp("192.168.77.2", 80).peerSeenBy(listener));
            }
        }
    }

    @Test
    void closeRemovesEverythingAndTheSandboxNamespaceDies() throws Exception {
        Leaks before = Leaks.snapshot();
        long sandboxInode;
        Process sleeper;
        TestHost host = TestHost.create();
        try {
            TestSandbox a = host.sandbox("a");
            host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24");
            sandboxInode = NamespaceProbe.inode(a.path());
            a.listenTcp(8080);      // left open on purpose: close() must release it
            sleeper = a.spawn("sh", "-c", "echo ready; exec sleep 600");
            assertEquals("ready", new java.io.BufferedReader(new java.io.InputStreamReader(sleeper.getInputStream())).readLine());
            assertTrue(NamespaceProbe.referencedByAnyProcess(sandboxInode), "the sleeper lives inside");
            assertTrue(NamespaceProbe.mounted(sandboxInode));
        } finally {
            host.close();
        }
        assertFalse(sleeper.isAlive());
        Leaks.assertNothingLeft(before);
        assertFalse(NamespaceProbe.referencedByAnyProcess(sandboxInode));
        assertFalse(NamespaceProbe.mounted(sandboxInode));
        assertFalse(Files.exists(host.path()));
    }

    @Test
    void deletingASandboxEarlyMakesItsVethPeerVanish() {
        try (TestHost host = TestHost.create()) {
            TestSandbox a = host.sandbox("a");
            host.bridge("br0", "10.1.0.1/24").attach(a, "10.1.0.2/24");
            String hostEnd = host.ip("-o", "link", "show", "master", "br0").split(": ")[1].replaceFirst("@.*", "");
            Commands.runOrThrow(java.util.List.of("ip", "netns", "del", a.name()));
            assertTrue(NamespaceProbe.waitUntilGone(host, hostEnd, Duration.ofSeconds(5)), hostEnd + " still there");
        }
    }

    @Test
    void closeCopesWithAHalfBuiltWorld() {
        Leaks before = Leaks.snapshot();
        TestHost host = TestHost.create();
        TestSandbox a = host.sandbox("a");
        assertThrows(IllegalStateException.class, () -> host.bridge("br0", "not-a-cidr"));
        assertThrows(IllegalArgumentException.class, () -> host.sandbox("a"));
        assertThrows(IllegalArgumentException.class, () -> host.bridge("a-name-longer-than-15", "10.0.0.1/24"));
        Commands.runOrThrow(java.util.List.of("ip", "netns", "del", a.name()));   // gone before close
        host.close();
        host.close();   // idempotent
        Leaks.assertNothingLeft(before);
    }

    @Test
    void leaksNamesWhatWasLeftBehind() {
        Leaks before = Leaks.snapshot();
        TestHost host = TestHost.create();
        try {
            AssertionError failure = assertThrows(AssertionError.class, before::assertUnchanged);
            assertTrue(failure.getMessage().contains("netns " + host.name()), failure.getMessage());
        } finally {
            host.close();
        }
    }

    /**
     * Another runtime beside the test (a running Weft making its sandbox "web") changes the
     * machine while the test runs: not a leak of the test's. Its own worlds still are.
     */
    @Test
    void leaksJudgeOnlyWhatThisRunMade() {
        Leaks before = Leaks.snapshot();
        String others = "weft-selftest-" + Long.toHexString(System.nanoTime());   // not a test-kit name
        Commands.runOrThrow(java.util.List.of("ip", "netns", "add", others));
        try (TestHost host = TestHost.create()) {
            assertEquals(java.util.Set.of("netns " + host.name(), "nsfs mount /run/netns/" + host.name()),
                    before.appeared(), "only the world made here counts");
        } finally {
            Commands.runOrThrow(java.util.List.of("ip", "netns", "del", others));
        }
        Leaks.assertNothingLeft(before);
    }

    @Test
    void linksMarkedByAnotherWeftInstanceAreNotThisRuns() {
        try (TestHost host = TestHost.create()) {
            String ipOutput = String.join("\n",
                    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\\    link/loopback 00:00:00:00:00:00",
                    "7: weft0: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue\\    link/ether 66:13:1a:d9:cb:fb"
                            + " brd ff:ff:ff:ff:ff:ff\\    alias weft:default:1047",
                    "8: wfv1a@if2: <BROADCAST,MULTICAST,UP> mtu 1500\\    link/ether 02:00:00:00:00:01\\    alias weft:default:1047/9",
                    "9: w1a2s0@if2: <BROADCAST,MULTICAST,UP> mtu 1500\\    link/ether 02:00:00:00:00:02\\    alias weft:it"
                            + host.id() + ":77",
                    "10: eth1: <BROADCAST,MULTICAST,UP> mtu 1500\\    link/ether 02:00:00:00:00:03");
            assertEquals(java.util.List.of("lo", "w1a2s0", "eth1"), Leaks.linksOfThisRun(ipOutput));
        }
    }

    /** A test that needs a program that is not installed fails at once, naming the program and its package. */
    @Test
    void aMissingProgramFailsAtOnceNamingItsDebianPackage() {
        IllegalStateException socat = assertThrows(IllegalStateException.class, () -> Tools.require("socat", "/nonexistent"));
        assertTrue(socat.getMessage().contains("needs `socat`, which is not installed")
                && socat.getMessage().contains("install the Debian package socat"), socat.getMessage());
        IllegalStateException conntrack = assertThrows(IllegalStateException.class,
                () -> Tools.require("conntrack", "/nonexistent"));
        assertTrue(conntrack.getMessage().contains("Debian package conntrack"), conntrack.getMessage());
        try (TestHost host = TestHost.create()) {
            // `ip netns exec` starts fine and only then fails to exec: before, a failed result (a
            // poll for traffic then timed out); now the test fails here, saying what is missing.
            IllegalStateException inside = assertThrows(IllegalStateException.class,
                    () -> host.tryExec("weft-no-such-tool", "-T", "2"));
            assertTrue(inside.getMessage().contains("needs `weft-no-such-tool`, which is not installed"), inside.getMessage());
            assertThrows(IllegalStateException.class, () -> host.spawn("weft-no-such-tool"));
        }
    }

    @Test
    void addressesArePlainText() {
        assertEquals("10.1.0.2", Addresses.text(Addresses.parse("::ffff:10.1.0.2")));
        assertEquals("fd00:1::2", Addresses.text(Addresses.parse("fd00:1:0:0:0:0:0:2")));
        assertEquals("fd00::1:0:0:2", Addresses.text(Addresses.parse("fd00:0:0:0:1:0:0:2")));
        assertEquals("::1", Addresses.text(Addresses.parse("[::1]")));
        assertEquals("1:0:2:3:4:5:6:7", Addresses.text(Addresses.parse("1:0:2:3:4:5:6:7")));
        assertThrows(IllegalArgumentException.class, () -> Addresses.parse("example.com"));
    }
}
