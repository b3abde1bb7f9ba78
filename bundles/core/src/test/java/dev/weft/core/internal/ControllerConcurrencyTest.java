package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import dev.weft.testkit.KernelTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Eight threads creating and removing networks, sandboxes and endpoints at once. */
@ExtendWith(KernelTest.class)
class ControllerConcurrencyTest {

    @Test
    void eightThreadsNeverShareASubnetOrAnAddressAndEndClean() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.controller.createNetwork(NetworkSpec.of("shared", "testbridge"));
            // what is in use right now: a second holder of one of these at the same time is a bug
            Set<String> subnets = ConcurrentHashMap.newKeySet();
            Set<String> sharedAddresses = ConcurrentHashMap.newKeySet();
            List<String> duplicates = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        String net = "n" + thread + "-" + round;
                        NetworkInfo n = f.controller.createNetwork(new NetworkSpec(net, "testbridge", List.of(), false,
                                false, Map.of(), Map.of()));
                        if (!subnets.add(n.subnets().get(0).subnet().toString())) {
                            synchronized (duplicates) {
                                duplicates.add("subnet " + n.subnets().get(0).subnet());
                            }
                        }
                        String subnet = n.subnets().get(0).subnet().toString();
                        String sb = f.host.namespaceName("s" + thread + "x" + round);
                        synchronized (f) {
                            f.host.adopt("s" + thread + "x" + round);
                        }
                        f.controller.createSandbox(SandboxSpec.of(sb, "shared"));
                        EndpointInfo e = f.controller.connect(net, sb, dev.weft.api.EndpointSpec.defaults());
                        String shared = f.controller.sandbox(sb).orElseThrow().endpoints().get(0).ipv4().toString();
                        if (!sharedAddresses.add(shared)) {
                            synchronized (duplicates) {
                                duplicates.add("address " + shared);
                            }
                        }
                        assertEquals("eth1", e.interfaceName());
                        try {
                            f.controller.removeNetwork(net);
                            throw new AssertionError("a network with endpoints must not be removable");
                        } catch (WeftException.Conflict expected) {
                            // still connected
                        }
                        sharedAddresses.remove(shared); // before the release: a later holder must not find it
                        f.controller.removeSandbox(sb);
                        subnets.remove(subnet);
                        f.controller.removeNetwork(net);
                    }
                    return null;
                }));
            }
            pool.shutdown();
            for (Future<?> w : work) {
                w.get(120, TimeUnit.SECONDS);
            }
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(List.of(), duplicates);
            assertEquals(List.of("host", "none", "shared"), f.controller.networks().stream().map(NetworkInfo::name).toList());
            assertTrue(f.controller.sandboxes().isEmpty());
            assertTrue(f.controller.network("shared").orElseThrow().endpoints().isEmpty());
            f.restart();
            assertEquals(List.of("host", "none", "shared"), f.controller.networks().stream().map(NetworkInfo::name).toList(),
                    "the records agree with memory");
            assertTrue(f.controller.sandboxes().isEmpty());
        }
    }

    /**
     * Eight clients remove one sandbox at the same moment, five times over: exactly one succeeds
     * and the seven others are told, the same way every time, that it was already removed.
     */
    @Test
    void ofEightConcurrentRemovalsOfOneSandboxExactlyOneSucceeds() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.controller.createNetwork(NetworkSpec.of("shared", "testbridge"));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 5; round++) {
                    String sb = f.sandboxName("r" + round);
                    f.controller.createSandbox(SandboxSpec.of(sb, "shared"));
                    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(8);
                    List<Future<String>> outcomes = new ArrayList<>();
                    for (int c = 0; c < 8; c++) {
                        outcomes.add(pool.submit(() -> {
                            start.await(10, TimeUnit.SECONDS);
                            try {
                                f.controller.removeSandbox(sb);
                                return "removed";
                            } catch (WeftException.NotFound e) {
                                return e.getMessage();
                            }
                        }));
                    }
                    Map<String, Integer> counts = new java.util.TreeMap<>();
                    for (Future<String> o : outcomes) {
                        counts.merge(o.get(60, TimeUnit.SECONDS), 1, Integer::sum);
                    }
                    assertEquals(Map.of("removed", 1, "sandbox \"" + sb + "\" was already removed by another request", 7),
                            counts, "round " + round);
                    f.controller.awaitRemoval(sb);
                    assertTrue(f.controller.sandbox(sb).isEmpty());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
