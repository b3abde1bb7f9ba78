package dev.weft.driver.bridge;

import dev.weft.linux.Rtnetlink;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import dev.weft.spi.DriverContext;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bridge's veths off the user's path, on two {@link DeferredWork} queues of core's: deleting a
 * veth costs ~25 ms of kernel time under the kernel's configuration lock (docs/architecture.md §5).
 *
 * <ul>
 *   <li><b>Detached veths</b> ({@link #delete}): a {@code network:disconnect} detaches the host end
 *       at once (no master, down) and queues it here; it is deleted {@link #DETACHED} later, at a
 *       quiet moment, a few per rtnetlink send (the kernel holds its lock for a whole send, and a
 *       user's request that needs it waits for all of them).</li>
 *   <li><b>Veths of removed sandboxes</b> ({@link #afterNamespaceGone}): the namespace's destruction
 *       takes the pair, so nothing is deleted on the user's path; once core has deleted the
 *       namespace, the host end is watched until it is gone, and then the endpoint's addresses are
 *       free (its driver holds them until then: no new endpoint meets the old address and MAC on
 *       the bridge). A veth still there after {@link #REMOVED_DEADLINE_MILLIS} (something else
 *       keeps the namespace alive) is deleted.</li>
 * </ul>
 *
 * <p>Pending deletes are not written to disk: every queued veth keeps its ownership alias
 * ({@code weft:<instance>:<network id>/<endpoint id>}), so after a crash the network's restore
 * finds it (no endpoint claims it) and deletes it. Nothing leaks.
 */
final class VethDeleter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VethDeleter.class.getName());
    /**
     * Detached veths: due after 500 ms, then at a quiet moment (at most 5 s more, at once past 64),
     * at most 4 per send (measured: 4 kept connect and setup medians lower than unbounded batches).
     */
    static final DeferredPolicy DETACHED = DeferredPolicy.named("bridge-veth-deleter").delay(500).maxWait(5_000)
            .backlog(64).batches(4);
    /**
     * Host ends of removed sandboxes: first looked at 20 ms after the namespace went (looking a dying
     * link up makes the kernel process its carrier loss first, a grace period under its lock: the
     * kernel's cleanup worker gets a head start), then every 10 ms, all at once.
     */
    static final DeferredPolicy REMOVED = DeferredPolicy.named("bridge-removed-veths").delay(20).maxWait(0);
    private static final long POLL_MILLIS = 10;
    static final long REMOVED_DEADLINE_MILLIS = 5_000;
    /** Up to this many names are looked up one by one; more in one dump of the host's links. */
    private static final int LOOKUPS = 16;

    private final Rtnetlink host;
    private final DeferredWork<String> detached;
    private final DeferredWork<String> removed;
    /** Host ends of removed sandboxes being watched: when their addresses are free, and by when to delete. */
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    /** Set while a caller drains: veths of removed sandboxes still there are deleted at once. */
    private volatile int hurry;
    /** After close, work runs on the caller: nothing is looked at again later, veths still there are deleted. */
    private volatile boolean closed;

    private record Watch(Runnable addressesFree, long deadline) {}

    VethDeleter(Rtnetlink host, DriverContext context) {
        this.host = host;
        this.detached = context.deferredWork(DETACHED, this::deleteAll);
        this.removed = context.deferredWork(REMOVED, this::watch);
    }

    /** Queues a detached host-side veth (its peer goes with it). */
    void delete(String hostEnd) {
        detached.submit(hostEnd);
    }

    /**
     * Watches the host end of a removed sandbox's veth, now that core has deleted the namespace,
     * and runs {@code addressesFree} once it is gone (or deleted).
     */
    void afterNamespaceGone(String hostEnd, Runnable addressesFree) {
        watches.put(hostEnd, new Watch(addressesFree, System.nanoTime() + REMOVED_DEADLINE_MILLIS * 1_000_000));
        removed.submit(hostEnd);
    }

    /** Whether {@code hostEnd} waits for deletion (a join of the same name must wait for it). */
    boolean isPending(String hostEnd) {
        return detached.isPending(hostEnd) || removed.isPending(hostEnd);
    }

    /**
     * Waits until {@code hostEnd} is no longer queued (deleted, or gone with its namespace). Unlike
     * {@link #drain}, the watched veths of other removed sandboxes are not deleted early (about
     * 25 ms of kernel time each, under its lock, on the caller's join).
     */
    void awaitGone(String hostEnd) {
        if (isPending(hostEnd)) {
            detached.await(hostEnd);
            removed.await(hostEnd);
        }
    }

    /** Whether any veth waits. */
    boolean hasPending() {
        return detached.hasPending() || removed.hasPending();
    }

    /** Deletes every queued veth now, also those of removed sandboxes still there, and waits. */
    void drain() {
        hurry++;
        try {
            detached.drain();
            removed.drain();
        } finally {
            hurry--;
        }
    }

    /** Those of the keys still there are deleted: one dump tells, one send deletes them. */
    private void deleteAll(List<String> queued) {
        List<String> names = present(queued);
        if (names.size() > 1) {
            try {
                var batch = host.batch();
                names.forEach(batch::deleteLink);
                batch.send();
                return;
            } catch (RuntimeException e) {
                // e.g. one of them is gone already: finish the rest one by one
            }
        }
        names.forEach(this::deleteNow);
    }

    /** Host ends gone free their addresses; those still there are looked at again (or deleted, late or hurried). */
    private void watch(List<String> hostEnds) {
        Set<String> there = new HashSet<>(present(hostEnds));
        long now = System.nanoTime();
        for (String name : hostEnds) {
            Watch w = watches.get(name);
            if (w == null) {
                continue;
            }
            if (there.contains(name)) {
                if (hurry == 0 && !closed && now < w.deadline()) {
                    removed.submit(name, POLL_MILLIS);
                    continue;
                }
                deleteNow(name); // something else keeps the namespace alive, or a caller cannot wait
            }
            watches.remove(name);
            w.addressesFree().run();
        }
    }

    /**
     * The names that still exist: a lookup each for a few (the watched host ends of a group of
     * removed sandboxes, looked at every 10 ms: a dump would cost as much as the host has links),
     * one dump for more.
     */
    private List<String> present(List<String> names) {
        try {
            if (names.size() <= LOOKUPS) {
                return names.stream().filter(n -> host.link(n).isPresent()).toList();
            }
            Set<String> links = new HashSet<>();
            host.links().forEach(l -> links.add(l.name()));
            return names.stream().filter(links::contains).toList();
        } catch (RuntimeException e) {
            return names; // cannot tell: treat them as there (deleting an absent link is no error)
        }
    }

    private void deleteNow(String hostEnd) {
        try {
            host.deleteLinkIfExists(hostEnd);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not delete veth " + hostEnd + " (the next restore removes it): " + e.getMessage(), e);
        }
    }

    /** Finishes the queued work, then lets the queues go. */
    @Override
    public void close() {
        drain();
        closed = true;
        detached.close();
        removed.close();
    }
}
