package dev.weft.cluster.etcd;

import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore.Event;
import dev.weft.spi.ClusterStore.Range;
import dev.weft.spi.ClusterStore.Watcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A watcher that records what it gets, for tests. */
final class Recorder implements Watcher {
    final List<Range> resets = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    final List<ClusterException> outages = new ArrayList<>();
    private Thread thread;
    private boolean concurrent;

    @Override
    public synchronized void reset(Range current) {
        check();
        resets.add(current);
        notifyAll();
    }

    @Override
    public synchronized void events(List<Event> list) {
        check();
        events.addAll(list);
        notifyAll();
    }

    @Override
    public synchronized void unavailable(ClusterException cause) {
        check();
        outages.add(cause);
        notifyAll();
    }

    private void check() {
        if (thread == null) {
            thread = Thread.currentThread();
        } else if (thread != Thread.currentThread()) {
            concurrent = true;
        }
    }

    synchronized boolean oneThread() {
        return !concurrent;
    }

    /** Waits until {@code condition} holds of this recorder; false on timeout. */
    synchronized boolean await(Duration timeout, Predicate<Recorder> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(this)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized List<String> eventKeys() {
        return events.stream().map(e -> e.type() + " " + e.kv().key()).toList();
    }

    @Override
    public synchronized String toString() {
        return "resets " + resets + ", events " + events + ", outages " + outages.size();
    }
}
