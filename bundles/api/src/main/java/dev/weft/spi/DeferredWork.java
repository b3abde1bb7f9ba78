package dev.weft.spi;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Slow kernel work done off users' operations, in batches, at quiet moments: deleting veths
 * (~25 ms of kernel time each under the configuration lock), conntrack table walks, namespace
 * teardown. One mechanism for core and every driver: a driver gets a queue of its own from
 * {@link DriverContext#deferredWork} and starts no thread of its own.
 *
 * <h2>How a queue works</h2>
 * Each queued key is due {@link DeferredPolicy#delayMillis()} (or the delay given) after it is
 * submitted. Due keys are done at a quiet moment: when no user's operation has run for the
 * runtime's quiet interval, or once the oldest due key has waited
 * {@link DeferredPolicy#maxWaitMillis()}, or while more than {@link DeferredPolicy#backlog()} keys
 * are due, or at once when someone waits ({@link #await}, {@link #drain}). They go to the task
 * {@link DeferredPolicy#batchSize()} at a time, on the queue's one thread, with up to
 * {@link DeferredPolicy#pauseMillis()} between batches for users' operations. Keys are kept once
 * each (a key submitted again while queued keeps its place and takes the later due time). More
 * than {@link DeferredPolicy#capacity()} queued keys make {@link #submit} wait until the thread
 * has taken a batch: queued work is bounded.
 *
 * <h2>Guarantees</h2>
 * The task never runs for one key twice at once; {@link #await} and {@link #drain} return once
 * the keys they wait for are done (their task returned, or failed and was logged). After
 * {@link #close}, queued keys are done first, and later submits run the task on the caller's
 * thread.
 *
 * @param <K> what identifies one piece of work (a link name, a filter, a sandbox's name); equal
 *            keys are one piece of work
 */
@ProviderType
public interface DeferredWork<K> extends AutoCloseable {

    /** The work of one batch of due keys, done on the queue's thread. */
    @FunctionalInterface
    interface Task<K> {
        /**
         * Does the work of {@code keys} (at most the policy's batch size). A key whose work cannot
         * be finished yet may be submitted again from here (with a delay). A failure is logged and
         * the keys count as done.
         */
        void run(List<K> keys);
    }

    /** Queues a key, due after the policy's delay. */
    void submit(K key);

    /** Queues a key, due after {@code delayMillis}. */
    void submit(K key, long delayMillis);

    /** Whether a key is queued or its batch is running. */
    boolean isPending(K key);

    /** Whether anything is queued or running. */
    boolean hasPending();

    /** Does a queued key's work now (no waiting for its due time or for quiet) and waits for it. */
    void await(K key);

    /** Does everything queued now and waits until it is done. */
    void drain();

    /** Finishes what is queued, then stops the queue's thread; later submits run on the caller. */
    @Override
    void close();
}
