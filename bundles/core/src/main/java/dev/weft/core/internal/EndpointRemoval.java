package dev.weft.core.internal;

import dev.weft.spi.SandboxConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One endpoint of a sandbox being removed, as its driver's leave sees it
 * ({@link SandboxConfig.Removal}): its addresses are released when the driver says its interfaces
 * are gone (if it held them), else once the namespace is deleted; and the driver's callbacks run
 * when the namespace is deleted.
 */
final class EndpointRemoval implements SandboxConfig.Removal {
    private static final Logger LOG = Logger.getLogger(EndpointRemoval.class.getName());
    /** Held addresses are released anyway this long after the namespace went (a driver that never says). */
    static final long HOLD_DEADLINE_MILLIS = 20_000;

    private final String what;
    private final Runnable release;
    private final List<Runnable> onGone = new ArrayList<>();
    private boolean held;
    private boolean released;
    private long goneAt;

    /** @param what names the endpoint in log lines; {@code release} releases its addresses */
    EndpointRemoval(String what, Runnable release) {
        this.what = what;
        this.release = release;
    }

    @Override
    public synchronized Runnable holdAddresses() {
        held = true;
        return this::releaseOnce;
    }

    @Override
    public void whenNamespaceGone(Runnable action) {
        synchronized (this) {
            if (goneAt == 0) {
                onGone.add(action);
                return;
            }
        }
        action.run();
    }

    /** The namespace was deleted and let go of: the drivers' callbacks, and the release unless held. */
    void namespaceGone() {
        List<Runnable> actions;
        boolean releaseNow;
        synchronized (this) {
            goneAt = System.nanoTime();
            actions = List.copyOf(onGone);
            onGone.clear();
            releaseNow = !held;
        }
        for (Runnable a : actions) {
            try {
                a.run();
            } catch (RuntimeException e) {
                LOG.warning(what + ": a driver's callback after the namespace went failed: " + e.getMessage());
            }
        }
        if (releaseNow) {
            releaseOnce();
        }
    }

    /** Whether the addresses are still held past the deadline: they are released then, with a warning. */
    boolean releaseIfOverdue() {
        synchronized (this) {
            if (released || goneAt == 0 || (System.nanoTime() - goneAt) / 1_000_000 < HOLD_DEADLINE_MILLIS) {
                return false;
            }
        }
        LOG.warning(what + ": its driver still holds the addresses " + HOLD_DEADLINE_MILLIS + " ms after the namespace "
                + "went; releasing them");
        releaseOnce();
        return true;
    }

    synchronized boolean released() {
        return released;
    }

    /** Waits until the addresses are released, or until {@code deadline} (System.nanoTime). */
    synchronized void awaitReleased(long deadline) throws InterruptedException {
        long left;
        while (!released && (left = (deadline - System.nanoTime()) / 1_000_000) > 0) {
            wait(left);
        }
    }

    private void releaseOnce() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            notifyAll();
        }
        try {
            release.run();
        } catch (RuntimeException e) {
            LOG.warning(what + ": cannot release its addresses: " + e.getMessage());
        }
    }
}
