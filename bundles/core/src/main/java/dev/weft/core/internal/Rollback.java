package dev.weft.core.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo steps of a multi-step operation, run in reverse order when a later step fails. Every undo
 * step runs even when an earlier one fails; their failures are attached to the original one.
 */
final class Rollback {
    private final Deque<Runnable> steps = new ArrayDeque<>();

    /** Registers how to undo the step that just succeeded. */
    void add(Runnable undo) {
        steps.push(undo);
    }

    /** Runs every undo step, newest first, attaching failures to {@code cause}. */
    void run(Throwable cause) {
        while (!steps.isEmpty()) {
            try {
                steps.pop().run();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Forgets the undo steps: the operation completed. */
    void commit() {
        steps.clear();
    }
}
