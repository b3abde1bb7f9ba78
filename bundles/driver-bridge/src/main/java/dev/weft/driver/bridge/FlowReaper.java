package dev.weft.driver.bridge;

import dev.weft.linux.Conntrack;
import dev.weft.linux.ConntrackFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes conntrack entries off the user's path. ctnetlink finds entries only by dumping, and a
 * dump walks the whole conntrack hash table (shared by all namespaces): ~20 ms of CPU here however
 * few entries it returns. Flows of a removed endpoint or an unpublished port lose their sandbox end
 * at once anyway (map element gone, veth going), so their entries can wait: queued filters are
 * deleted together ({@link Conntrack#delete(java.util.Collection)}: one walk per family for many
 * filters) at a quiet moment ({@link #QUIET_MILLIS} without a user's operation, or
 * {@link #MAX_DELAY_MILLIS} after the oldest). Adding a UDP binding deletes the port's stale entries
 * synchronously instead ({@link BridgeDriver#publish}), so a re-published port never keeps the old
 * target. One daemon thread, started on demand; {@link #drain} does what is queued at once.
 */
final class FlowReaper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FlowReaper.class.getName());
    static final long QUIET_MILLIS = 50;
    static final long MAX_DELAY_MILLIS = 1_000;
    private static final long POLL_MILLIS = 10;

    private final Conntrack conntrack;
    private final LongSupplier quiet;
    private final List<ConntrackFilter> queue = new ArrayList<>();
    private long oldest;
    /** Filters taken from the queue and not deleted yet. */
    private int running;
    private int hurry;
    private boolean closed;
    private Thread worker;

    FlowReaper(Conntrack conntrack, LongSupplier quiet) {
        this.conntrack = conntrack;
        this.quiet = quiet;
    }

    /** Queues the deletion of the entries these filters match. */
    synchronized void submit(List<ConntrackFilter> filters) {
        if (filters.isEmpty()) {
            return;
        }
        if (queue.isEmpty()) {
            oldest = System.nanoTime();
        }
        queue.addAll(filters);
        notifyAll();
        if (worker == null && !closed) {
            worker = new Thread(this::run, "weft-bridge-flow-reaper");
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** Deletes what is queued now and waits for it (tests, benchmarks, shutdown). */
    synchronized void drain() {
        hurry++;
        notifyAll();
        try {
            while ((!queue.isEmpty() || running > 0) && worker != null) {
                wait(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            hurry--;
        }
    }

    private void run() {
        while (true) {
            List<ConntrackFilter> batch;
            synchronized (this) {
                try {
                    while (queue.isEmpty() && !closed) {
                        wait();
                    }
                    while (!queue.isEmpty() && hurry == 0 && !closed && quiet.getAsLong() < QUIET_MILLIS
                            && (System.nanoTime() - oldest) / 1_000_000 < MAX_DELAY_MILLIS) {
                        wait(POLL_MILLIS);
                    }
                } catch (InterruptedException e) {
                    worker = null;
                    notifyAll();
                    return;
                }
                if (queue.isEmpty()) {
                    worker = null;
                    notifyAll();
                    return;
                }
                batch = new ArrayList<>(queue);
                queue.clear();
                running = batch.size();
            }
            try {
                conntrack.delete(batch);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not delete the conntrack entries of " + batch.size() + " removed endpoints or "
                        + "ports (they expire by their own timeouts): " + e.getMessage(), e);
            } finally {
                synchronized (this) {
                    running = 0;
                    notifyAll();
                }
            }
        }
    }

    /** Deletes what is queued, then stops the worker. */
    @Override
    public void close() {
        drain();
        synchronized (this) {
            closed = true;
            notifyAll();
        }
    }
}
