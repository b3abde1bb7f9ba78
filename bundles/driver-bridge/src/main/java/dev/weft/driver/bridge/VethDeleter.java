package dev.weft.driver.bridge;

import dev.weft.linux.Rtnetlink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes detached host-side veths off the user's path: deleting a veth costs ~25 ms of kernel
 * time under the kernel's configuration lock, so {@code leave} only detaches (no master, down)
 * and queues the name here (docs/architecture.md §5). One platform thread, started on demand.
 *
 * <p>Deletes wait {@link #GRACE_MILLIS} before they are sent, and then for a quiet moment (no
 * user's operation for {@link #QUIET_MILLIS}; at most {@link #MAX_WAIT_FOR_QUIET_MILLIS} more). Most leaves are part of a sandbox's
 * removal, and deleting the sandbox's namespace destroys both ends of the pair anyway (the kernel
 * does it for all dying namespaces in one batch): by the time the grace is over those veths are
 * gone and cost nothing more. What is left is deleted in one rtnetlink send, so the kernel's
 * configuration lock, which every user's-path operation needs too, is taken once per batch of
 * up to {@link #BATCH} instead of once per veth. {@link #drain} skips the grace.
 *
 * <p>Pending deletes are not written to disk: every queued veth keeps its ownership alias
 * ({@code weft:<instance>:<network id>/<endpoint id>}), so after a crash the network's restore
 * finds it (no endpoint claims it) and deletes it. Nothing leaks.
 */
final class VethDeleter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VethDeleter.class.getName());
    /** How long a queued veth waits for its namespace's destruction to take it. */
    static final long GRACE_MILLIS = 500;
    /**
     * At most this many veths per send: the kernel holds its configuration lock for a whole send,
     * and a user's request that needs it waits for all of them (measured: 4 kept connect and setup
     * medians lower than unbounded batches with backlogs of tens).
     */
    static final int BATCH = 4;

    /** How long the veth of a removed sandbox waits: the controller destroys the namespace in a quiet moment. */
    static final long REMOVED_SANDBOX_GRACE_MILLIS = 5_000;

    /** A due delete waits for this much quiet (no user's operation running) ... */
    static final long QUIET_MILLIS = 50;
    /** ... but not longer than this past its grace, nor while more than {@link #BACKLOG} are due. */
    static final long MAX_WAIT_FOR_QUIET_MILLIS = 5_000;
    static final int BACKLOG = 64;

    private final Rtnetlink host;
    private final java.util.function.LongSupplier quiet;
    /** Queued host ends and when each may be deleted (System.nanoTime), in queue order. */
    private final Map<String, Long> pending = new LinkedHashMap<>();
    private Thread worker;
    private boolean closed;
    /** Set by {@link #drain}: delete what is queued without waiting out the grace. */
    private int hurry;

    /** {@code quiet}: how long no user's operation has been running, in ms ({@link dev.weft.spi.DriverContext#quietMillis}). */
    VethDeleter(Rtnetlink host, java.util.function.LongSupplier quiet) {
        this.host = host;
        this.quiet = quiet;
    }

    /** Queues a host-side veth (its peer goes with it) after {@link #GRACE_MILLIS}. */
    void delete(String hostEnd) {
        delete(hostEnd, GRACE_MILLIS);
    }

    /** Queues a host-side veth (its peer goes with it), to be deleted if it still exists after {@code graceMillis}. */
    synchronized void delete(String hostEnd, long graceMillis) {
        if (closed) {
            deleteNow(hostEnd); // shutting down: no worker any more
            return;
        }
        pending.put(hostEnd, System.nanoTime() + graceMillis * 1_000_000);
        notifyAll();
        if (worker == null) {
            worker = new Thread(this::run, "weft-bridge-veth-deleter");
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** Whether {@code hostEnd} waits for deletion (a join of the same name must wait for it). */
    synchronized boolean isPending(String hostEnd) {
        return pending.containsKey(hostEnd);
    }

    /** Whether any veth waits for deletion. */
    synchronized boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Waits until every queued delete is done (tests, shutdown, a join that reuses a name). */
    synchronized void drain() {
        hurry++;
        notifyAll();
        try {
            while (!pending.isEmpty() && worker != null) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            hurry--;
        }
    }

    private void run() {
        while (true) {
            List<String> next;
            synchronized (this) {
                while (pending.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending.isEmpty()) {
                    worker = null;
                    notifyAll();
                    return;
                }
                next = new ArrayList<>();
                while (hurry == 0 && !closed && !pending.isEmpty()) {
                    long now = System.nanoTime();
                    long soonest = Long.MAX_VALUE;
                    int due = 0;
                    for (Map.Entry<String, Long> e : pending.entrySet()) {
                        soonest = Math.min(soonest, e.getValue());
                        due += e.getValue() <= now ? 1 : 0;
                    }
                    long overdue = (now - soonest) / 1_000_000;
                    if (soonest <= now && (quiet.getAsLong() >= QUIET_MILLIS || overdue >= MAX_WAIT_FOR_QUIET_MILLIS
                            || due >= BACKLOG)) {
                        break;
                    }
                    try {
                        wait(soonest > now ? Math.max(1, (soonest - now) / 1_000_000) : QUIET_MILLIS / 2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                long now = System.nanoTime();
                boolean all = hurry > 0 || closed;
                for (Map.Entry<String, Long> e : pending.entrySet()) {
                    if (next.size() == BATCH) {
                        break;
                    }
                    if (all || e.getValue() <= now) {
                        next.add(e.getKey());
                    }
                }
                if (next.isEmpty()) {
                    continue;
                }
            }
            deleteAll(next);
            synchronized (this) {
                next.forEach(pending::remove);
                // what is left (a backlog) goes on at once if its time has come
                notifyAll();
            }
        }
    }

    /**
     * Everything queued that still exists (one dump tells) in one rtnetlink send; on any failure,
     * one by one (absent links are no error).
     */
    private void deleteAll(List<String> queued) {
        List<String> names = queued;
        if (queued.size() > 1) {
            try {
                Set<String> present = new HashSet<>();
                host.links().forEach(l -> present.add(l.name()));
                names = queued.stream().filter(present::contains).toList();
            } catch (RuntimeException e) {
                // no dump: try them all
            }
        }
        if (names.isEmpty()) {
            return;
        }
        if (names.size() > 1) {
            try {
                var batch = host.batch();
                names.forEach(batch::deleteLink);
                batch.send();
                return;
            } catch (RuntimeException e) {
                // e.g. one of them is gone already: fall through and finish the rest one by one
            }
        }
        names.forEach(this::deleteNow);
    }

    private void deleteNow(String hostEnd) {
        try {
            host.deleteLinkIfExists(hostEnd);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not delete veth " + hostEnd + " (the next restore removes it): " + e.getMessage(), e);
        }
    }

    /** Finishes the queued deletes, then stops the worker. */
    @Override
    public void close() {
        drain();
        synchronized (this) {
            closed = true;
            notifyAll();
        }
    }
}
