package dev.weft.core.internal;

import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finishes sandbox removals off the user's path (docs/architecture.md §4, §8). When a sandbox is
 * removed, its endpoints leave their networks at once (firewall elements, host ports and endpoint
 * records go), and the sandbox disappears from every listing; its namespace is left to this class,
 * a {@link DeferredWork} queue of sandbox names: deleting a namespace costs the kernel an RCU grace
 * period at unmount (10 ms and more on this kind of VM when other work runs) and then the teardown
 * of its interfaces under the kernel's configuration lock, which every user's link change waits
 * for. At a quiet moment ({@link #POLICY}), in groups of 8 with a pause for users between groups:
 * <ol>
 *   <li>unmount each namespace, holding it open, then let the group go at once
 *       ({@link HostSystem#deleteNameHolding}): the kernel destroys namespaces that die together in one
 *       pass, taking its lock once; remove their resolv.conf directories and, last, the sandbox
 *       records (REMOVING until then, so that a crash leaves something the next start finishes).
 *       From here on the names are free again;</li>
 *   <li>tell each endpoint's removal that the namespace is gone ({@link EndpointRemoval}): the
 *       drivers look for what its destruction takes down (a veth) and say when the endpoint's
 *       addresses are free; those their drivers do not hold are released now;</li>
 *   <li>the next group first waits (1 s at most) until the drivers have said so.</li>
 * </ol>
 */
final class SandboxReaper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SandboxReaper.class.getName());
    /**
     * Up to 5 s for a quiet moment, at once past 256 waiting; groups of 8: the kernel removes each
     * dying veth from its bridge with an RCU grace period under its configuration lock, so a group
     * holds that lock for about 8 grace periods; between groups users' operations get 50 ms.
     */
    static final DeferredPolicy POLICY = DeferredPolicy.named("sandbox-reaper").maxWait(5_000).backlog(256)
            .batches(8).pause(50);
    /** A group waits at most this long for the previous group's interfaces to be gone. */
    static final long PACE_MILLIS = 1_000;

    /**
     * What is left of one removed sandbox: its record (REMOVING), whether its namespace is one Weft
     * created (then it is deleted here), and its endpoints' removals.
     */
    record Job(SandboxRecord sandbox, boolean ownNamespace, List<EndpointRemoval> removals) {
        Job {
            removals = List.copyOf(removals);
        }
    }

    /** What a job needs from its surroundings. */
    interface Steps {
        /** Removes the sandbox's resolv.conf directory. */
        void removeResolvConf(String sandbox);

        /** Removes the sandbox's record. */
        void removeRecord(SandboxRecord sandbox);
    }

    private final HostSystem system;
    private final Steps steps;
    /** Queued jobs by sandbox name. */
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final DeferredWork<String> queue;
    /** Removals whose drivers hold the addresses after the namespace went (released on their word). */
    private final List<EndpointRemoval> held = new CopyOnWriteArrayList<>();
    /**
     * The last group done: the next one waits for its interfaces first. Waiting at the start of
     * the next group, not at the end of this one, lets a caller waiting for this group's names
     * ({@code sandbox:remove} through the shell) go as soon as its namespaces are deleted.
     */
    private volatile List<Job> previous = List.of();

    SandboxReaper(HostSystem system, Background background, Steps steps) {
        this.system = system;
        this.steps = steps;
        this.queue = background.queue(POLICY, this::finishQueued);
    }

    /** Queues a job; after {@link #close} it is done on the caller's thread. */
    void submit(Job job) {
        jobs.put(job.sandbox().name(), job);
        queue.submit(job.sandbox().name());
    }

    /** Does a job now, on the caller's thread (reconcile, a sandbox whose namespace is not Weft's). */
    void finishNow(Job job) {
        finish(List.of(job));
    }

    /** Whether a removed sandbox of this name still has its namespace. */
    boolean isPending(String name) {
        return queue.isPending(name);
    }


    /** Waits until no removed sandbox of this name still has its namespace (the name is wanted again). */
    void await(String name) {
        queue.await(name);
    }

    /** Waits until every queued job has deleted its namespace. */
    void drain() {
        queue.drain();
    }

    /** Whether drivers still hold addresses of removed sandboxes. */
    boolean holdsAddresses() {
        return held.stream().anyMatch(r -> !r.released());
    }

    /** Releases addresses drivers still hold long after their namespaces went (with a warning each). */
    void releaseOverdue() {
        held.removeIf(r -> r.released() || r.releaseIfOverdue());
    }

    private void finishQueued(List<String> names) {
        List<Job> group = new ArrayList<>();
        for (String name : names) {
            Job j = jobs.remove(name);
            if (j != null) {
                group.add(j);
            }
        }
        awaitInterfacesGone(previous); // background groups only: finishNow is a user's operation
        finish(group);
        previous = group;
    }

    private void finish(List<Job> group) {
        List<AutoCloseable> namespaces = new ArrayList<>();
        List<Job> done = new ArrayList<>();
        try {
            for (Job j : group) {
                if (!j.ownNamespace()) {
                    done.add(j);
                    continue;
                }
                try {
                    namespaces.add(system.deleteNameHolding(j.sandbox().name()));
                    done.add(j);
                } catch (RuntimeException e) {
                    // the record stays REMOVING: the next start tries again
                    LOG.log(Level.WARNING, "sandbox " + j.sandbox().name() + ": cannot delete its namespace (the next "
                            + "start tries again): " + e.getMessage(), e);
                }
            }
        } finally {
            for (AutoCloseable held : namespaces) { // back to back: the kernel destroys them in one pass
                try {
                    held.close();
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "cannot let go of a removed namespace: " + e.getMessage(), e);
                }
            }
        }
        for (Job j : done) {
            if (j.ownNamespace()) {
                steps.removeResolvConf(j.sandbox().name());
            }
            steps.removeRecord(j.sandbox());
        }
        for (Job j : group) {
            for (EndpointRemoval r : j.removals()) {
                r.namespaceGone();
                if (!r.released()) {
                    held.add(r);
                }
            }
        }
        held.removeIf(EndpointRemoval::released); // released on their drivers' word since
    }

    /**
     * A group waits until the kernel has torn the previous group's interfaces down (their drivers
     * release the addresses then), {@link #PACE_MILLIS} at most: the teardown runs in the kernel's
     * cleanup worker under its configuration lock, and a next group on top of it would take that
     * lock from users' operations for longer (measured: setup and connect medians 15–20% higher).
     */
    private void awaitInterfacesGone(List<Job> group) {
        long deadline = System.nanoTime() + PACE_MILLIS * 1_000_000;
        try {
            for (Job j : group) {
                for (EndpointRemoval r : j.removals()) {
                    r.awaitReleased(deadline);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Finishes every queued job, then stops the queue; later jobs run on the caller's thread. */
    @Override
    public void close() {
        queue.close();
    }
}
