package dev.weft.core.internal;

import dev.weft.spi.NetworkDriver;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The network drivers registered now, fed by the OSGi whiteboard (or by tests directly).
 * The first registration of a name serves new networks; a later one with the same name does not
 * shadow it. A network is served only by the bundle that served it when it was made. Calls hold a
 * counted {@link Handle}; a departing driver's unregistration waits (bounded) for calls in flight
 * ({@link Registrations}). No lock is held while a driver is called.
 */
final class DriverRegistry {
    private static final Logger LOG = Logger.getLogger(DriverRegistry.class.getName());

    /** One registered driver service. */
    static final class Entry extends Registrations.Entry {
        final NetworkDriver<Object> driver;

        @SuppressWarnings("unchecked")
        Entry(String name, String bundle, String version, NetworkDriver<?> driver, Object key) {
            super(name, bundle, version, key);
            this.driver = (NetworkDriver<Object>) driver;
        }
    }

    /** A driver held for the length of one call. */
    static final class Handle extends Registrations.Handle<Entry> {
        private Handle(Registrations<Entry, ?> from, Entry entry) {
            super(from, entry);
        }

        NetworkDriver<Object> driver() {
            return entry.driver;
        }
    }

    private final Registrations<Entry, Handle> registrations = new Registrations<>(LOG, "driver", Handle::new);

    /** Called (outside any lock) after a driver was added. */
    void onArrival(Consumer<Entry> listener) {
        registrations.onArrival(listener);
    }

    void add(String name, String bundle, String version, NetworkDriver<?> driver, Object key) {
        registrations.add(new Entry(name, bundle, version, driver, key), -1);
    }

    /** Removes the driver registered under {@code key}, waiting up to 10 s for calls in flight. */
    void remove(Object key) {
        registrations.remove(key).ifPresent(gone -> LOG.info("driver \"" + gone.name + "\" of " + gone.bundle
                + " went away; its networks stay in the kernel, unavailable"));
    }

    /** The driver that serves new networks of {@code name}: the earliest registration still present. */
    Optional<Handle> forNew(String name) {
        return registrations.holdFirst(e -> e.name.equals(name));
    }

    /** The driver of {@code name} served by {@code bundle}, for a network made with it. */
    Optional<Handle> forNetwork(String name, String bundle) {
        return registrations.holdFirst(e -> e.name.equals(name) && e.bundle.equals(bundle));
    }

    boolean available(String name, String bundle) {
        return registrations.available(e -> e.name.equals(name) && e.bundle.equals(bundle));
    }

    List<Entry> entries() {
        return registrations.entries();
    }
}
