package dev.weft.shell.internal;

import dev.weft.api.WeftException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Failures of a command that works through several objects and keeps going past a failed one
 * (as {@code docker network rm a b c} does), then fails at the end naming every failure.
 */
final class Failures {
    private final List<WeftException> failures = new ArrayList<>();

    void add(WeftException e) {
        failures.add(e);
    }

    /**
     * Throws when anything failed: a single failure as it was (its type tells the kind), several
     * as one line joining their messages, e.g.
     * {@code 2 of 3 networks were not removed: network "a" ...; network "b" ...}.
     */
    void throwIfAny(int attempted, String objects, String notDone) {
        if (failures.size() == 1) {
            throw failures.get(0);
        }
        if (!failures.isEmpty()) {
            String messages = failures.stream().map(Throwable::getMessage).collect(Collectors.joining("; "));
            WeftException all = new WeftException(failures.size() + " of " + attempted + " " + objects + " "
                    + notDone + ": " + messages, failures.get(0));
            throw all;
        }
    }

    /** {@code network "x" not found}, or {@code networks "x", "y" not found}. */
    static String notFound(String kind, List<String> names) {
        String quoted = names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
        return kind + (names.size() == 1 ? " " : "s ") + quoted + " not found";
    }
}
