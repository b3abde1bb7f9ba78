package dev.weft.core.internal;

import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Every {@link DeferredWork} queue of the runtime, core's and the drivers': made here, so that
 * core can work them all off when something waits for their end (an address a removal still holds
 * is asked for, a network is removed, tests, shutdown), in the order their work feeds each other
 * (the sandbox reaper's deleted namespaces hand veths to a driver's queue).
 */
final class Background implements AutoCloseable {
    private static final int ROUNDS = 100;

    private final LongSupplier quiet;
    private final List<DeferredQueue<?>> queues = new CopyOnWriteArrayList<>();

    /** @param quiet how long no user's operation has run, in ms */
    Background(LongSupplier quiet) {
        this.quiet = quiet;
    }

    /** A new queue; closing it removes it from here. */
    <K> DeferredWork<K> queue(DeferredPolicy policy, DeferredWork.Task<K> task) {
        DeferredQueue<K> q = new DeferredQueue<>(policy, task, quiet) {
            @Override
            public void close() {
                super.close();
                queues.remove(this);
            }
        };
        queues.add(q);
        return q;
    }

    boolean hasPending() {
        return queues.stream().anyMatch(DeferredQueue::hasPending);
    }

    /**
     * Does all queued work now and waits for it, round after round while one queue's work queued
     * more in another (a driver's veths after the reaper's namespaces).
     */
    void drain() {
        for (int round = 0; round < ROUNDS && hasPending(); round++) {
            queues.forEach(DeferredQueue::drain);
        }
    }

    @Override
    public void close() {
        for (DeferredQueue<?> q : List.copyOf(queues)) {
            q.close();
        }
    }
}
