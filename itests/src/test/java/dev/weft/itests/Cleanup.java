package dev.weft.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Tear-down that keeps going: every step runs even when an earlier one failed, and the failures are
 * reported together at the end, the first as cause, the others suppressed.
 */
public final class Cleanup {
    /** One step of a tear-down. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private final List<Throwable> failures = new ArrayList<>();

    /** Runs {@code step}, remembering its failure. */
    public void step(Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            failures.add(e);
        }
    }

    /** Remembers a failure found otherwise. */
    public void fail(Throwable t) {
        failures.add(t);
    }

    /** Throws one AssertionError naming {@code what} if any step failed. */
    public void throwIfFailed(String what) {
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("cleanup of " + what + " failed: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Deletes a directory tree; nothing when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
