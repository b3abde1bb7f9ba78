package dev.weft.core.internal;

import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.spi.ControllerListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers the controller's events to {@link ControllerListener}s, as that interface promises:
 * inside the operation, in order, bounded. Every change that has an event is made under this
 * object's lock together with its delivery ({@link #change}), and a new listener's snapshot is
 * taken under the same lock: so the snapshot and the events never overlap or leave a gap.
 *
 * <p>Each listener has one thread of its own: a call that outlives {@link #BOUND_MILLIS} is left
 * running (the operation goes on; the listener's next events queue behind it, in order).
 */
final class Events implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Events.class.getName());
    static final long BOUND_MILLIS = 1_000;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Map<ControllerListener, ExecutorService> listeners = new ConcurrentHashMap<>();
    private final long boundMillis;

    Events() {
        this(BOUND_MILLIS);
    }

    /** With another bound (tests). */
    Events(long boundMillis) {
        this.boundMillis = boundMillis;
    }

    /**
     * Subscribes a listener: under the lock, so that no change happens between its snapshot and
     * its first event.
     */
    synchronized void add(ControllerListener listener, Supplier<List<NetworkInfo>> networks,
                          Supplier<List<SandboxInfo>> sandboxes) {
        if (listeners.containsKey(listener)) {
            return;
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "weft-listener-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        listeners.put(listener, thread);
        List<NetworkInfo> n = networks.get();
        List<SandboxInfo> s = sandboxes.get();
        deliver(listener, thread, "snapshot", l -> l.snapshot(n, s));
    }

    /** Unsubscribes a listener; a call of it still running finishes on its own. */
    void remove(ControllerListener listener) {
        ExecutorService thread = listeners.remove(listener);
        if (thread != null) {
            thread.shutdown();
        }
    }

    /**
     * Makes {@code change}, then delivers the event {@code event} builds (after the change, so it
     * sees the new state), to every listener. Without listeners, only the change; an event that
     * builds to null (nothing to tell) is not delivered.
     */
    synchronized void change(Runnable change, String what, Supplier<Consumer<ControllerListener>> event) {
        change.run();
        Consumer<ControllerListener> e = listeners.isEmpty() ? null : event.get();
        if (e != null) {
            listeners.forEach((l, thread) -> deliver(l, thread, what, e));
        }
    }

    /** As {@link #change}, with the event built before the change (what is gone after it). */
    synchronized void changeAfter(Supplier<Consumer<ControllerListener>> event, String what, Runnable change) {
        Consumer<ControllerListener> e = listeners.isEmpty() ? null : event.get();
        change.run();
        if (e != null) {
            listeners.forEach((l, thread) -> deliver(l, thread, what, e));
        }
    }

    static Consumer<ControllerListener> networkCreated(NetworkInfo n) {
        return l -> l.networkCreated(n);
    }

    static Consumer<ControllerListener> networkRemoved(NetworkInfo n) {
        return l -> l.networkRemoved(n);
    }

    static Consumer<ControllerListener> endpointJoined(EndpointInfo e) {
        return l -> l.endpointJoined(e);
    }

    static Consumer<ControllerListener> endpointLeft(EndpointInfo e) {
        return l -> l.endpointLeft(e);
    }

    private void deliver(ControllerListener listener, ExecutorService thread, String what,
                         Consumer<ControllerListener> event) {
        Future<?> call;
        try {
            call = thread.submit(() -> event.accept(listener));
        } catch (RuntimeException e) { // shut down meanwhile
            return;
        }
        try {
            call.get(boundMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warning("listener " + listener + " still runs " + what + " after " + boundMillis + " ms; the operation "
                    + "goes on without it");
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "listener " + listener + " failed on " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        listeners.values().forEach(ExecutorService::shutdown);
        listeners.clear();
    }
}
