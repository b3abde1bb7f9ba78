package dev.weft.itests.felix;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/** Waiting with a deadline, never a fixed sleep: services by tracker, states by polling. */
final class Await {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {}

    /** The service of {@code type}, waiting for it up to {@link #TIMEOUT}. Closing the tracker releases it. */
    static <T> ServiceTracker<T, T> service(BundleContext context, Class<T> type) {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            if (tracker.waitForService(TIMEOUT.toMillis()) == null) {
                tracker.close();
                throw new AssertionError("no " + type.getName() + " service within " + TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            tracker.close();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + type.getName(), e);
        }
        return tracker;
    }

    /** Returns once {@code condition} holds; fails naming {@code what} after {@link #TIMEOUT}. */
    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT.toSeconds() + " s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
