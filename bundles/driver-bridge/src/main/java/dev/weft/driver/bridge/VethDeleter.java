package dev.weft.driver.bridge;

import dev.weft.linux.Rtnetlink;
import java.util.ArrayList;
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
 * <p>Pending deletes are not written to disk: every queued veth keeps its ownership alias
 * ({@code weft:<instance>:<network id>/<endpoint id>}), so after a crash the network's restore
 * finds it (no endpoint claims it) and deletes it. Nothing leaks.
 */
final class VethDeleter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VethDeleter.class.getName());

    private final Rtnetlink host;
    private final Set<String> pending = new LinkedHashSet<>();
    private Thread worker;
    private boolean closed;

    VethDeleter(Rtnetlink host) {
        this.host = host;
    }

    /** Queues a host-side veth (its peer goes with it). */
    synchronized void delete(String hostEnd) {
        if (closed) {
            deleteNow(hostEnd); // shutting down: no worker any more
            return;
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

    /** Waits until every queued delete is done (tests, shutdown, a join that reuses a name). */
    synchronized void drain() {
        while (!pending.isEmpty() && worker != null) {
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
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
                next = new ArrayList<>(pending);
            }
            deleteAll(next);
            synchronized (this) {
                pending.removeAll(next);
                notifyAll();
            }
        }
    }

    /** Everything queued in one rtnetlink send; on any failure, one by one (absent links are no error). */
    private void deleteAll(List<String> names) {
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
