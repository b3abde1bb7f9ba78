package dev.weft.core.internal;

import dev.weft.core.internal.store.NetworkRecord.IpamRecord;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.IpamDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The IPAM drivers: core's {@code default} and {@code null}, and those registered on the OSGi
 * whiteboard (or by tests directly). Network drivers' rules apply ({@link DriverRegistry}): the
 * first registration of a name serves new networks, a network is served only by the bundle that
 * allocated its pools, calls hold a counted {@link Handle}, and a departing driver's unregistration
 * waits (bounded) for calls in flight. The built-in names cannot be registered by anyone else.
 *
 * <p>One rule more: an IPAM driver keeps its state in memory and each registration starts empty,
 * so an entry serves nobody until the leases of its networks have been replayed into it (the
 * controller does that at start and on arrival: {@link #claimReplay}, {@link #replayed}). Until
 * then a caller waits for it (bounded), so no address is handed out twice because a request
 * overtook the replay.
 */
final class IpamRegistry {
    private static final Logger LOG = Logger.getLogger(IpamRegistry.class.getName());
    private static final long DRAIN_MILLIS = 10_000;
    private static final long REPLAY_WAIT_MILLIS = 10_000;
    /** The bundle that serves the built-in IPAM drivers, as network records name it. */
    static final String CORE_BUNDLE = IpamRecord.CORE_BUNDLE;
    private static final Set<String> BUILT_IN = Set.of(IpamDriver.DEFAULT, IpamDriver.NULL);

    /** One IPAM driver service. */
    static final class Entry {
        final String name;
        final String bundle;
        final String version;
        final IpamDriver driver;
        final Object key;
        /** Asked once, at registration (the SPI's contract). */
        final AddressSpaces spaces;
        private int inFlight;
        private boolean leaving;
        private boolean claimed;
        private boolean ready;

        Entry(String name, String bundle, String version, IpamDriver driver, Object key, AddressSpaces spaces) {
            this.name = name;
            this.bundle = bundle;
            this.version = version;
            this.driver = driver;
            this.key = key;
            this.spaces = spaces;
        }

        /** The built-in {@code null}: no pools, no addresses, never called. */
        boolean isNull() {
            return name.equals(IpamDriver.NULL) && bundle.equals(CORE_BUNDLE);
        }

        boolean serves(IpamRecord network) {
            return name.equals(network.driver()) && bundle.equals(network.bundle());
        }
    }

    /** An IPAM driver held for the length of one operation. */
    final class Handle implements AutoCloseable {
        final Entry entry;
        private boolean closed;

        private Handle(Entry entry) {
            this.entry = entry;
        }

        IpamDriver driver() {
            return entry.driver;
        }

        @Override
        public void close() {
            release(entry, this);
        }

        private boolean closeOnce() {
            boolean first = !closed;
            closed = true;
            return first;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final List<Consumer<Entry>> arrivals = new CopyOnWriteArrayList<>();

    /** Called (outside any lock) after an IPAM driver was added. */
    void onArrival(Consumer<Entry> listener) {
        arrivals.add(listener);
    }

    /** Adds core's own {@code default} and {@code null} (ahead of any other, in listings). */
    void addBuiltIns(String version, IpamDriver defaultIpam, IpamDriver nullIpam) {
        add(new Entry(IpamDriver.DEFAULT, CORE_BUNDLE, version, defaultIpam, "builtin:" + IpamDriver.DEFAULT,
                defaultIpam.addressSpaces()), 0);
        add(new Entry(IpamDriver.NULL, CORE_BUNDLE, version, nullIpam, "builtin:" + IpamDriver.NULL,
                nullIpam.addressSpaces()), 1);
    }

    /** Adds a registered IPAM driver; refuses (with a warning) a built-in name or a driver whose address spaces fail. */
    void add(String name, String bundle, String version, IpamDriver driver, Object key) {
        if (BUILT_IN.contains(name)) {
            LOG.warning("IPAM driver \"" + name + "\" of " + bundle + " " + version + " ignored: the name is Weft's "
                    + "built-in IPAM driver's; register it under another " + IpamDriver.NAME);
            return;
        }
        AddressSpaces spaces;
        try {
            spaces = driver.addressSpaces();
        } catch (RuntimeException e) {
            LOG.warning("IPAM driver \"" + name + "\" of " + bundle + " " + version + " ignored: addressSpaces() failed: "
                    + e.getMessage());
            return;
        }
        add(new Entry(name, bundle, version, driver, key, spaces), -1);
    }

    private void add(Entry e, int position) {
        synchronized (this) {
            for (Entry other : entries) {
                if (other.name.equals(e.name) && !other.leaving) {
                    LOG.warning("IPAM driver \"" + e.name + "\" of " + e.bundle + " " + e.version + " waits: "
                            + other.bundle + " " + other.version + " already serves that name");
                    break;
                }
            }
            entries.add(position < 0 ? entries.size() : Math.min(position, entries.size()), e);
        }
        LOG.info("IPAM driver \"" + e.name + "\" registered by " + e.bundle + " " + e.version);
        for (Consumer<Entry> l : arrivals) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                LOG.warning("after IPAM driver \"" + e.name + "\" arrived: " + ex.getMessage());
            }
        }
    }

    /** Removes the IPAM driver registered under {@code key}, waiting up to 10 s for calls in flight. */
    void remove(Object key) {
        Entry gone = null;
        synchronized (this) {
            for (Entry e : entries) {
                if (e.key.equals(key)) {
                    gone = e;
                    break;
                }
            }
            if (gone == null) {
                return;
            }
            gone.leaving = true;
            long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
            while (gone.inFlight > 0 && System.currentTimeMillis() < deadline) {
                try {
                    wait(Math.max(1, deadline - System.currentTimeMillis()));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (gone.inFlight > 0) {
                LOG.warning("IPAM driver \"" + gone.name + "\" leaves with " + gone.inFlight + " call(s) still running");
            }
            entries.remove(gone);
            notifyAll();
        }
        LOG.info("IPAM driver \"" + gone.name + "\" of " + gone.bundle + " went away; its networks keep their "
                + "addresses and take no new endpoints until it returns");
    }

    /**
     * Takes the job of replaying leases into {@code e}: true for the first caller only, who must
     * call {@link #replayed} afterwards. Holds the entry like a handle meanwhile.
     */
    synchronized boolean claimReplay(Entry e) {
        if (e.claimed || e.leaving || !entries.contains(e)) {
            return false;
        }
        e.claimed = true;
        e.inFlight++;
        return true;
    }

    /** The replay into {@code e} is done: it serves from now on. */
    synchronized void replayed(Entry e) {
        e.ready = true;
        e.inFlight--;
        notifyAll();
    }

    /** The IPAM driver that serves new networks of {@code name}: the earliest registration still present. */
    Optional<Handle> forNew(String name) {
        return find(e -> e.name.equals(name));
    }

    /** The IPAM driver that allocated a network's pools. */
    Optional<Handle> forNetwork(IpamRecord network) {
        return find(e -> e.serves(network));
    }

    /** Whether the IPAM driver that allocated a network's pools is here (replayed or about to be). */
    synchronized boolean available(IpamRecord network) {
        return entries.stream().anyMatch(e -> e.serves(network) && !e.leaving);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    private synchronized Optional<Handle> find(java.util.function.Predicate<Entry> which) {
        long deadline = System.currentTimeMillis() + REPLAY_WAIT_MILLIS;
        while (true) {
            Entry found = null;
            for (Entry e : entries) {
                if (which.test(e) && !e.leaving) {
                    found = e;
                    break;
                }
            }
            if (found == null) {
                return Optional.empty();
            }
            if (found.ready) {
                found.inFlight++;
                return Optional.of(new Handle(found));
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                LOG.warning("IPAM driver \"" + found.name + "\" of " + found.bundle + " is still being given its "
                        + "leases back; treated as not there");
                return Optional.empty();
            }
            try {
                wait(left);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    private synchronized void release(Entry e, Handle h) {
        if (h.closeOnce()) {
            e.inFlight--;
            notifyAll();
        }
    }
}
