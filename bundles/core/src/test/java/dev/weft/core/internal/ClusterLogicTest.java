package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.core.internal.cluster.ClusterKeys;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.MemoryClusterStore;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Global networks across hosts, without root: several controllers (one per "host", each on its own
 * fake kernel and directories) share one in-memory cluster store, with a global driver that
 * touches no kernel. What the overlay driver does with the peers is its own test's.
 */
class ClusterLogicTest {
    private final MemoryClusterStore.Data data = new MemoryClusterStore.Data();
    private final List<Host> hosts = new ArrayList<>();

    final class Host {
        final Path dir;
        final ControllerImpl controller;
        final FakeGlobalDriver driver = new FakeGlobalDriver();
        final MemoryClusterStore store;

        Host(String name, String address) throws Exception {
            dir = Files.createTempDirectory("weft-cluster-" + name);
            DriverRegistry drivers = new DriverRegistry();
            drivers.add("fov", "test.overlay", "0.1.0", driver, "fov");
            drivers.add("fbr", "test.bridge", "0.1.0", new FakeDriver(true), "fbr");
            controller = FakeRuntime.start(dir, new FakeHostSystem(dir), drivers, new IpamRegistry(),
                    IpPrefix.parse("fd00:1::/48"));
            store = new MemoryClusterStore(data, name, InetAddress.getByName(address), Duration.ofSeconds(3));
            controller.clusterOrphanAge(Duration.ofMillis(300));
            controller.attachCluster(store, name, p -> false, Duration.ofMillis(500));
            hosts.add(this);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Host h : hosts) {
            FakeRuntime.stop(h.controller, h.dir);
        }
    }

    private static NetworkSpec overlay(String name, String subnet, Map<String, String> options) {
        return new NetworkSpec(name, "fov", subnet == null ? List.of() : List.of(SubnetSpec.of(IpPrefix.parse(subnet))),
                false, false, options, Map.of());
    }

    private static void await(String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void withoutAClusterAGlobalNetworkIsRefusedSayingWhatToConfigure() throws Exception {
        Path dir = Files.createTempDirectory("weft-nocluster");
        DriverRegistry drivers = new DriverRegistry();
        drivers.add("fov", "test.overlay", "0.1.0", new FakeGlobalDriver(), "fov");
        ControllerImpl c = FakeRuntime.start(dir, new FakeHostSystem(dir), drivers, new IpamRegistry(), null);
        try {
            WeftException e = assertThrows(WeftException.class, () -> c.createNetwork(overlay("ov", null, Map.of())));
            assertTrue(e.getMessage().contains("weft.cluster.store") && e.getMessage().contains("WEFT_CLUSTER_ADVERTISE"),
                    "the refusal says what to configure: " + e.getMessage());
            assertTrue(c.network("ov").isEmpty(), "nothing recorded");
        } finally {
            FakeRuntime.stop(c, dir);
        }
    }

    @Test
    void aNetworkMadeOnOneHostAppearsOnTheOthersWithTheSameIdAndGoesEverywhere() throws Exception {
        Host h1 = new Host("h1", "10.99.0.11");
        Host h2 = new Host("h2", "10.99.0.12");
        NetworkInfo made = h1.controller.createNetwork(overlay("ov", null, Map.of()));
        assertEquals("global", made.scope());
        assertEquals("4097", made.options().get(FakeGlobalDriver.VNI), "the driver's VNI is recorded with the network");
        assertTrue(made.subnets().get(0).subnet().toString().startsWith("10."), "a subnet of the global pools: " + made.subnets());
        await("ov on h2", () -> h2.controller.network("ov").isPresent());
        NetworkInfo seen = h2.controller.network("ov").orElseThrow();
        assertEquals(made.id(), seen.id(), "the same id on every host");
        assertEquals(made.subnets(), seen.subnets());
        assertTrue(h2.driver.calls.contains("createNetwork ov 4097"), "h2's driver made its part: " + h2.driver.calls);

        WeftException taken = assertThrows(WeftException.class, () -> h2.controller.createNetwork(overlay("ov", null, Map.of())));
        assertTrue(taken.getMessage().contains("already exists"), taken.getMessage());

        h2.controller.removeNetwork("ov");
        await("ov gone on h1", () -> h1.controller.network("ov").isEmpty());
        assertTrue(h1.driver.calls.contains("deleteNetwork ov"), h1.driver.calls.toString());
        Set<String> left = data.snapshot().keySet().stream().filter(k -> !k.startsWith(ClusterKeys.NODES)
                && !k.startsWith("sessions/")).collect(Collectors.toSet());
        assertEquals(Set.of(ClusterKeys.POOLS), left, "nothing of the network is left in the store but the (empty) pool list");
    }

    @Test
    void subnetsPickedAtOnceOnTwoHostsNeverOverlapAndAGivenSubnetMayRepeatAnotherOverlays() throws Exception {
        Host h1 = new Host("h1", "10.99.0.11");
        Host h2 = new Host("h2", "10.99.0.12");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<NetworkInfo>> made = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                String n = "n" + i;
                Host h = i % 2 == 0 ? h1 : h2;
                made.add(pool.submit(() -> h.controller.createNetwork(overlay(n, null, Map.of()))));
            }
            List<IpPrefix> subnets = new ArrayList<>();
            for (Future<NetworkInfo> f : made) {
                IpPrefix p = f.get().subnets().get(0).subnet();
                assertTrue(subnets.stream().noneMatch(p::overlaps), p + " overlaps one picked before: " + subnets);
                subnets.add(p);
            }
        } finally {
            pool.shutdown();
        }
        NetworkInfo a = h1.controller.createNetwork(overlay("same-a", "10.50.0.0/24", Map.of()));
        NetworkInfo b = h2.controller.createNetwork(overlay("same-b", "10.50.0.0/24", Map.of()));
        assertEquals(a.subnets().get(0).subnet(), b.subnets().get(0).subnet(), "two overlays, one subnet");
        SandboxInfo sa = h1.controller.createSandbox(SandboxSpec.of("sa", "same-a"));
        SandboxInfo sb = h1.controller.createSandbox(SandboxSpec.of("sb", "same-b"));
        assertTrue(IpPrefix.parse("10.50.0.0/24").contains(sa.endpoints().get(0).ipv4().address()),
                "addresses from the given subnet: " + sa.endpoints().get(0).ipv4());
        assertTrue(sb.endpoints().get(0).ipv4() != null);
    }

    @Test
    void concurrentSandboxesOnThreeHostsGetDistinctAddressesAndEachHostLearnsTheOthersAsPeers() throws Exception {
        Host h1 = new Host("h1", "10.99.0.11");
        Host h2 = new Host("h2", "10.99.0.12");
        Host h3 = new Host("h3", "10.99.0.13");
        NetworkInfo net = h1.controller.createNetwork(overlay("ov", "10.60.0.0/24", Map.of()));
        for (Host h : List.of(h2, h3)) {
            await("ov on every host", () -> h.controller.network("ov").isPresent());
        }
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<SandboxInfo>> made = new ArrayList<>();
        for (Host h : hosts) {
            for (int i = 0; i < each; i++) {
                String name = h.store.nodeId() + "-s" + i;
                made.add(pool.submit(() -> h.controller.createSandbox(SandboxSpec.of(name, "ov"))));
            }
        }
        Set<InetAddress> addresses = new HashSet<>();
        for (Future<SandboxInfo> f : made) {
            InetAddress a = f.get().endpoints().get(0).ipv4().address();
            assertTrue(addresses.add(a), "address " + IpAddresses.format(a) + " given twice");
        }
        pool.shutdown();
        long claimed = data.snapshot().keySet().stream().filter(k -> k.startsWith(ClusterKeys.addresses(net.id())))
                .count();
        assertEquals(3 * each + 1, claimed, "one key per address and the gateway");
        for (Host h : hosts) {
            await(h.store.nodeId() + " knows the " + 2 * each + " endpoints of the other hosts",
                    () -> h.driver.peers.getOrDefault(net.id(), Map.of()).size() == 2 * each);
            assertTrue(h.driver.peers.get(net.id()).values().stream().noneMatch(p -> p.node().equals(h.store.nodeId())),
                    "a host's own endpoints are not its peers");
            await(h.store.nodeId() + " knows the other hosts", () -> h.driver.nodes.size() == 2);
        }

        // removal is refused while another host has endpoints, and changes nothing
        WeftException busy = assertThrows(WeftException.class, () -> h3.controller.removeNetwork("ov"));
        assertTrue(busy.getMessage().contains("sandboxes") || busy.getMessage().contains("other hosts"), busy.getMessage());
        for (Host h : List.of(h1, h2)) {
            h.controller.createSandbox(SandboxSpec.of(h.store.nodeId() + "-late", "ov")); // still takes endpoints
        }
        for (int i = 0; i < each; i++) {
            h3.controller.removeSandbox("h3-s" + i, false);
        }
        WeftException remote = assertThrows(WeftException.class, () -> h3.controller.removeNetwork("ov"));
        assertTrue(remote.getMessage().contains("other hosts") && remote.getMessage().contains("host h1"),
                "names the hosts with endpoints: " + remote.getMessage());
        await("h1 no longer has h3's endpoints as peers", () -> h1.driver.peers.get(net.id()).values().stream()
                .noneMatch(p -> p.node().equals("h3")));
    }

    @Test
    void aHostWhoseLeaseLapsesVanishesFromThePeersAndComesBackWithItsAddress() throws Exception {
        Host h1 = new Host("h1", "10.99.0.11");
        Host h2 = new Host("h2", "10.99.0.12");
        NetworkInfo net = h1.controller.createNetwork(overlay("ov", "10.61.0.0/24", Map.of()));
        await("ov on h2", () -> h2.controller.network("ov").isPresent());
        SandboxInfo s = h2.controller.createSandbox(SandboxSpec.of("web", "ov"));
        await("h1 knows web", () -> h1.driver.peers.getOrDefault(net.id(), Map.of()).size() == 1);

        h2.store.expireSession(); // h2 cut off longer than its TTL
        await("web left h1's peers", () -> h1.driver.peers.get(net.id()).isEmpty());
        // h2 is back at once (its next lease check): announced again, its address still its own
        await("web is h1's peer again", () -> h1.driver.peers.get(net.id()).size() == 1);
        assertEquals(s.endpoints().get(0).ipv4().address(), h1.driver.peers.get(net.id()).values().iterator().next()
                .addresses().get(0).address());
        assertFalse(h1.driver.nodes.isEmpty(), "h2 is a node again");
    }

    @Test
    void theAddressesOfAHostGoneLongerThanTheGraceAreReclaimedAndClaimedAgainWhenItReturns() throws Exception {
        Host h1 = new Host("h1", "10.99.0.11");
        Host h2 = new Host("h2", "10.99.0.12");
        NetworkInfo net = h1.controller.createNetwork(overlay("ov", "10.65.0.0/24", Map.of()));
        await("ov on h2", () -> h2.controller.network("ov").isPresent());
        SandboxInfo s = h2.controller.createSandbox(SandboxSpec.of("web", "ov"));
        String key = ClusterKeys.address(net.id(), s.endpoints().get(0).ipv4().address());
        await("web's claim in the store", () -> data.snapshot().containsKey(key));

        h2.controller.detachCluster(); // h2's runtime is gone from the cluster...
        h2.store.expireSession();       // ...longer than its TTL
        await("h2's address reclaimed by h1 after the grace (500 ms here)", () -> !data.snapshot().containsKey(key));
        assertTrue(data.snapshot().containsKey(ClusterKeys.address(net.id(), net.subnets().get(0).gateway())),
                "the gateway is the network's, not h2's: kept");

        h2.controller.attachCluster(h2.store, "h2", p -> false, Duration.ofMillis(500)); // h2 returns
        await("h2 claims web's address again from its record", () -> data.snapshot().containsKey(key)
                && data.snapshot().get(key).text().contains("\"h2\""));
        await("web is h1's peer again", () -> h1.driver.peers.getOrDefault(net.id(), Map.of()).size() == 1);
    }

    @Test
    void aVniInUseIsRefusedAndTheRefusalLeavesNothingInTheStore() throws Exception {
        Host h1 = new Host("h1", "10.99.0.11");
        h1.controller.createNetwork(overlay("a", null, Map.of(FakeGlobalDriver.VNI, "5000")));
        Map<String, ?> before = data.snapshot();
        assertThrows(WeftException.class, () -> h1.controller.createNetwork(overlay("b", null, Map.of(FakeGlobalDriver.VNI, "5000"))));
        assertEquals(before.keySet(), data.snapshot().keySet(), "no name, subnet, address or network key is left");
        assertTrue(h1.controller.network("b").isEmpty());
    }

    @Test
    void aSandboxOnAGlobalNetworkGetsTheEgressNetworkAndLeavesItWithItsLastSuchNetwork() throws Exception {
        Host h1 = new Host("h1", "10.99.0.11");
        h1.controller.createNetwork(overlay("ov", "10.62.0.0/24", Map.of()));
        h1.controller.createNetwork(overlay("ov2", "10.63.0.0/24", Map.of()));
        h1.controller.createNetwork(new NetworkSpec("closed", "fov", List.of(SubnetSpec.of(IpPrefix.parse("10.64.0.0/24"))),
                false, true, Map.of(), Map.of()));
        SandboxInfo s = h1.controller.createSandbox(SandboxSpec.of("web", "ov"));
        assertEquals(List.of("ov", "docker_gwbridge"), s.endpoints().stream().map(e -> e.network()).toList(),
                "the egress network comes with the first global network");
        NetworkInfo egress = h1.controller.network("docker_gwbridge").orElseThrow();
        assertTrue(egress.predefined() && "local".equals(egress.scope()), "made on this host as a predefined network");
        assertTrue(egress.endpoints().get(0).defaultRoute4(), "it gives the default route");
        h1.controller.connect("ov2", "web", dev.weft.api.EndpointSpec.defaults());
        h1.controller.disconnect("ov", "web", false);
        assertEquals(List.of("docker_gwbridge", "ov2"), names(h1, "web"), "still needed by ov2");
        h1.controller.disconnect("ov2", "web", false);
        assertEquals(List.of(), names(h1, "web"), "left with the last network that needed it");
        SandboxInfo inside = h1.controller.createSandbox(SandboxSpec.of("inside", "closed"));
        assertEquals(List.of("closed"), inside.endpoints().stream().map(e -> e.network()).toList(),
                "an internal global network has no way out");
    }

    private static List<String> names(Host h, String sandbox) {
        return h.controller.sandbox(sandbox).orElseThrow().endpoints().stream().map(e -> e.network()).sorted().toList();
    }

    @Test
    void claimsOfANetworkNeverWrittenAreGivenBackAndAHalfMadeNetworkTakesNoName() throws Exception {
        Host h1 = new Host("h1", "10.99.0.11");
        String ghost = "ab".repeat(32);
        MemoryClusterStore other = new MemoryClusterStore(data, "h9", InetAddress.getByName("10.99.0.19"));
        other.put(ClusterKeys.POOLS, ("{\"" + ghost + "\":[\"10.70.0.0/24\"]}").getBytes());
        other.put(ClusterKeys.address(ghost, InetAddress.getByName("10.70.0.1")), "{\"node\":\"h9\",\"kind\":\"GATEWAY\"}".getBytes());
        await("the ghost's claims are given back", () -> data.snapshot().keySet().stream().noneMatch(k -> k.contains(ghost))
                && !data.snapshot().get(ClusterKeys.POOLS).text().contains(ghost));
        assertTrue(data.snapshot().keySet().stream().noneMatch(k -> k.startsWith(ClusterKeys.NAMES)), "no name is taken");
        NetworkInfo real = h1.controller.createNetwork(overlay("real", null, Map.of()));
        SandboxInfo s = h1.controller.createSandbox(SandboxSpec.of("s", "real"));
        // a claim of h1's that no endpoint explains (the runtime stopped between claim and record)
        h1.store.put(ClusterKeys.address(real.id(), InetAddress.getByName(real.subnets().get(0).subnet().address()
                .getHostAddress().replaceFirst("\\.0$", ".200"))), "{\"node\":\"h1\",\"kind\":\"ENDPOINT\"}".getBytes());
        await("h1's stray claim is given back", () -> data.snapshot().keySet().stream().noneMatch(k -> k.endsWith(".200")));
        assertTrue(data.snapshot().containsKey(ClusterKeys.address(real.id(), s.endpoints().get(0).ipv4().address())),
                "the claim of a real endpoint stays");
        Thread.sleep(800); // two sweeps more: a written network's claims stay
        assertTrue(data.snapshot().get(ClusterKeys.POOLS).text().contains(h1.controller.network("real").orElseThrow().id()));
    }
}
