package dev.weft.testkit;

import com.sun.jna.LastErrorException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code on a fresh platform thread that setns()'d into a network namespace. setns acts on
 * the calling thread only, so the thread must be one nobody else will reuse: it ends with the
 * work. Never do this on a pooled thread, which would stay in the namespace for later tasks.
 */
final class NamespaceThread {
    private NamespaceThread() {
    }

    static <T> T call(String name, Path nsPath, Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                enter(name, nsPath);
                result.set(work.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "netns " + name);
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running code in netns " + name, e);
        }
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    /** Moves the calling thread (only) into the namespace. */
    static void enter(String name, Path nsPath) {
        int fd;
        try {
            fd = Libc.INSTANCE.open(nsPath.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot open netns " + name + " at " + nsPath + ": " + e.getMessage(), e);
        }
        try {
            Libc.INSTANCE.setns(fd, Libc.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot enter netns " + name + ": setns: " + e.getMessage(), e);
        } finally {
            Libc.INSTANCE.close(fd);
        }
    }
}
