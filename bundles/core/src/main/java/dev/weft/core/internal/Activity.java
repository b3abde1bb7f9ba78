package dev.weft.core.internal;

/**
 * Whether users' operations are running: background kernel work ({@link SandboxReaper}) waits for
 * a quiet moment, because it competes with them for the kernel's configuration lock.
 */
final class Activity {
    private int inFlight;
    private long lastEnd = System.nanoTime();

    /** Marks an operation in flight until the returned handle is closed. */
    Op begin() {
        synchronized (this) {
            inFlight++;
        }
        return this::end;
    }

    private synchronized void end() {
        inFlight--;
        lastEnd = System.nanoTime();
    }

    /** How long no operation has been running, in milliseconds; 0 while one is. */
    synchronized long quietMillis() {
        return inFlight > 0 ? 0 : (System.nanoTime() - lastEnd) / 1_000_000;
    }

    /** An operation in flight. */
    interface Op extends AutoCloseable {
        @Override
        void close();
    }
}
