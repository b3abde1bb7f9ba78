package dev.weft.driver.bridge;

import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.LinkChange;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import dev.weft.spi.DriverContext;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Tells the neighbours on a bridge a joined interface's addresses and MAC (a gratuitous ARP for its
 * IPv4 address, an unsolicited neighbour advertisement for each IPv6 one, as Docker 28 does), so
 * that a neighbour that knew a reused address under another MAC stops sending to the old one. The
 * kernel sends them when a MAC is set on an interface with {@code arp_notify} and
 * {@code ndisc_notify} on ({@link LinkPlumbing#announceSysctls}, written here first): here the same MAC again. Not when
 * the link comes up: the kernel's announcement at that moment is lost, since the host end becomes a
 * forwarding port of the bridge only when the kernel's link watcher has seen its carrier, which may
 * be a while later; so this waits until the host end reports running (set by that watcher right
 * before it tells the bridge), 200 ms at most from the join, looking again every millisecond
 * (the key is queued again with a delay; the queue's thread does not wait).
 *
 * <p>Only for an address that left an interface of the same network recently
 * ({@link #recentlyReleased}): a neighbour can hold a stale entry for no other. Off the user's
 * path, on a {@link DeferredWork} queue that does not wait for quiet (Docker,
 * too, announces from the background): the join returns without waiting for the link watcher,
 * and the neighbours learn within milliseconds. An interface gone meanwhile (its sandbox removed)
 * is skipped.
 */
final class Announcer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Announcer.class.getName());
    /** At once, without waiting for a quiet moment: the point is to be early. */
    static final DeferredPolicy POLICY = DeferredPolicy.named("bridge-announcer").maxWait(0);
    /** {@code IFF_RUNNING}: operationally up, set by the kernel's link watcher. */
    private static final int IFF_RUNNING = 0x40;
    private static final long WAIT_NANOS = 200_000_000L;

    /** One joined interface to announce. */
    record Announcement(NetNamespace namespace, String interfaceName, MacAddress mac, String hostEnd,
                        Map<String, String> sysctls, long joinedAt) {}

    /**
     * How long a released address is remembered: a neighbour may hold an entry for it with the old
     * MAC this long (Linux keeps a stale entry for gc_stale_time, 60 s by default, and until the
     * garbage collector's next pass; other systems cache ARP for up to a few minutes).
     */
    static final long REMEMBER_NANOS = 10L * 60 * 1_000_000_000L;
    private static final int PRUNE_ABOVE = 4096;

    private final Kernel kernel;
    private final DeferredWork<Announcement> queue;
    /** Addresses that left an interface recently, "network id/address" to when. */
    private final Map<String, Long> released = new ConcurrentHashMap<>();

    Announcer(Kernel kernel, DriverContext context) {
        this.kernel = kernel;
        this.queue = context.deferredWork(POLICY, this::announce);
    }

    /** Remembers that these addresses (nulls skipped) of {@code network} left an interface now. */
    void released(String network, InetAddress... addresses) {
        long now = System.nanoTime();
        for (InetAddress a : addresses) {
            if (a != null) {
                released.put(network + "/" + a.getHostAddress(), now);
            }
        }
        if (released.size() > PRUNE_ABOVE) {
            released.values().removeIf(t -> now - t > REMEMBER_NANOS);
        }
    }

    /**
     * Whether one of these addresses (nulls skipped) left an interface of {@code network} within
     * {@link #REMEMBER_NANOS}: only then may a neighbour hold it with another MAC, and only then is
     * the joined interface announced. A fresh address (IPAM hands them out in order, so reuse is
     * rare) goes unannounced: no broadcast to every sandbox on the bridge, no work per join.
     */
    boolean recentlyReleased(String network, InetAddress... addresses) {
        long now = System.nanoTime();
        boolean any = false;
        for (InetAddress a : addresses) {
            Long at = a == null ? null : released.remove(network + "/" + a.getHostAddress());
            any |= at != null && now - at <= REMEMBER_NANOS;
        }
        return any;
    }

    /**
     * Queues the announcement of an interface just joined (nothing for one without a MAC):
     * {@code sysctls} ({@link LinkPlumbing#announceSysctls}) are written in its namespace, then its
     * MAC is set again.
     */
    void submit(NetNamespace namespace, String interfaceName, MacAddress mac, String hostEnd,
                Map<String, String> sysctls) {
        if (mac != null) {
            queue.submit(new Announcement(namespace, interfaceName, mac, hostEnd, Map.copyOf(sysctls),
                    System.nanoTime()));
        }
    }

    private void announce(List<Announcement> due) {
        for (Announcement a : due) {
            if (!running(a.hostEnd()) && System.nanoTime() - a.joinedAt() < WAIT_NANOS) {
                queue.submit(a, 1); // not forwarding yet: look again in a millisecond, without holding the thread
                continue;
            }
            try {
                kernel.inNamespace(a.namespace(), a.sysctls(), rt -> {
                    rt.setLink(LinkChange.of(a.interfaceName()).mac(a.mac()));
                    return null;
                });
            } catch (KernelException e) {
                if (!e.isNotFound()) {
                    LOG.info("could not announce " + a.interfaceName() + " in " + a.namespace().path() + ": "
                            + e.getMessage());
                }
            } catch (RuntimeException e) {
                // its sandbox is being removed: its namespace may be gone already; nothing to tell
                LOG.fine("could not announce " + a.interfaceName() + " in " + a.namespace().path() + ": " + e);
            }
        }
    }

    private boolean running(String hostEnd) {
        return kernel.host().link(hostEnd).map(l -> (l.flags() & IFF_RUNNING) != 0).orElse(true);
    }

    /** Announces what is queued now and waits for it (tests, benchmarks, shutdown). */
    void drain() {
        queue.drain();
    }

    @Override
    public void close() {
        queue.close();
    }
}
