package dev.weft.core.internal;

import dev.weft.spi.NetworkDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The network drivers registered now, fed by the OSGi whiteboard (or by tests directly).
 * The first registration of a name serves new networks; a later one with the same name does not
 * shadow it. A network is served only by the bundle that served it when it was made. Calls hold a
 * counted {@link Handle}; a departing driver's unregistration waits (bounded) for calls in flight.
 * No lock is held while a driver is called.
 */
final class DriverRegistry {
    private static final Logger LOG = Logger.getLogger(DriverRegistry.class.getName());
    private static final long DRAIN_MILLIS = 10_000;

    /** One registered driver service. */
    static final class Entry {
        final String name;
        final String bundle;
        final String version;
        final NetworkDriver<Object> driver;
        final Object key;
        private int inFlight;
        private boolean leaving;

        @SuppressWarnings("unchecked")
        Entry(String name, String bundle, String version, NetworkDriver<?> driver, Object key) {
            this.name = name;
            this.bundle = bundle;
            this.version = version;
            this.driver = (NetworkDriver<Object>) driver;
            this.key = key;
        }
    }

    /** A driver held for the length of one call. */
    final class Handle implements AutoCloseable {
        final Entry entry;
        private boolean closed;

        private Handle(Entry entry) {
            this.entry = entry;
        }

        NetworkDriver<Object> driver() {
            return entry.driver;
        }

        @Override
        public void close() {
            synchronized (DriverRegistry.this) {
                if (!closed) {
                    closed = true;
                    entry.inFlight--;
                    DriverRegistry.this.notifyAll();
                }
            }
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final List<Consumer<Entry>> arrivals = new CopyOnWriteArrayList<>();

    /** Called (outside any lock) after a driver was added. */
    void onArrival(Consumer<Entry> listener) {
        arrivals.add(listener);
    }

    void add(String name, String bundle, String version, NetworkDriver<?> driver, Object key) {
        Entry e = new Entry(name, bundle, version, driver, key);
        synchronized (this) {
            for (Entry other : entries) {
                if (other.name.equals(name) && !other.leaving) {
                    LOG.warning("driver \"" + name + "\" of " + bundle + " " + version + " waits: " + other.bundle
                            + " " + other.version + " already serves that name");
                    break;
                }
            }
            entries.add(e);
        }
        LOG.info("driver \"" + name + "\" registered by " + bundle + " " + version);
        for (Consumer<Entry> l : arrivals) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                LOG.warning("after driver \"" + name + "\" arrived: " + ex.getMessage());
            }
        }
    }

    /** Removes the driver registered under {@code key}, waiting up to 10 s for calls in flight. */
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
                LOG.warning("driver \"" + gone.name + "\" leaves with " + gone.inFlight + " call(s) still running");
            }
            entries.remove(gone);
        }
        LOG.info("driver \"" + gone.name + "\" of " + gone.bundle + " went away; its networks stay in the kernel, unavailable");
    }

    /** The driver that serves new networks of {@code name}: the earliest registration still present. */
    synchronized Optional<Handle> forNew(String name) {
        for (Entry e : entries) {
            if (e.name.equals(name) && !e.leaving) {
                e.inFlight++;
                return Optional.of(new Handle(e));
            }
        }
        return Optional.empty();
    }

    /** The driver of {@code name} served by {@code bundle}, for a network made with it. */
    synchronized Optional<Handle> forNetwork(String name, String bundle) {
        for (Entry e : entries) {
            if (e.name.equals(name) && e.bundle.equals(bundle) && !e.leaving) {
                e.inFlight++;
                return Optional.of(new Handle(e));
            }
        }
        return Optional.empty();
    }

    synchronized boolean available(String name, String bundle) {
        return entries.stream().anyMatch(e -> e.name.equals(name) && e.bundle.equals(bundle) && !e.leaving);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }
}
