package dev.weft.linux.internal;

import com.sun.jna.LastErrorException;
import dev.weft.linux.KernelException;
import dev.weft.net.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs units of work inside a network namespace on dedicated platform threads. {@code setns}
 * and {@code unshare} act on the calling thread only, so they never happen on a pooled or
 * virtual thread of anyone else's: each worker is ours, enters the target namespace for one
 * unit of work and returns to the namespace it was born in afterwards. A worker that cannot
 * return retires. Workers hold no handle on a namespace between units of work.
 */
public final class NamespaceRunner implements AutoCloseable {
    private static final int MAX_IDLE = 4;
    private static final AtomicInteger IDS = new AtomicInteger();

    private final LinkedBlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger idle = new AtomicInteger();
    private volatile boolean closed;

    /** Work that runs on a worker thread; {@code inside} says whether to setns first. */
    private record Task<T>(NetNamespace target, boolean fresh, Callable<T> work, CompletableFuture<T> result) {}

    /** Runs {@code work} on a worker thread inside {@code ns} and returns its result. */
    public <T> T call(NetNamespace ns, Callable<T> work) {
        return submit(new Task<>(ns, false, work, new CompletableFuture<>()));
    }

    /**
     * Runs {@code work} on a worker thread that has just unshared into a brand-new network
     * namespace; the worker returns to its own namespace afterwards.
     */
    public <T> T callInNewNamespace(Callable<T> work) {
        return submit(new Task<>(null, true, work, new CompletableFuture<>()));
    }

    private <T> T submit(Task<T> task) {
        if (closed) {
            throw new IllegalStateException("namespace runner is closed");
        }
        queue.add(task);
        if (idle.get() <= 0) {
            Worker w = new Worker();
            w.start();
        }
        try {
            return task.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for namespace work", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c.getMessage(), c);
        }
    }

    private final class Worker extends Thread {
        private int homeFd = -1;

        Worker() {
            super("weft-netns-" + IDS.incrementAndGet());
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                homeFd = LibC.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            } catch (LastErrorException e) {
                failNext(new KernelException(e.getErrorCode(), "open own namespace", getName(), null, e));
                return;
            }
            try {
                loop();
            } finally {
                LibC.close(homeFd);
            }
        }

        private void failNext(RuntimeException e) {
            Task<?> t = queue.poll();
            if (t != null) {
                t.result().completeExceptionally(e);
            }
        }

        private void loop() {
            while (!closed) {
                Task<?> task;
                idle.incrementAndGet();
                try {
                    task = queue.poll(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                } finally {
                    idle.decrementAndGet();
                }
                if (task == null) {
                    if (queue.isEmpty()) {
                        return; // idle long enough
                    }
                    continue; // a task came in while this worker was leaving
                }
                if (!runTask(task)) {
                    return; // could not return home: retire this thread
                }
                if (idle.get() >= MAX_IDLE) {
                    return;
                }
            }
        }

        private <T> boolean runTask(Task<T> task) {
            try {
                enter(task);
            } catch (RuntimeException e) {
                task.result().completeExceptionally(e);
                return goHome();
            }
            try {
                task.result().complete(task.work().call());
            } catch (Throwable t) {
                task.result().completeExceptionally(t);
            }
            return goHome();
        }

        private void enter(Task<?> task) {
            if (task.fresh()) {
                try {
                    LibC.unshare(LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    throw new KernelException(e.getErrorCode(), "create network namespace", null, null, e);
                }
                return;
            }
            enterCurrent(task.target());
        }

        private boolean goHome() {
            try {
                LibC.setns(homeFd, LibC.CLONE_NEWNET);
                return true;
            } catch (LastErrorException e) {
                return false;
            }
        }
    }

    /** The path of the calling thread's own namespace file, e.g. {@code /proc/123/task/456/ns/net}. */
    public static Path threadNamespacePath() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            return Path.of("/proc").resolve(self).resolve("ns/net");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot resolve /proc/thread-self: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        Task<?> t;
        while ((t = queue.poll()) != null) {
            t.result().completeExceptionally(new IllegalStateException("namespace runner is closed"));
        }
    }

    /**
     * Moves the calling thread into {@code ns} for good (a thread of one's own that must live there,
     * e.g. one an HTTP client opens its sockets on), checking that the path still pins the
     * namespace's inode.
     */
    public static void enterCurrent(NetNamespace ns) {
        int fd;
        try {
            fd = LibC.open(ns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new KernelException(e.getErrorCode(), "open network namespace", ns.path().toString(), null, e);
        }
        try {
            boolean known = ns.device() != 0 || ns.inode() != 0; // unknown while adopting
            if (known && !ns.sameAs(NetNamespace.at(ns.name(), ns.path()))) {
                throw new KernelException(Errno.ESRCH, "enter network namespace", ns.path().toString(),
                        "the path now pins another namespace than net:[" + ns.inode() + "]");
            }
            LibC.setns(fd, LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new KernelException(e.getErrorCode(), "enter network namespace", ns.path().toString(),
                    e.getErrorCode() == Errno.EINVAL ? "not a network namespace" : null, e);
        } finally {
            LibC.close(fd);
        }
    }
}
