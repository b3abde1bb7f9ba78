package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.spi.ControllerListener;
import dev.weft.testkit.KernelTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The listener SPI as {@link ControllerListener} promises it: events inside the operation, a
 * snapshot that joins the events without a gap or an overlap, and listeners that throw or block
 * do not break the operation.
 */
@ExtendWith(KernelTest.class)
class ControllerListenerTest extends ControllerFixture.PerTest {
    /**
     * Writes every event as a line, and counts each endpoint it is told of: +1 in the snapshot or
     * when it joins, -1 when it leaves (a gap shows as -1 or a missing 1, an overlap as 2).
     */
    static class Recorder implements ControllerListener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final java.util.Map<String, Integer> endpoints = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void snapshot(List<NetworkInfo> networks, List<SandboxInfo> sandboxes) {
            lines.add("snapshot " + networks.stream().map(NetworkInfo::name).sorted().toList() + " "
                    + sandboxes.stream().map(SandboxInfo::name).sorted().toList());
            networks.forEach(n -> n.endpoints().forEach(e -> endpoints.merge(key(e), 1, Integer::sum)));
        }

        @Override
        public void networkCreated(NetworkInfo network) {
            lines.add("created " + network.name());
        }

        @Override
        public void networkRemoved(NetworkInfo network) {
            lines.add("removed " + network.name());
        }

        @Override
        public void endpointJoined(EndpointInfo e) {
            lines.add("joined " + e.sandbox() + " " + e.network() + " " + e.ipv4());
            endpoints.merge(key(e), 1, Integer::sum);
        }

        @Override
        public void endpointLeft(EndpointInfo e) {
            lines.add("left " + e.sandbox() + " " + e.network());
            endpoints.merge(key(e), -1, Integer::sum);
        }

        static String key(EndpointInfo e) {
            return e.sandbox() + "@" + e.network();
        }
    }

    @Test
    void eachChangeIsSeenBeforeItsOperationReturns() {
        Recorder r = new Recorder();
        f.controller.addListener(r);
        assertEquals(List.of("snapshot [host, none] []"), r.lines);

        f.controller.createNetwork(NetworkSpec.of("blue", "testbridge"));
        assertEquals("created blue", last(r));
        String a = f.sandboxName("a");
        f.controller.createSandbox(new SandboxSpec(a, "blue", new EndpointSpec(null, null, List.of("web"), List.of()), null));
        String joined = last(r);
        assertTrue(joined.startsWith("joined " + a + " blue "), joined);
        f.controller.removeSandbox(a);
        assertEquals("left " + a + " blue", last(r));
        f.controller.removeNetwork("blue");
        assertEquals("removed blue", last(r));
    }

    @Test
    void aListenerThatThrowsOrBlocksDoesNotBreakTheOperationAndGetsLaterEventsInOrder() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> slow = new CopyOnWriteArrayList<>();
        f.controller.addListener(new ControllerListener() {
            @Override
            public void networkCreated(NetworkInfo network) {
                throw new IllegalStateException("listener bug");
            }
        });
        f.controller.addListener(new ControllerListener() {
            @Override
            public void networkCreated(NetworkInfo network) {
                slow.add("created " + network.name());
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void networkRemoved(NetworkInfo network) {
                slow.add("removed " + network.name());
            }
        });
        Recorder r = new Recorder();
        f.controller.addListener(r);

        f.controller.createNetwork(NetworkSpec.of("blue", "testbridge")); // returns while the slow one still waits
        assertEquals(1, release.getCount(), "the operation returned while the listener still blocked");
        assertEquals("created blue", last(r), "the others got the event");
        f.controller.removeNetwork("blue");
        assertEquals("removed blue", last(r));
        assertEquals(List.of("created blue"), slow, "its later event waits behind the blocked one");
        release.countDown();
        for (int i = 0; i < 200 && slow.size() < 2; i++) {
            Thread.sleep(10);
        }
        assertEquals(List.of("created blue", "removed blue"), slow, "then arrives, in order");
    }

    @Test
    void theSnapshotAndTheEventsTogetherAreTheStateWhateverRunsMeanwhile() throws Exception {
        f.controller.createNetwork(NetworkSpec.of("blue", "testbridge"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Recorder r = new Recorder();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        String s = f.sandboxName("c" + thread + "x" + i);
                        f.controller.createSandbox(SandboxSpec.of(s, "blue"));
                        if (i % 2 == 0) {
                            f.controller.removeSandbox(s);
                        }
                    }
                    return null;
                }));
            }
            // subscribes in the middle of the churn: sandboxes are being made and removed
            while (f.controller.network("blue").orElseThrow().endpoints().size() < 4) {
                Thread.sleep(1);
            }
            f.controller.addListener(r);
            for (Future<?> w : work) {
                w.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> actual = f.controller.network("blue").orElseThrow().endpoints().stream().map(Recorder::key)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(20, actual.size());
        java.util.Map<String, Integer> expected = new java.util.TreeMap<>();
        actual.forEach(k -> expected.put(k, 1));
        java.util.Map<String, Integer> told = new java.util.TreeMap<>(r.endpoints);
        told.values().removeIf(v -> v == 0);
        assertEquals(expected, told, "snapshot + events = state: nothing missed, nothing twice");
    }

    private static String last(Recorder r) {
        return r.lines.get(r.lines.size() - 1);
    }
}
