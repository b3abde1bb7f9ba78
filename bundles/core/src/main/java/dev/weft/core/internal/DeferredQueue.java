package dev.weft.core.internal;

import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one implementation of {@link DeferredWork}: a queue of keys with due times, one platform
 * thread started on demand (and ended when the queue is empty), waiting for quiet moments as the
 * {@link DeferredPolicy} says. Core's sandbox reaper and every driver's background work are
 * instances of it, so the quiet interval below exists once.
 */
class DeferredQueue<K> implements DeferredWork<K> {
    private static final Logger LOG = Logger.getLogger(DeferredQueue.class.getName());
    /** How long no user's operation must have run for a quiet moment, for every queue. */
    static final long QUIET_MILLIS = 50;
    private static final long POLL_MILLIS = 10;

    private final DeferredPolicy policy;
    private final Task<K> task;
    private final LongSupplier quiet;
    /** Queued keys and when each is due (System.nanoTime), in queue order. */
    private final Map<K, Long> queued = new LinkedHashMap<>();
    private final Set<K> running = new HashSet<>();
    private Thread worker;
    private boolean closed;
    /** Callers waiting: everything queued is due now and needs no quiet. */
    private int hurry;
    /** When the last batch ended, for the policy's pause. */
    private long batchEnded;
    /**
     * With a pause and batches: the keys due at this moment (System.nanoTime; 0: none) are the
     * current round, worked off in batches with pauses between; keys due later wait for the next
     * round, under the usual rules (quiet, maximum wait, backlog). Without rounds, a steady stream
     * of submissions would keep the queue working a batch each pause, never quiet.
     */
    private long round;

    /**
     * @param quiet how long no user's operation has run, in ms (0 while one runs)
     */
    DeferredQueue(DeferredPolicy policy, Task<K> task, LongSupplier quiet) {
        this.policy = policy;
        this.task = task;
        this.quiet = quiet;
    }

    @Override
    public void submit(K key) {
        submit(key, policy.delayMillis());
    }

    @Override
    public void submit(K key, long delayMillis) {
        synchronized (this) {
            if (!closed) {
                while (queued.size() >= policy.capacity() && !queued.containsKey(key) && worker != null
                        && Thread.currentThread() != worker && !closed) {
                    hurry++; // a full queue is worked off now; the submitter waits for room
                    try {
                        wait(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    } finally {
                        hurry--;
                    }
                }
                long due = System.nanoTime() + Math.max(0, delayMillis) * 1_000_000;
                Long before = queued.get(key);
                queued.put(key, before == null ? due : Math.max(before, due));
                notifyAll();
                if (worker == null) {
                    worker = new Thread(this::run, "weft-" + policy.name());
                    worker.setDaemon(true);
                    worker.start();
                }
                return;
            }
        }
        runTask(List.of(key)); // closed: no thread any more
    }

    @Override
    public synchronized boolean isPending(K key) {
        return queued.containsKey(key) || running.contains(key);
    }

    @Override
    public synchronized boolean hasPending() {
        return !queued.isEmpty() || !running.isEmpty();
    }

    @Override
    public void await(K key) {
        waitFor(() -> !queued.containsKey(key) && !running.contains(key));
    }

    @Override
    public void drain() {
        waitFor(() -> queued.isEmpty() && running.isEmpty());
    }

    private synchronized void waitFor(BooleanSupplier done) {
        if (done.getAsBoolean()) {
            return;
        }
        if (Thread.currentThread() == worker) {
            return; // the task itself asks: what it waits for comes after it
        }
        hurry++;
        notifyAll();
        try {
            while (!done.getAsBoolean() && worker != null) {
                wait(POLL_MILLIS * 5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            hurry--;
        }
    }

    private void run() {
        try {
            work();
        } finally {
            synchronized (this) { // when the thread dies of an error: nobody may wait for it forever
                if (worker == Thread.currentThread()) {
                    worker = null;
                    running.clear();
                    notifyAll();
                }
            }
        }
    }

    private void work() {
        while (true) {
            List<K> batch;
            synchronized (this) {
                try {
                    batch = nextBatch();
                } catch (InterruptedException e) {
                    worker = null;
                    notifyAll();
                    return;
                }
                if (batch == null) {
                    worker = null;
                    notifyAll();
                    return;
                }
            }
            runTask(batch);
            synchronized (this) {
                running.removeAll(batch);
                batchEnded = System.nanoTime();
                notifyAll();
            }
        }
    }

    /** The next batch of due keys, once it is time; null when the queue is empty. Holding the monitor. */
    private List<K> nextBatch() throws InterruptedException {
        while (true) {
            if (queued.isEmpty()) {
                if (closed) {
                    return null;
                }
                wait(1_000);
                if (queued.isEmpty()) {
                    return null; // idle: the thread ends, a later submit starts another
                }
                continue;
            }
            long now = System.nanoTime();
            boolean all = hurry > 0 || closed;
            long soonest = Long.MAX_VALUE;
            int due = 0, inRound = 0;
            for (long t : queued.values()) {
                soonest = Math.min(soonest, t);
                due += t <= now ? 1 : 0;
                inRound += round != 0 && t <= round ? 1 : 0;
            }
            round = inRound == 0 ? 0 : round;
            long cut = now;
            boolean go;
            if (all) {
                go = true;
            } else if (round != 0) { // the rest of a round: after the pause, or at a quiet moment
                go = quiet.getAsLong() >= QUIET_MILLIS || (now - batchEnded) / 1_000_000 >= policy.pauseMillis();
                cut = round;
            } else {
                go = due > 0 && timeToWork(now, soonest, due);
                round = go && policy.pauseMillis() > 0 && policy.batchSize() > 0 ? now : 0;
            }
            if (go) {
                List<K> batch = new ArrayList<>();
                for (Iterator<Map.Entry<K, Long>> it = queued.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<K, Long> e = it.next();
                    if (policy.batchSize() > 0 && batch.size() == policy.batchSize()) {
                        break;
                    }
                    if (all || e.getValue() <= cut) {
                        batch.add(e.getKey());
                        it.remove();
                    }
                }
                running.addAll(batch);
                return batch;
            }
            long untilDue = soonest > now ? Math.max(1, (soonest - now) / 1_000_000) : POLL_MILLIS;
            wait(Math.min(untilDue, due > 0 ? POLL_MILLIS : untilDue));
        }
    }

    private boolean timeToWork(long now, long soonest, int due) {
        return quiet.getAsLong() >= QUIET_MILLIS || due > policy.backlog()
                || (now - soonest) / 1_000_000 >= policy.maxWaitMillis();
    }

    private void runTask(List<K> batch) {
        try {
            task.run(batch);
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            LOG.log(Level.WARNING, policy.name() + ": work of " + batch.size() + " item(s) failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        drain();
    }
}
