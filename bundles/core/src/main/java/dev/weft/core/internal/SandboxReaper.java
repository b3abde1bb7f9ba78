package dev.weft.core.internal;

import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.linux.HeldNamespace;
import dev.weft.linux.Kernel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finishes sandbox removals off the user's path (docs/architecture.md §5). When a sandbox is removed, its
 * endpoints leave their networks at once (firewall elements, host ports and endpoint records
 * go), and the sandbox disappears from every listing; its namespace is left to this class, because
 * deleting a namespace costs the kernel an RCU grace period at unmount (10 ms and more on this
 * kind of VM when other work runs) and then the teardown of its interfaces under the kernel's
 * configuration lock, which every user's link change waits for. In batches:
 * <ol>
 *   <li>wait for a quiet moment: no user's operation for {@link #QUIET_MILLIS}; or the oldest job
 *       has waited {@link #MAX_DELAY_MILLIS}, or {@link #BACKLOG} jobs wait (a steady stream of
 *       operations still gets its removals done); or someone waits ({@link #await},
 *       {@link #drain});</li>
 *   <li>in groups of {@link #GROUP}, with a pause for users' operations between groups: unmount
 *       each namespace, holding it open, then let the group go at once
 *       ({@link HeldNamespace#closeAll}): the kernel destroys namespaces that die together in one
 *       pass, taking its lock once; remove their resolv.conf directories and, last, the sandbox
 *       records (REMOVING until then, so that a crash leaves something the next start finishes).
 *       From here on the names are free again;</li>
 *   <li>wait until the host ends of the endpoints' interfaces are gone, and only then release the
 *       endpoints' addresses, so that no new endpoint meets the old one's address and MAC on a
 *       bridge.</li>
 * </ol>
 * One platform thread, started on demand.
 */
final class SandboxReaper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SandboxReaper.class.getName());
    static final long QUIET_MILLIS = 50;
    static final long MAX_DELAY_MILLIS = 5_000;
    /** More queued jobs than this are done without waiting for a quiet moment. */
    static final int BACKLOG = 256;
    /** How long to wait for a host interface to go before releasing its addresses anyway. */
    static final long INTERFACE_DEADLINE_MILLIS = 15_000;
    private static final long POLL_MILLIS = 10;
    private static final long FIRST_LOOK_MILLIS = 20;
    static final int GROUP = 8;
    static final long PAUSE_MILLIS = 50;

    /**
     * What is left of one removed sandbox: its record (REMOVING), whether its namespace is one Weft
     * created (then it is deleted here), the host-side interfaces its endpoints had, and the release
     * of their addresses.
     */
    record Job(SandboxRecord sandbox, boolean ownNamespace, List<String> hostInterfaces, List<Runnable> releases,
               long queued) {
        Job(SandboxRecord sandbox, boolean ownNamespace, List<String> hostInterfaces, List<Runnable> releases) {
            this(sandbox, ownNamespace, hostInterfaces, releases, System.nanoTime());
        }
    }

    /** What a job needs from its surroundings. */
    interface Steps {
        /** Removes the sandbox's resolv.conf directory. */
        void removeResolvConf(String sandbox);

        /** Removes the sandbox's record. */
        void removeRecord(SandboxRecord sandbox);
    }

    private final Kernel kernel;
    private final Activity activity;
    private final Steps steps;
    private final List<Job> queue = new ArrayList<>();
    /** Sandbox names whose namespace is not deleted yet (queued or running jobs). */
    private final Map<String, Job> names = new HashMap<>();
    /** Jobs taken from the queue and not finished yet. */
    private int running;
    private Thread worker;
    private boolean closed;
    /** Callers waiting: work now, without waiting for a quiet moment. */
    private int hurry;

    SandboxReaper(Kernel kernel, Activity activity, Steps steps) {
        this.kernel = kernel;
        this.activity = activity;
        this.steps = steps;
    }

    /** Queues a job; after {@link #close} it is done on the caller's thread. */
    void submit(Job job) {
        synchronized (this) {
            if (!closed) {
                queue.add(job);
                names.put(job.sandbox().name(), job);
                notifyAll();
                if (worker == null) {
                    worker = new Thread(this::run, "weft-sandbox-reaper");
                    worker.setDaemon(true);
                    worker.start();
                }
                return;
            }
        }
        finishNow(job);
    }

    /** Does a job now, on the caller's thread (reconcile, shutdown). */
    void finishNow(Job job) {
        finish(List.of(job));
    }

    /** Whether a removed sandbox of this name still has its namespace. */
    synchronized boolean isPending(String name) {
        return names.containsKey(name);
    }

    /** Whether removals are queued or running. */
    synchronized boolean hasPending() {
        return !queue.isEmpty() || running > 0;
    }

    /** Waits until no removed sandbox of this name still has its namespace (the name is wanted again). */
    void await(String name) {
        waitFor(() -> !names.containsKey(name));
    }

    /** Waits until every queued job is entirely done (tests, network removal, shutdown). */
    void drain() {
        waitFor(() -> queue.isEmpty() && running == 0);
    }

    private synchronized void waitFor(java.util.function.BooleanSupplier done) {
        if (done.getAsBoolean()) {
            return;
        }
        hurry++;
        notifyAll();
        try {
            while (!done.getAsBoolean() && worker != null) {
                wait(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            hurry--;
        }
    }

    private void run() {
        while (true) {
            List<Job> batch;
            synchronized (this) {
                try {
                    while (queue.isEmpty() && !closed) {
                        wait();
                    }
                    while (!queue.isEmpty() && hurry == 0 && !closed && !timeToWork()) {
                        wait(POLL_MILLIS);
                    }
                } catch (InterruptedException e) {
                    worker = null;
                    notifyAll();
                    return;
                }
                if (queue.isEmpty()) {
                    worker = null;
                    notifyAll();
                    return;
                }
                batch = new ArrayList<>(queue);
                queue.clear();
                running = batch.size();
            }
            try {
                finish(batch);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "finishing sandbox removals failed: " + e.getMessage(), e);
            } finally {
                synchronized (this) {
                    running = 0;
                    batch.forEach(j -> names.remove(j.sandbox().name(), j));
                    notifyAll();
                }
            }
        }
    }

    /** Called holding the monitor with a non-empty queue. */
    private boolean timeToWork() {
        long waited = (System.nanoTime() - queue.get(0).queued()) / 1_000_000;
        return waited >= MAX_DELAY_MILLIS || queue.size() >= BACKLOG || activity.quietMillis() >= QUIET_MILLIS;
    }

    /**
     * Finishes jobs in groups of {@link #GROUP}: the kernel removes each dying veth from its bridge
     * with an RCU grace period under its configuration lock, so a group holds that lock for about
     * {@code GROUP} grace periods; between groups, users' operations get their turn.
     */
    private void finish(List<Job> batch) {
        for (int from = 0; from < batch.size(); from += GROUP) {
            if (from > 0) {
                pause();
            }
            finishGroup(batch.subList(from, Math.min(batch.size(), from + GROUP)));
        }
    }

    /** Between groups: until a quiet moment, {@link #PAUSE_MILLIS} at most, none when someone waits. */
    private synchronized void pause() {
        long until = System.nanoTime() + PAUSE_MILLIS * 1_000_000;
        try {
            while (hurry == 0 && !closed && activity.quietMillis() < QUIET_MILLIS && System.nanoTime() < until) {
                wait(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void finishGroup(List<Job> group) {
        List<HeldNamespace> held = new ArrayList<>();
        List<Job> done = new ArrayList<>();
        try {
            for (Job j : group) {
                if (!j.ownNamespace()) {
                    done.add(j);
                    continue;
                }
                try {
                    held.add(kernel.namespaces().deleteName(j.sandbox().name()));
                    done.add(j);
                } catch (RuntimeException e) {
                    // the record stays REMOVING: the next start tries again
                    LOG.log(Level.WARNING, "sandbox " + j.sandbox().name() + ": cannot delete its namespace (the next "
                            + "start tries again): " + e.getMessage(), e);
                }
            }
        } finally {
            HeldNamespace.closeAll(held);
        }
        for (Job j : done) {
            if (j.ownNamespace()) {
                steps.removeResolvConf(j.sandbox().name());
            }
            steps.removeRecord(j.sandbox());
        }
        synchronized (this) {
            done.forEach(j -> names.remove(j.sandbox().name(), j));
            notifyAll();
        }
        List<String> interfaces = new ArrayList<>();
        group.forEach(j -> interfaces.addAll(j.hostInterfaces()));
        awaitGone(interfaces);
        for (Job j : group) {
            for (Runnable release : j.releases()) {
                try {
                    release.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "sandbox " + j.sandbox().name() + ": cannot release an address: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Polls the host namespace until these interfaces are gone or the deadline passes. */
    private void awaitGone(List<String> left) {
        if (left.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + INTERFACE_DEADLINE_MILLIS * 1_000_000;
        // The kernel destroys the namespaces in a worker after they are let go; looking a dying
        // interface up makes the kernel process its carrier loss first (an RCU grace period under
        // the configuration lock), so give the worker a head start instead of asking at once.
        sleep(FIRST_LOOK_MILLIS);
        while (true) {
            left.removeIf(name -> {
                try {
                    return kernel.host().link(name).isEmpty();
                } catch (RuntimeException e) {
                    return true; // cannot tell: waiting longer would not tell either
                }
            });
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                LOG.warning("interfaces " + left + " of removed sandboxes still exist after " + INTERFACE_DEADLINE_MILLIS
                        + " ms (something else holds their namespaces?); releasing their addresses anyway");
                return;
            }
            if (!sleep(POLL_MILLIS)) {
                return;
            }
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Finishes every queued job, then stops the worker; later jobs run on the caller's thread. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        drain();
    }
}
