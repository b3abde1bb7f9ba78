package dev.weft.driver.bridge;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes conntrack entries off the user's path. A selective delete costs ~20 ms here: ctnetlink
 * can only find entries by dumping, and a dump walks the whole conntrack hash table, which the
 * kernel shares between all namespaces. Flows of a removed endpoint or an unpublished port lose
 * their sandbox end at once anyway (the veth is detached, the map element gone); the reaper
 * removes their entries a few milliseconds later. Adding a UDP binding deletes the port's stale
 * entries synchronously instead ({@link BridgeDriver#publish}), so a re-published port never
 * keeps the old target. One daemon thread; {@link #drain} waits for queued work (tests, shutdown).
 */
final class FlowReaper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FlowReaper.class.getName());

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "weft-bridge-flow-reaper");
        t.setDaemon(true);
        return t;
    });

    /** Queues {@code work}; a failure is logged (the entries then expire by their own timeouts). */
    void submit(String what, Runnable work) {
        executor.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not delete the conntrack entries of " + what + ": " + e.getMessage(), e);
            }
        });
    }

    /** Waits until everything queued before this call is done. */
    void drain() {
        try {
            executor.submit(() -> { }).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: nothing runs any more
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warning("conntrack reaper did not finish in time: " + e);
        }
    }

    @Override
    public void close() {
        drain();
        executor.shutdown();
    }
}
