package dev.weft.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.ClusterStore.Compare;
import dev.weft.spi.ClusterStore.Event;
import dev.weft.spi.ClusterStore.KeyValue;
import dev.weft.spi.ClusterStore.Op;
import dev.weft.spi.ClusterStore.Range;
import dev.weft.spi.ClusterStore.Txn;
import dev.weft.spi.ClusterStore.TxnResult;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The in-memory cluster store keeps etcd's rules: revisions, CAS, leases, watches. */
class MemoryClusterStoreTest {
    private final MemoryClusterStore.Data data = new MemoryClusterStore.Data();
    private final MemoryClusterStore h1 = new MemoryClusterStore(data, "h1", InetAddress.getLoopbackAddress());
    private final MemoryClusterStore h2 = new MemoryClusterStore(data, "h2", InetAddress.getLoopbackAddress());

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void revisionsVersionsAndRangesAreEtcds() {
        long r1 = h1.put("a/1", b("x"));
        long r2 = h2.put("a/1", b("y"));
        h1.put("a/2", b("z"));
        h1.put("b/1", b("w"));
        assertEquals(r1 + 1, r2, "one revision per write, shared by every view");
        KeyValue kv = h2.get("a/1").orElseThrow();
        assertEquals(new KeyValue("a/1", b("y"), r1, r2, 2, 0), kv);
        Range range = h1.range("a/");
        assertEquals(List.of("a/1", "a/2"), range.kvs().stream().map(KeyValue::key).toList(), "prefix, in key order");
        assertEquals(data.revision(), range.revision());
        assertEquals("y", h1.delete("a/1").orElseThrow().text());
        assertTrue(h1.delete("a/1").isEmpty(), "nothing to delete");
        assertTrue(h2.get("a/1").isEmpty());
    }

    @Test
    void createIfAbsentHasOneWinnerAndTheLoserSeesIt() {
        TxnResult won = h1.txn(Txn.createIfAbsent("vni/4097", b("net-a"), false));
        TxnResult lost = h2.txn(Txn.createIfAbsent("vni/4097", b("net-b"), false));
        assertTrue(won.succeeded());
        assertFalse(lost.succeeded());
        assertEquals("net-a", lost.results().get(0).get(0).text(), "the failure branch read the holder");
        assertEquals(won.revision(), lost.revision(), "a txn that writes nothing makes no revision");
        TxnResult wrongOwner = h2.txn(new Txn(List.of(Compare.value("vni/4097", b("net-b"))),
                List.of(Op.delete("vni/4097")), List.of()));
        assertFalse(wrongOwner.succeeded());
        assertTrue(h1.get("vni/4097").isPresent());
        long mod = h1.get("vni/4097").orElseThrow().modRevision();
        assertTrue(h1.txn(new Txn(List.of(Compare.modRevision("vni/4097", mod)), List.of(Op.deletePrefix("vni/")),
                List.of())).succeeded());
        assertTrue(h1.range("vni/").kvs().isEmpty());
    }

    @Test
    void concurrentClaimsNeverDouble() throws Exception {
        Set<String> winners = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String node = "n" + i;
            MemoryClusterStore view = new MemoryClusterStore(data, node, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < 50; k++) {
                    if (view.txn(Txn.createIfAbsent("k/" + k, b(node), false)).succeeded()) {
                        winners.add("k/" + k);
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(50, winners.size());
        assertEquals(50, h1.range("k/").kvs().size());
    }

    @Test
    void leasedKeysVanishWhenTheSessionExpiresAndARestartWithinTheTtlKeepsIt() {
        ClusterStore.Session s = h1.session();
        assertTrue(s.fresh());
        h1.txn(new Txn(List.of(), List.of(Op.putLeased("peers/h1", b("me"))), List.of()));
        assertEquals(s.lease(), h1.get("peers/h1").orElseThrow().lease());
        MemoryClusterStore restarted = new MemoryClusterStore(data, "h1", InetAddress.getLoopbackAddress());
        assertEquals(s.lease(), restarted.session().lease(), "the lease from before the restart");
        assertFalse(restarted.session().fresh());
        h1.expireSession();
        assertTrue(h2.get("peers/h1").isEmpty(), "gone with the lease");
        ClusterStore.Session again = h1.session();
        assertTrue(again.fresh() && again.lease() != s.lease());
    }

    @Test
    void watchesGetAResetThenEveryChangeInOrder() throws Exception {
        h1.put("w/a", b("1"));
        LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        try (ClusterStore.Watch w = h2.watch("w/", new ClusterStore.Watcher() {
            @Override
            public void reset(Range current) {
                seen.add(current);
            }

            @Override
            public void events(List<Event> events) {
                seen.addAll(events);
            }

            @Override
            public void unavailable(ClusterException cause) {
                seen.add(cause);
            }
        })) {
            Range first = (Range) seen.poll(5, TimeUnit.SECONDS);
            assertEquals(List.of("w/a"), first.kvs().stream().map(KeyValue::key).toList());
            h1.put("x/ignored", b("0"));
            h1.put("w/a", b("2"));
            h1.delete("w/a");
            Event put = (Event) seen.poll(5, TimeUnit.SECONDS);
            Event del = (Event) seen.poll(5, TimeUnit.SECONDS);
            assertEquals(Event.Type.PUT, put.type());
            assertEquals("1", put.previous().text(), "a put carries what it replaced");
            assertEquals(Event.Type.DELETE, del.type());
            assertEquals("2", del.previous().text(), "a delete carries what went");
            data.unavailable(true);
            assertTrue(seen.poll(5, TimeUnit.SECONDS) instanceof ClusterException);
            assertThrows(ClusterException.class, () -> h1.get("w/a"));
            data.unavailable(false);
            assertTrue(seen.poll(5, TimeUnit.SECONDS) instanceof Range, "a reset after the outage");
        }
    }

    @Test
    void aLostAnswerMayHaveBeenApplied() {
        data.indeterminateNext(true);
        ClusterException e = assertThrows(ClusterException.class, () -> h1.put("i/1", b("x")));
        assertEquals(ClusterException.Reason.INDETERMINATE, e.reason());
        assertTrue(h1.get("i/1").isPresent(), "applied");
        data.indeterminateNext(false);
        assertThrows(ClusterException.class, () -> h1.put("i/2", b("x")));
        assertTrue(h1.get("i/2").isEmpty(), "not applied");
    }
}
