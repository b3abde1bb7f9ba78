package dev.weft.api;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * "Keep going, then report every failure", as netavark's {@code NetavarkErrorList} and Karaf's
 * {@code MultiException} do it: a teardown runs every step even when one fails (so nothing leaks),
 * and a command that works through several objects tries each (as {@code docker network rm a b c}),
 * then one exception names every failure.
 *
 * <pre>{@code
 * Failures failures = new Failures();
 * failures.run(() -> firewall.remove(...));
 * failures.run(() -> host.deleteLink(...));
 * failures.throwIfAny("endpoint 1a2b3c on network \"blue\": leave failed");
 * }</pre>
 *
 * Not thread-safe: one per teardown or command.
 */
public final class Failures {
    private final List<RuntimeException> failures = new ArrayList<>();

    /** Runs a step; a {@link RuntimeException} it throws is kept and the caller goes on. */
    public void run(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    /** Keeps a failure the caller caught itself. */
    public void add(RuntimeException failure) {
        failures.add(failure);
    }

    public boolean isEmpty() {
        return failures.isEmpty();
    }

    /** The failures so far, in the order they happened. */
    public List<RuntimeException> all() {
        return List.copyOf(failures);
    }

    /**
     * Throws when anything failed: a single failure as it was (its type tells the kind), several as
     * one {@link WeftException} whose message is {@code what: first; second; …}, caused by the first
     * and with the others suppressed. Does nothing when nothing failed.
     */
    public void throwIfAny(String what) {
        if (failures.size() == 1) {
            throw failures.get(0);
        }
        if (!failures.isEmpty()) {
            throw combined(what + ": " + messages());
        }
    }

    /**
     * The failures as one exception for a caller that rethrows in its own way: the first, with the
     * others suppressed; null when nothing failed.
     */
    public RuntimeException first() {
        if (failures.isEmpty()) {
            return null;
        }
        RuntimeException first = failures.get(0);
        failures.stream().skip(1).filter(f -> f != first).forEach(first::addSuppressed);
        return first;
    }

    /** The messages of every failure, joined by {@code "; "}. */
    public String messages() {
        return failures.stream().map(Throwable::getMessage).collect(Collectors.joining("; "));
    }

    private WeftException combined(String message) {
        WeftException all = new WeftException(message, failures.get(0));
        failures.stream().skip(1).forEach(all::addSuppressed);
        return all;
    }
}
