package dev.weft.core.internal;

import dev.weft.core.internal.store.NetworkRecord.IpamRecord;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.IpamDriver;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
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
    private static final long REPLAY_WAIT_MILLIS = 10_000;
    private static final Set<String> BUILT_IN = Set.of(IpamDriver.DEFAULT, IpamDriver.NULL);

    /** One IPAM driver service. */
    static final class Entry extends Registrations.Entry {
        final IpamDriver driver;
        /** Asked once, at registration (the SPI's contract). */
        final AddressSpaces spaces;
        /** Held while its leases are replayed into it; set once, by {@link IpamRegistry#claimReplay}. */
        private Handle replay;
        private boolean ready;

        Entry(String name, String bundle, String version, IpamDriver driver, Object key, AddressSpaces spaces) {
            super(name, bundle, version, key);
            this.driver = driver;
            this.spaces = spaces;
        }

        /** The built-in {@code null}: no pools, no addresses, never called. */
        boolean isNull() {
            return name.equals(IpamDriver.NULL) && bundle.equals(IpamRecord.CORE_BUNDLE);
        }

        boolean serves(IpamRecord network) {
            return name.equals(network.driver()) && bundle.equals(network.bundle());
        }
    }

    /** An IPAM driver held for the length of one operation. */
    static final class Handle extends Registrations.Handle<Entry> {
        private Handle(Registrations<Entry, ?> from, Entry entry) {
            super(from, entry);
        }

        IpamDriver driver() {
            return entry.driver;
        }
    }

    /** Its monitor guards the replay state of the entries too ({@code replay}, {@code ready}). */
    private final Registrations<Entry, Handle> registrations =
            new Registrations<>(LOG, "IPAM driver", Handle::new);

    /** Called (outside any lock) after an IPAM driver was added. */
    void onArrival(Consumer<Entry> listener) {
        registrations.onArrival(listener);
    }

    /** Adds core's own {@code default} and {@code null} (ahead of any other, in listings). */
    void addBuiltIns(String version, IpamDriver defaultIpam, IpamDriver nullIpam) {
        registrations.add(new Entry(IpamDriver.DEFAULT, IpamRecord.CORE_BUNDLE, version, defaultIpam,
                "builtin:" + IpamDriver.DEFAULT, defaultIpam.addressSpaces()), 0);
        registrations.add(new Entry(IpamDriver.NULL, IpamRecord.CORE_BUNDLE, version, nullIpam, "builtin:" + IpamDriver.NULL,
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
        registrations.add(new Entry(name, bundle, version, driver, key, spaces), -1);
    }

    /**
     * Adds the cluster's IPAM (the addresses of global networks, in the cluster store) under the
     * name {@code default} and the bundle {@link IpamRecord#CLUSTER_BUNDLE}: after core's own
     * {@code default}, so it serves only the global networks whose records name it.
     */
    Entry addCluster(IpamDriver driver) {
        Entry e = new Entry(IpamDriver.DEFAULT, IpamRecord.CLUSTER_BUNDLE, "cluster", driver, CLUSTER_KEY,
                driver.addressSpaces());
        registrations.add(e, -1);
        return e;
    }

    /** Removes the cluster's IPAM (the store went). */
    void removeCluster() {
        registrations.remove(CLUSTER_KEY);
    }

    private static final String CLUSTER_KEY = "builtin:cluster";

    /** Removes the IPAM driver registered under {@code key}, waiting up to 10 s for calls in flight. */
    void remove(Object key) {
        registrations.remove(key).ifPresent(gone -> LOG.info("IPAM driver \"" + gone.name + "\" of " + gone.bundle
                + " went away; its networks keep their addresses and take no new endpoints until it returns"));
    }

    /**
     * Takes the job of replaying leases into {@code e}: true for the first caller only, who must
     * call {@link #replayed} afterwards. Holds the entry like a handle meanwhile.
     */
    boolean claimReplay(Entry e) {
        synchronized (registrations) {
            if (e.replay != null) {
                return false;
            }
            e.replay = registrations.hold(e).orElse(null);
            return e.replay != null;
        }
    }

    /** The replay into {@code e} is done: it serves from now on. */
    void replayed(Entry e) {
        synchronized (registrations) {
            e.ready = true;
            e.replay.close();
        }
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
    boolean available(IpamRecord network) {
        return registrations.available(e -> e.serves(network));
    }

    List<Entry> entries() {
        return registrations.entries();
    }

    private Optional<Handle> find(Predicate<Entry> which) {
        synchronized (registrations) {
            long deadline = System.currentTimeMillis() + REPLAY_WAIT_MILLIS;
            while (true) {
                Entry found = registrations.first(which).orElse(null);
                if (found == null) {
                    return Optional.empty();
                }
                if (found.ready) {
                    return registrations.hold(found);
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    LOG.warning("IPAM driver \"" + found.name + "\" of " + found.bundle + " is still being given its "
                            + "leases back; treated as not there");
                    return Optional.empty();
                }
                try {
                    registrations.wait(left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
    }
}
