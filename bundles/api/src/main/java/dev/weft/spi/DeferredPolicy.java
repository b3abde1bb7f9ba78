package dev.weft.spi;

import java.util.Objects;

/**
 * How a {@link DeferredWork} queue waits and batches. The quiet interval itself (how long no
 * user's operation must have run) is the runtime's, the same for every queue.
 *
 * @param name          names the queue's thread and its log lines
 * @param delayMillis   how long a key waits after it is submitted before it is due (0: at once)
 * @param maxWaitMillis how long due keys wait for a quiet moment at most
 * @param backlog       more due keys than this are done without waiting for quiet
 * @param batchSize     at most this many keys per run of the task (0: all due keys)
 * @param pauseMillis   with batches: the keys due when work begins are one round, done in batches;
 *                      between two batches of a round, how long users' operations may keep the
 *                      next one waiting for quiet. Keys due after the round began wait for the
 *                      next round (0: no rounds; every batch waits as the first did)
 * @param capacity      more queued keys than this make submit wait for the queue's thread
 */
public record DeferredPolicy(String name, long delayMillis, long maxWaitMillis, int backlog, int batchSize,
                             long pauseMillis, int capacity) {

    public DeferredPolicy {
        Objects.requireNonNull(name, "name");
        if (delayMillis < 0 || maxWaitMillis < 0 || backlog < 1 || batchSize < 0 || pauseMillis < 0 || capacity < 1) {
            throw new IllegalArgumentException("deferred work " + name + ": delay, wait and pause must be >= 0, "
                    + "batch size >= 0 (0 for all), backlog and capacity >= 1");
        }
    }

    /** Due at once, at most 5 s of waiting for quiet, a backlog of 256, all due keys per batch, at most 10 000 queued. */
    public static DeferredPolicy named(String name) {
        return new DeferredPolicy(name, 0, 5_000, 256, 0, 0, 10_000);
    }

    public DeferredPolicy delay(long millis) {
        return new DeferredPolicy(name, millis, maxWaitMillis, backlog, batchSize, pauseMillis, capacity);
    }

    public DeferredPolicy maxWait(long millis) {
        return new DeferredPolicy(name, delayMillis, millis, backlog, batchSize, pauseMillis, capacity);
    }

    public DeferredPolicy backlog(int keys) {
        return new DeferredPolicy(name, delayMillis, maxWaitMillis, keys, batchSize, pauseMillis, capacity);
    }

    public DeferredPolicy batches(int keys) {
        return new DeferredPolicy(name, delayMillis, maxWaitMillis, backlog, keys, pauseMillis, capacity);
    }

    public DeferredPolicy pause(long millis) {
        return new DeferredPolicy(name, delayMillis, maxWaitMillis, backlog, batchSize, millis, capacity);
    }

    public DeferredPolicy capacity(int keys) {
        return new DeferredPolicy(name, delayMillis, maxWaitMillis, backlog, batchSize, pauseMillis, keys);
    }
}
