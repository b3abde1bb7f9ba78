package dev.weft.cluster.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore.Compare;
import dev.weft.spi.ClusterStore.Event;
import dev.weft.spi.ClusterStore.KeyValue;
import dev.weft.spi.ClusterStore.Op;
import dev.weft.spi.ClusterStore.Range;
import dev.weft.spi.ClusterStore.Txn;
import dev.weft.spi.ClusterStore.TxnResult;
import dev.weft.spi.ClusterStore.Watch;
import dev.weft.testkit.EtcdCluster;
import dev.weft.testkit.Leaks;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/** The store against a real 3-member etcd 3.4 in throwaway namespaces (needs root). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdClusterStoreTest {
    private static final Duration TIMEOUT = Duration.ofMillis(2000);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private EtcdCluster cluster;
    private Leaks before;
    private final List<AutoCloseable> open = new ArrayList<>();
    private String testPrefix;

    @BeforeAll
    void startCluster() {
        assertEquals("0", uid(), "these tests need root: they make network namespaces and run etcd in them");
        before = Leaks.snapshot();
        cluster = new EtcdCluster("10.213.0.0/24", 3);
        cluster.start();
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (before != null) {
            before.assertUnchanged();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void name(TestInfo info) {
        testPrefix = "/t-" + info.getTestMethod().orElseThrow().getName() + "/";
    }

    @AfterEach
    void closeStoresAndRestoreMembers() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
        boolean restarted = false;
        for (int i = 0; i < cluster.size(); i++) {
            if (!cluster.running(i)) {
                cluster.restart(i);
                restarted = true;
            }
        }
        if (restarted) {
            cluster.awaitHealthy();
        }
    }

    private EtcdClusterStore store(int host) {
        return store(host, settings(host));
    }

    private EtcdSettings settings(int host) {
        return EtcdSettings.of(cluster.endpoints(), cluster.hostAddress(host)).withPrefix(testPrefix)
                .withTimeout(TIMEOUT).withTtl(Duration.ofSeconds(3));
    }

    private EtcdClusterStore store(int host, EtcdSettings settings) {
        EtcdClusterStore store = new EtcdClusterStore(settings, cluster.threadsIn(host));
        open.add(store);
        return store;
    }

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteWithPrevious() {
        EtcdClusterStore store = store(0);
        assertEquals(Optional.empty(), store.get("a"), "a key never written");
        long r1 = store.put("a", b("one"));
        long r2 = store.put("a", b("two"));
        assertTrue(r2 > r1, "revisions grow: " + r1 + " then " + r2);
        KeyValue kv = store.get("a").orElseThrow(() -> new AssertionError("a just written is missing"));
        assertEquals("a", kv.key(), "key without the prefix");
        assertEquals("two", kv.text());
        assertEquals(r2, kv.modRevision());
        assertEquals(r1, kv.createRevision());
        assertEquals(2, kv.version());
        assertEquals(0, kv.lease(), "not leased");
        KeyValue deleted = store.delete("a").orElseThrow(() -> new AssertionError("delete returned nothing"));
        assertEquals("two", deleted.text(), "delete returns what it held");
        assertEquals(Optional.empty(), store.get("a"), "gone after delete");
        assertEquals(Optional.empty(), store.delete("a"), "a second delete finds nothing");
        // other hosts see the same
        assertEquals(Optional.empty(), store(2).get("a"));
    }

    @Test
    void rangeUnderPrefixStripsItAndLeavesSiblingsOut() {
        EtcdClusterStore store = store(1);
        store.put("net/1", b("x"));
        store.put("net/2", b("y"));
        store.put("net2/3", b("sibling"));
        store.put("nes", b("before"));
        Range range = store.range("net/");
        assertEquals(List.of("net/1", "net/2"), range.kvs().stream().map(KeyValue::key).toList(), "range of net/: " + range);
        assertTrue(range.revision() >= range.kvs().get(1).modRevision(), "revision of the read " + range.revision());
        assertEquals(4, store.range("").kvs().size(), "everything under the cluster prefix");
        assertTrue(store.range("none/").kvs().isEmpty(), "an empty range");
    }

    @Test
    void createIfAbsentWonThenLostReturnsExisting() {
        EtcdClusterStore a = store(0);
        EtcdClusterStore c = store(2);
        TxnResult won = a.txn(Txn.createIfAbsent("ipam/10.0.9.2", b("h1"), false));
        assertTrue(won.succeeded(), "first create-if-absent must win: " + won);
        assertEquals(List.of(List.of()), won.results(), "a PUT returns nothing");
        TxnResult lost = c.txn(Txn.createIfAbsent("ipam/10.0.9.2", b("h3"), false));
        assertFalse(lost.succeeded(), "second create-if-absent must lose: " + lost);
        assertEquals(1, lost.results().size());
        assertEquals(1, lost.results().get(0).size(), "the lost txn's GET returns the existing kv: " + lost);
        KeyValue existing = lost.results().get(0).get(0);
        assertEquals("ipam/10.0.9.2", existing.key());
        assertEquals("h1", existing.text(), "the winner's claim");
        assertEquals(won.revision(), existing.createRevision());
        assertEquals(won.revision(), lost.revision(), "nothing changed by the lost txn");
    }

    @Test
    void compareOnModRevisionAndValue() {
        EtcdClusterStore store = store(0);
        long rev = store.put("k", b("v1"));
        TxnResult stale = store.txn(new Txn(List.of(Compare.modRevision("k", rev - 1)), List.of(Op.put("k", b("bad"))),
                List.of(Op.get("k"))));
        assertFalse(stale.succeeded(), "a stale mod revision must fail");
        assertEquals("v1", stale.results().get(0).get(0).text());
        TxnResult fresh = store.txn(new Txn(List.of(Compare.modRevision("k", rev)), List.of(Op.put("k", b("v2"))), List.of()));
        assertTrue(fresh.succeeded(), "the current mod revision must hold");
        TxnResult value = store.txn(new Txn(List.of(Compare.value("k", b("v2"))),
                List.of(Op.put("k", b("v3")), Op.get("k")), List.of()));
        assertTrue(value.succeeded(), "value v2 must compare equal");
        assertEquals("v3", value.results().get(1).get(0).text(), "a GET after a PUT in one txn sees it");
        TxnResult wrongValue = store.txn(new Txn(List.of(Compare.value("k", b("v2"))), List.of(Op.put("k", b("x"))), List.of()));
        assertFalse(wrongValue.succeeded(), "value v2 no longer holds");
        assertEquals(List.of(), wrongValue.results(), "an empty failure branch returns no results");
        TxnResult version = store.txn(new Txn(List.of(new Compare("k", Compare.Target.VERSION, 3, null)), List.of(), List.of()));
        assertTrue(version.succeeded(), "version 3 after three puts");
        TxnResult absentMod = store.txn(new Txn(List.of(Compare.modRevision("nothing", 0)), List.of(), List.of()));
        assertTrue(absentMod.succeeded(), "mod revision 0 of a missing key");
    }

    @Test
    void deletePrefixInTxnReturnsWhatItDeleted() {
        EtcdClusterStore store = store(1);
        store.put("net/n1/a", b("1"));
        store.put("net/n1/b", b("2"));
        store.put("net/n10/c", b("3"));
        TxnResult result = store.txn(new Txn(List.of(), List.of(Op.deletePrefix("net/n1/"), Op.delete("net/n10/c")), List.of()));
        assertTrue(result.succeeded(), "a txn without comparisons succeeds");
        assertEquals(List.of("net/n1/a", "net/n1/b"), result.results().get(0).stream().map(KeyValue::key).toList());
        assertEquals(List.of("3"), result.results().get(1).stream().map(KeyValue::text).toList());
        assertTrue(store.range("net/").kvs().isEmpty(), "all deleted");
    }

    @Test
    void leasedKeyVanishesAfterTheSessionEnds() throws Exception {
        EtcdClusterStore store = store(0);
        EtcdClusterStore other = store(1);
        EtcdSession session = store.session();
        assertTrue(session.fresh(), "the first session of a node is fresh");
        assertTrue(store.txn(Txn.createIfAbsent("peers/h1", b("vtep"), true)).succeeded());
        KeyValue kv = other.get("peers/h1").orElseThrow();
        assertEquals(session.lease(), kv.lease(), "bound to the session's lease");
        Thread.sleep((session.grantedTtl() + 1) * 1000);
        assertTrue(other.get("peers/h1").isPresent(), "kept alive beyond the TTL (" + session.grantedTtl() + " s) while the store runs");
        store.close();
        long closedAt = System.nanoTime();
        while (other.get("peers/h1").isPresent()) {
            if (System.nanoTime() - closedAt > Duration.ofSeconds(session.grantedTtl() + 8).toNanos()) {
                fail("the leased key outlived its closed session by more than TTL + 8 s");
            }
            Thread.sleep(200);
        }
        long gone = (System.nanoTime() - closedAt) / 1_000_000;
        assertTrue(gone >= 1000, "the leased key vanished too early (" + gone + " ms after close)");
    }

    @Test
    void sessionTakenUpAgainByARestartedStore() {
        EtcdClusterStore first = store(0);
        EtcdSession s1 = first.session();
        assertTrue(s1.fresh());
        assertEquals(s1, first.session(), "one session per store");
        first.close();
        EtcdClusterStore second = store(0); // the same node id: the advertise address
        EtcdSession s2 = second.session();
        assertEquals(s1.lease(), s2.lease(), "a restart within the TTL takes the same lease up again");
        assertFalse(s2.fresh(), "a lease taken up again is not fresh");
        EtcdClusterStore otherNode = store(1);
        assertNotEquals(s1.lease(), otherNode.session().lease(), "another node has its own lease");
    }

    @Test
    void lostLeaseIsRenewedAndListenersTold() throws Exception {
        EtcdClusterStore store = store(0);
        EtcdSession session = store.session();
        long old = session.lease();
        AtomicInteger renewed = new AtomicInteger();
        session.onRenewed(renewed::incrementAndGet);
        JsonObject revoke = new JsonObject();
        revoke.addProperty("ID", Long.toString(old));
        store.call("/v3/lease/revoke", revoke, true);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (renewed.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(1, renewed.get(), "the renewal listener runs once after the lease was revoked");
        assertNotEquals(old, session.lease(), "a new lease");
        assertTrue(session.fresh(), "a renewed session is fresh");
        assertEquals(Long.toString(session.lease()), store.get("sessions/" + store.nodeId()).orElseThrow().text());
    }

    @Test
    void watchResetsThenDeliversEventsWithPreviousOnDelete() throws Exception {
        EtcdClusterStore store = store(0);
        EtcdClusterStore writer = store(2);
        writer.put("peers/a", b("1"));
        Recorder rec = new Recorder();
        Watch watch = store.watch("peers/", rec);
        open.add(0, watch);
        assertTrue(rec.await(WAIT, r -> r.resets.size() == 1), "reset first: " + rec);
        assertEquals(List.of("peers/a"), rec.resets.get(0).kvs().stream().map(KeyValue::key).toList());
        writer.put("peers/b", b("2"));
        writer.put("peers/b", b("3"));
        writer.put("other/x", b("not watched"));
        writer.delete("peers/a");
        assertTrue(rec.await(WAIT, r -> r.events.size() == 3), "three events: " + rec);
        List<Event> events = rec.events;
        assertEquals(List.of("PUT peers/b", "PUT peers/b", "DELETE peers/a"), rec.eventKeys());
        assertEquals(null, events.get(0).previous(), "a create has no previous");
        assertEquals("2", events.get(1).previous().text(), "an update carries what it replaced");
        assertEquals("1", events.get(2).previous().text(), "a delete carries what was deleted");
        assertTrue(events.get(0).kv().modRevision() < events.get(1).kv().modRevision()
                && events.get(1).kv().modRevision() < events.get(2).kv().modRevision(), "revision order: " + events);
        assertTrue(rec.outages.isEmpty(), "no outage: " + rec.outages);
        assertTrue(rec.oneThread(), "callbacks of one watch on one thread");
        watch.close();
        writer.put("peers/c", b("after close"));
        Thread.sleep(500);
        assertEquals(3, rec.events.size(), "nothing after close: " + rec);
    }

    @Test
    void watchResumesOnAnotherMemberWithoutLossOrDuplicates() throws Exception {
        EtcdClusterStore store = store(0);
        Recorder rec = new Recorder();
        EtcdWatch watch = (EtcdWatch) store.watch("w/", rec);
        open.add(0, watch);
        assertTrue(rec.await(WAIT, r -> r.resets.size() == 1), "reset: " + rec);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (watch.streamEndpoint() < 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        int serving = watch.streamEndpoint();
        assertTrue(serving >= 0, "the watch has a stream");
        int writerHost = (serving + 1) % 3;
        EtcdClusterStore writer = store(writerHost, settings(writerHost).withEndpoints(List.of(URI.create(cluster.clientUrl(writerHost)))));
        writer.put("w/0", b("before"));
        assertTrue(rec.await(WAIT, r -> r.events.size() == 1), "first event: " + rec);
        cluster.kill(serving);
        cluster.awaitHealthy(); // the dead member may have been the leader: the others elect one first
        for (int i = 1; i <= 10; i++) {
            writer.put("w/" + i, b("while down " + i));
        }
        assertTrue(rec.await(WAIT, r -> r.events.size() >= 11), "every event after the member serving the stream died: " + rec);
        Thread.sleep(500);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            expected.add("PUT w/" + i);
        }
        assertEquals(expected, rec.eventKeys(), "no event lost or delivered twice");
        assertEquals(1, rec.resets.size(), "resumed, not reset");
        assertNotEquals(serving, watch.streamEndpoint(), "the stream moved to another member");
    }

    @Test
    void compactedResumeRevisionResetsTheWatch() throws Exception {
        EtcdSettings only0 = settings(0).withEndpoints(List.of(URI.create(cluster.clientUrl(0))));
        EtcdClusterStore store = store(0, only0);
        EtcdClusterStore writer = store(1, settings(1).withEndpoints(List.of(URI.create(cluster.clientUrl(1)))));
        writer.put("c/a", b("1"));
        Recorder rec = new Recorder();
        Watch watch = store.watch("c/", rec);
        open.add(0, watch);
        assertTrue(rec.await(WAIT, r -> r.resets.size() == 1), "reset: " + rec);
        cluster.kill(0);
        cluster.awaitHealthy();
        writer.put("c/b", b("2"));
        writer.delete("c/a");
        long rev = writer.put("other", b("x"));
        JsonObject compact = new JsonObject();
        compact.addProperty("revision", Long.toString(rev));
        compact.addProperty("physical", true);
        writer.call("/v3/kv/compaction", compact, true);
        assertTrue(rec.await(WAIT, r -> r.outages.size() == 1), "the only member of the watch is down: unavailable once: " + rec);
        cluster.restart(0);
        assertTrue(rec.await(Duration.ofSeconds(30), r -> r.resets.size() == 2), "a reset after the compaction: " + rec);
        assertEquals(List.of("c/b"), rec.resets.get(1).kvs().stream().map(KeyValue::key).toList(), "the whole current state");
        assertTrue(rec.events.isEmpty(), "nothing from before the compaction as events: " + rec);
        assertEquals(1, rec.outages.size(), "unavailable once per outage: " + rec);
        writer.put("c/d", b("4"));
        assertTrue(rec.await(WAIT, r -> r.events.size() == 1), "events after the reset: " + rec);
    }

    @Test
    void oneMemberDownEverythingWorks() throws Exception {
        cluster.kill(1);
        cluster.awaitHealthy();
        EtcdClusterStore store = store(1); // on the host whose member is dead, with every endpoint
        assertEquals(1, store.put("x", b("1")) > 0 ? 1 : 0);
        assertEquals("1", store.get("x").orElseThrow().text());
        assertTrue(store.txn(Txn.createIfAbsent("y", b("2"), true)).succeeded(), "a leased create");
        assertEquals(2, store.range("").kvs().stream().filter(kv -> !kv.key().startsWith("sessions/")).count());
        Recorder rec = new Recorder();
        open.add(0, store.watch("", rec));
        assertTrue(rec.await(WAIT, r -> r.resets.size() == 1), "reset: " + rec);
        store.delete("x");
        assertTrue(rec.await(WAIT, r -> r.eventKeys().contains("DELETE x")), "the delete event: " + rec);
    }

    @Test
    void quorumLostFailsWithinTheTimeoutThenRecovers() throws Exception {
        EtcdClusterStore store = store(2);
        Recorder rec = new Recorder();
        open.add(0, store.watch("q/", rec));
        assertTrue(rec.await(WAIT, r -> r.resets.size() == 1), "reset: " + rec);
        store.put("q/before", b("1"));
        assertTrue(rec.await(WAIT, r -> r.events.size() == 1), "event before the loss: " + rec);
        List<Integer> killed = cluster.killQuorum();
        assertEquals(List.of(0, 1), killed);
        long start = System.nanoTime();
        ClusterException put = assertThrows(ClusterException.class, () -> store.put("q/during", b("2")), "a write without quorum");
        long putMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(put.reason() == ClusterException.Reason.UNAVAILABLE || put.reason() == ClusterException.Reason.INDETERMINATE,
                "unavailable or indeterminate, not " + put.reason() + ": " + put.getMessage());
        assertTrue(putMs < 3 * TIMEOUT.toMillis(), "the write failed after " + putMs + " ms, more than 3 × the timeout " + TIMEOUT);
        start = System.nanoTime();
        ClusterException get = assertThrows(ClusterException.class, () -> store.get("q/before"), "a read without quorum");
        long getMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ClusterException.Reason.UNAVAILABLE, get.reason(), get.getMessage());
        System.out.println("quorum lost: put " + put.reason() + " after " + putMs + " ms (" + put.getMessage() + "); get "
                + get.reason() + " after " + getMs + " ms (" + get.getMessage() + ")");
        assertTrue(getMs < 3 * TIMEOUT.toMillis(), "the read failed after " + getMs + " ms");
        assertTrue(rec.await(Duration.ofSeconds(30), r -> r.outages.size() >= 1), "the watch reports the outage: " + rec);
        // Once the survivor has noticed it has no leader (an election timeout, 2.5 s), it says so at once.
        Thread.sleep(3000);
        start = System.nanoTime();
        ClusterException later = assertThrows(ClusterException.class, () -> store.put("q/later", b("2")), "a write without quorum");
        long laterMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("quorum lost a while: put " + later.reason() + " after " + laterMs + " ms (" + later.getMessage() + ")");
        assertTrue(laterMs < 3 * TIMEOUT.toMillis(), "the write failed after " + laterMs + " ms");
        for (int i : killed) {
            cluster.restart(i);
        }
        cluster.awaitHealthy();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                store.put("q/after", b("3"));
                break;
            } catch (ClusterException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("writes do not work again after the members came back", e);
                }
                Thread.sleep(200);
            }
        }
        assertTrue(rec.await(WAIT, r -> r.eventKeys().contains("PUT q/after")), "the watch converges after the outage: " + rec);
        assertEquals(1, rec.outages.size(), "unavailable once for the outage: " + rec);
        long during = rec.eventKeys().stream().filter(k -> k.equals("PUT q/during")).count();
        assertTrue(during <= 1, "an indeterminate write shows at most once: " + rec);
    }

    @Test
    void failsOverWhenTheFirstEndpointIsDeadFromTheStart() {
        cluster.kill(0);
        cluster.awaitHealthy();
        EtcdClusterStore store = store(0);
        long start = System.nanoTime();
        store.put("f", b("1"));
        assertEquals("1", store.get("f").orElseThrow().text());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < TIMEOUT.toMillis(), "failover took " + ms + " ms");
        assertNotEquals(0, store.gateway().current(), "remembers an endpoint that works");
        assertEquals(Optional.empty(), store.get("nothing"));
    }

    @Test
    void prefixesIsolateStores() {
        EtcdClusterStore a = store(0, settings(0).withPrefix(testPrefix + "a"));
        EtcdClusterStore b = store(1, settings(1).withPrefix(testPrefix + "b"));
        a.put("k", b("from a"));
        b.put("k", b("from b"));
        assertEquals("from a", a.get("k").orElseThrow().text());
        assertEquals("from b", b.get("k").orElseThrow().text());
        assertEquals(1, a.range("").kvs().size(), "a sees only its own: " + a.range(""));
        assertEquals(testPrefix + "a/", a.settings().prefix(), "normalised prefix");
        a.delete("k");
        assertTrue(b.get("k").isPresent(), "b's key is untouched by a's delete");
    }

    @Test
    void valuesAreBytes() {
        EtcdClusterStore store = store(0);
        byte[] binary = {0, (byte) 0xff, 10, 13, '"', '\\'};
        store.put("bin", binary);
        assertArrayEquals(binary, store.get("bin").orElseThrow().value());
        store.put("empty", new byte[0]);
        assertArrayEquals(new byte[0], store.get("empty").orElseThrow().value(), "an empty value round-trips");
        store.put("ünï/кey", b("x"));
        assertEquals("ünï/кey", store.range("ünï/").kvs().get(0).key());
    }

    private static String uid() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).map(l -> l.split("\\s+")[2]).findFirst().orElse("?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
