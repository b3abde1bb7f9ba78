package dev.weft.driver.bridge;

import dev.weft.linux.Conntrack;
import dev.weft.linux.ConntrackFilter;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import dev.weft.spi.DriverContext;
import java.util.List;

/**
 * Deletes conntrack entries off the user's path, on a {@link DeferredWork} queue of core's.
 * ctnetlink finds entries only by dumping, and a dump walks the whole conntrack hash table (shared
 * by all namespaces): ~20 ms of CPU here however few entries it returns. Flows of a removed
 * endpoint or an unpublished port lose their sandbox end at once anyway (map element gone, veth
 * going), so their entries can wait: queued filters are deleted together
 * ({@link Conntrack#delete(java.util.Collection)}: one walk per family for many filters) at a quiet
 * moment ({@link #POLICY}). Adding a UDP binding deletes the port's stale entries synchronously
 * instead ({@link NftFirewaller#publish}), so a re-published port never keeps the old target.
 */
final class FlowReaper implements AutoCloseable {
    /** At a quiet moment, at most 1 s after the oldest filter; every queued filter in one walk. */
    static final DeferredPolicy POLICY = DeferredPolicy.named("bridge-flow-reaper").maxWait(1_000);

    private final DeferredWork<ConntrackFilter> queue;

    FlowReaper(Conntrack conntrack, DriverContext context) {
        this.queue = context.deferredWork(POLICY, conntrack::delete);
    }

    /** Queues the deletion of the entries these filters match. */
    void submit(List<ConntrackFilter> filters) {
        filters.forEach(queue::submit);
    }

    /** Deletes what is queued now and waits for it (tests, benchmarks, shutdown). */
    void drain() {
        queue.drain();
    }

    @Override
    public void close() {
        queue.close();
    }
}
