package dev.weft.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The registrations of one kind of driver service, the part {@link DriverRegistry} and
 * {@link IpamRegistry} share: entries kept in the order they were registered, the earliest one
 * still present serving new work (a later one with the same name waits behind it); calls that hold
 * an entry through a counted {@link Handle}; and a removal that waits (up to {@link #DRAIN_MILLIS})
 * for the calls in flight before the entry goes. No lock is held while a listener is called.
 *
 * <p>This object's monitor guards the entries, and it is notified whenever an entry is released or
 * removed: a registry that keeps state of its own on its entries (IPAM's replay) keeps it under the
 * same monitor, and may wait on it.
 *
 * @param <E> the registry's entry: one registration, with its service
 * @param <H> the registry's handle on an entry
 */
final class Registrations<E extends Registrations.Entry, H extends Registrations.Handle<E>> {
    /** How long a removal waits for the calls in flight. */
    static final long DRAIN_MILLIS = 10_000;

    /** One registered service; the registries' entries add the service itself. */
    abstract static class Entry {
        final String name;
        final String bundle;
        final String version;
        final Object key;
        private int inFlight;
        private boolean leaving;

        Entry(String name, String bundle, String version, Object key) {
            this.name = name;
            this.bundle = bundle;
            this.version = version;
            this.key = key;
        }
    }

    /** An entry held for the length of one call; only the first {@link #close} counts. */
    abstract static class Handle<E extends Entry> implements AutoCloseable {
        final E entry;
        private final Registrations<E, ?> from;
        private boolean closed;

        Handle(Registrations<E, ?> from, E entry) {
            this.from = from;
            this.entry = entry;
        }

        @Override
        public final void close() {
            from.release(this);
        }
    }

    private final Logger log;
    private final String kind;
    private final BiFunction<Registrations<E, H>, E, H> handles;
    private final List<E> entries = new ArrayList<>();
    private final List<Consumer<E>> arrivals = new CopyOnWriteArrayList<>();

    /**
     * @param log     the registry's logger
     * @param kind    what the entries are, as log messages name them ({@code driver}, {@code IPAM driver})
     * @param handles makes the registry's handle on an entry
     */
    Registrations(Logger log, String kind, BiFunction<Registrations<E, H>, E, H> handles) {
        this.log = log;
        this.kind = kind;
        this.handles = handles;
    }

    /** Called (outside any lock) after an entry was added. */
    void onArrival(Consumer<E> listener) {
        arrivals.add(listener);
    }

    /** Adds {@code e} at {@code position} in the order of registration (at the end if negative). */
    void add(E e, int position) {
        synchronized (this) {
            for (Entry other : entries) {
                if (other.name.equals(e.name) && !other.leaving) {
                    log.warning(kind + " \"" + e.name + "\" of " + e.bundle + " " + e.version + " waits: "
                            + other.bundle + " " + other.version + " already serves that name");
                    break;
                }
            }
            entries.add(position < 0 ? entries.size() : Math.min(position, entries.size()), e);
        }
        log.info(kind + " \"" + e.name + "\" registered by " + e.bundle + " " + e.version);
        for (Consumer<E> l : arrivals) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                log.warning("after " + kind + " \"" + e.name + "\" arrived: " + ex.getMessage());
            }
        }
    }

    /**
     * Removes the entry registered under {@code key}, once its calls in flight have ended or
     * {@link #DRAIN_MILLIS} have passed; it serves no new work meanwhile.
     *
     * @return the entry removed, empty if none was registered under {@code key}
     */
    synchronized Optional<E> remove(Object key) {
        Optional<E> found = entries.stream().filter(e -> e.key.equals(key)).findFirst();
        if (found.isPresent()) {
            drain(found.get());
        }
        return found;
    }

    /** The earliest entry still present (not leaving) that {@code which} accepts. */
    synchronized Optional<E> first(Predicate<E> which) {
        return entries.stream().filter(e -> which.test(e) && staying(e)).findFirst();
    }

    /** Holds {@code e} for one call, if it is still present (not leaving). */
    synchronized Optional<H> hold(E e) {
        Entry held = e;
        if (held.leaving || !entries.contains(e)) {
            return Optional.empty();
        }
        held.inFlight++;
        return Optional.of(handles.apply(this, e));
    }

    /** Holds the earliest entry still present that {@code which} accepts, for one call. */
    synchronized Optional<H> holdFirst(Predicate<E> which) {
        return first(which).flatMap(this::hold);
    }

    /** Whether an entry that {@code which} accepts is present (not leaving). */
    synchronized boolean available(Predicate<E> which) {
        return entries.stream().anyMatch(e -> which.test(e) && staying(e));
    }

    synchronized List<E> entries() {
        return List.copyOf(entries);
    }

    // An entry's own state is read as an Entry: through a type variable, its private fields are not seen.

    private static boolean staying(Entry e) {
        return !e.leaving;
    }

    /** Marks {@code gone} leaving, waits (bounded) for its calls in flight, then drops it. */
    private synchronized void drain(Entry gone) {
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
            log.warning(kind + " \"" + gone.name + "\" leaves with " + gone.inFlight + " call(s) still running");
        }
        entries.remove(gone);
        notifyAll();
    }

    private synchronized void release(Handle<E> h) {
        Entry held = h.entry;
        if (!h.closed) {
            h.closed = true;
            held.inFlight--;
            notifyAll();
        }
    }
}
