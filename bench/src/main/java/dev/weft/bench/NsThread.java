package dev.weft.bench;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A way into a namespace by path for long-running work (the DNS bench's clients): a fresh platform
 * thread that setns()'d into it, runs the work and ends, as the test kit's own. Not the kernel
 * layer's {@code NamespaceRunner}, whose few pooled workers are for short units of work: clients
 * that wait for each other there would wait for a worker forever.
 */
final class NsThread {
    private interface Libc extends Library {
        Libc INSTANCE = Native.load("c", Libc.class);
        int O_RDONLY = 0;
        int O_CLOEXEC = 0x80000;
        int CLONE_NEWNET = 0x40000000;

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private NsThread() {
    }

    /** An entry into the network namespace at {@code path}. */
    static DnsTarget.Entry entry(Path path) {
        return work -> call(path, work);
    }

    /**
     * Threads that setns() into the namespace at {@code path} before they run anything: for a
     * single-thread executor of one's own (the overlay bench's prober), never a shared pool.
     */
    static java.util.concurrent.ThreadFactory threadsIn(Path path) {
        return work -> {
            Thread t = new Thread(() -> {
                enter(path);
                work.run();
            }, "netns " + path.getFileName());
            t.setDaemon(true);
            return t;
        };
    }

    private static void enter(Path path) {
        int fd = Libc.INSTANCE.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        try {
            Libc.INSTANCE.setns(fd, Libc.CLONE_NEWNET);
        } finally {
            Libc.INSTANCE.close(fd);
        }
    }

    static Object call(Path path, Callable<Object> work) throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                int fd = Libc.INSTANCE.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
                try {
                    Libc.INSTANCE.setns(fd, Libc.CLONE_NEWNET);
                } finally {
                    Libc.INSTANCE.close(fd);
                }
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "netns " + path.getFileName());
        t.setDaemon(true);
        t.start();
        t.join();
        Throwable e = failure.get();
        if (e instanceof Exception x) {
            throw x;
        }
        if (e instanceof Error x) {
            throw x;
        }
        return result.get();
    }
}
