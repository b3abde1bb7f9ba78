package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.spi.DeferredPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The deferred-work queue without a kernel: when due keys run (their delay, a quiet moment, the
 * policy's bounds), how they are batched, and what waiting callers and closing do. The "quiet"
 * clock is the test's: busy (0) or quiet (a large value).
 */
class DeferredQueueTest {
    private static final long BUSY = 0;
    private static final long QUIET = 1_000;

    private final AtomicLong quiet = new AtomicLong(BUSY);
    private final List<List<String>> batches = new CopyOnWriteArrayList<>();

    private DeferredQueue<String> queue(DeferredPolicy policy) {
        return new DeferredQueue<>(policy, keys -> batches.add(List.copyOf(keys)), quiet::get);
    }

    private void awaitBatches(int n) throws InterruptedException {
        for (int i = 0; i < 500 && batches.size() < n; i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void dueKeysWaitForAQuietMomentThenGoTogether() throws Exception {
        DeferredQueue<String> q = queue(DeferredPolicy.named("t").maxWait(60_000));
        q.submit("a");
        q.submit("b");
        Thread.sleep(100);
        assertEquals(List.of(), batches, "busy: nothing runs");
        assertTrue(q.isPending("a"));
        quiet.set(QUIET);
        awaitBatches(1);
        assertEquals(List.of(List.of("a", "b")), batches);
        assertFalse(q.hasPending());
        q.close();
    }

    @Test
    void aKeyIsNotDueBeforeItsDelayEvenWhenQuiet() throws Exception {
        quiet.set(QUIET);
        DeferredQueue<String> q = queue(DeferredPolicy.named("t").delay(300));
        q.submit("late");
        q.submit("early", 0);
        awaitBatches(1);
        assertEquals(List.of(List.of("early")), batches);
        awaitBatches(2);
        assertEquals(List.of(List.of("early"), List.of("late")), batches);
        q.close();
    }

    @Test
    void busyForLongerThanTheMaximumWaitOrPastTheBacklogTheyGoAnyway() throws Exception {
        DeferredQueue<String> q = queue(DeferredPolicy.named("t").maxWait(200).backlog(3));
        q.submit("a");
        awaitBatches(1);
        assertEquals(List.of(List.of("a")), batches, "after the maximum wait, though busy");
        DeferredQueue<String> r = queue(DeferredPolicy.named("t2").maxWait(60_000).backlog(3));
        for (String k : List.of("w", "x", "y", "z")) {
            r.submit(k);
        }
        awaitBatches(2);
        assertEquals(List.of("w", "x", "y", "z"), batches.get(1), "more due than the backlog: at once");
        q.close();
        r.close();
    }

    @Test
    void aWaitingCallerGetsEverythingInBatchesOfThePolicysSize() throws Exception {
        quiet.set(QUIET);
        DeferredQueue<String> q = queue(DeferredPolicy.named("t").maxWait(60_000).batches(2).pause(100));
        List<String> keys = List.of("a", "b", "c", "d", "e");
        quiet.set(BUSY);
        keys.forEach(q::submit);
        q.drain(); // a waiting caller: everything now, in batches of two
        assertEquals(List.of(List.of("a", "b"), List.of("c", "d"), List.of("e")), batches);
        q.close();
    }

    @Test
    void keysDueAfterARoundBeganWaitForARoundOfTheirOwn() throws Exception {
        DeferredQueue<String> q = queue(DeferredPolicy.named("t").maxWait(300).batches(2).pause(20));
        List.of("a", "b", "c", "d").forEach(q::submit);
        awaitBatches(1); // busy: the round begins after the maximum wait
        long submitted = System.nanoTime();
        q.submit("e");
        awaitBatches(2);
        assertEquals(List.of(List.of("a", "b"), List.of("c", "d")), batches.subList(0, 2), "the round, after a pause");
        Thread.sleep(150);
        assertEquals(2, batches.size(), "a steady stream does not keep the queue working each pause: " + batches);
        awaitBatches(3);
        assertEquals(List.of("e"), batches.get(2));
        assertTrue(System.nanoTime() - submitted >= 250_000_000L, "e waited for quiet or its own maximum wait");
        q.close();
    }

    @Test
    void awaitDoesAQueuedKeyNowAndAKeySubmittedTwiceIsDoneOnce() {
        DeferredQueue<String> q = queue(DeferredPolicy.named("t").delay(60_000).maxWait(60_000));
        q.submit("a");
        q.submit("a");
        q.await("a");
        assertEquals(List.of(List.of("a")), batches);
        assertFalse(q.isPending("a"));
        q.close();
    }

    @Test
    void aTaskMayResubmitWorkItCannotFinishYet() {
        List<String> seen = new ArrayList<>();
        DeferredQueue<String>[] self = new DeferredQueue[1];
        self[0] = new DeferredQueue<>(DeferredPolicy.named("t"), keys -> {
            seen.addAll(keys);
            if (seen.size() < 3) {
                keys.forEach(k -> self[0].submit(k, 10));
            }
        }, () -> QUIET);
        self[0].submit("veth");
        self[0].drain();
        assertEquals(List.of("veth", "veth", "veth"), seen, "looked at until done; drain waited for all of it");
        self[0].close();
    }

    @Test
    void closingFinishesWhatIsQueuedAndLaterWorkRunsOnTheCaller() {
        DeferredQueue<String> q = queue(DeferredPolicy.named("t").delay(60_000).maxWait(60_000));
        q.submit("queued");
        q.close();
        assertEquals(List.of(List.of("queued")), batches);
        q.submit("after");
        assertEquals(List.of(List.of("queued"), List.of("after")), batches, "on the caller's thread, at once");
    }

    @Test
    void aFullQueueMakesTheSubmitterWaitForRoom() {
        DeferredQueue<String> q = queue(DeferredPolicy.named("t").maxWait(60_000).capacity(3));
        for (int i = 0; i < 10; i++) {
            q.submit("k" + i); // busy and never due on its own: only room-making gets work done
        }
        q.drain();
        assertEquals(10, batches.stream().mapToInt(List::size).sum());
        assertTrue(batches.size() >= 3, "worked off in several batches while submitting: " + batches);
        q.close();
    }
}
