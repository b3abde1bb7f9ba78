package dev.weft.driver.bridge;

import dev.weft.linux.Rtnetlink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes detached host-side veths off the user's path: deleting a veth costs ~25 ms of kernel
 * time under the kernel's configuration lock, so {@code leave} only detaches (no master, down)
 * and queues the name here (DESIGN.md §4). One platform thread, started on demand.
 *
 * <p>Deletes wait {@link #GRACE_MILLIS} before they are sent. Most leaves are part of a sandbox's
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

    private final Rtnetlink host;
    private final Set<String> pending = new LinkedHashSet<>();
    private Thread worker;
    private boolean closed;
    /** When the oldest queued veth was queued (System.nanoTime), if any is. */
    private long oldest;
    /** Set by {@link #drain}: delete what is queued without waiting out the grace. */
    private int hurry;

    VethDeleter(Rtnetlink host) {
        this.host = host;
    }

    /** Queues a host-side veth (its peer goes with it). */
    synchronized void delete(String hostEnd) {
        if (closed) {
            deleteNow(hostEnd); // shutting down: no worker any more
            return;
        }
        if (pending.isEmpty()) {
            oldest = System.nanoTime();
        }
        pending.add(hostEnd);
        notifyAll();
        if (worker == null) {
            worker = new Thread(this::run, "weft-bridge-veth-deleter");
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** Whether {@code hostEnd} waits for deletion (a join of the same name must wait for it). */
    synchronized boolean isPending(String hostEnd) {
        return pending.contains(hostEnd);
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
                while (hurry == 0 && !closed && !pending.isEmpty()) {
                    long left = GRACE_MILLIS - (System.nanoTime() - oldest) / 1_000_000;
                    if (left <= 0) {
                        break;
                    }
                    try {
                        wait(left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending.isEmpty()) {
                    continue;
                }
                next = new ArrayList<>(pending);
                if (next.size() > BATCH) {
                    next = new ArrayList<>(next.subList(0, BATCH));
                }
            }
            deleteAll(next);
            synchronized (this) {
                pending.removeAll(next);
                // what is left (a backlog) goes on at once: its oldest veth has waited long enough
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
