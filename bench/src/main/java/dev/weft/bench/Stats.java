package dev.weft.bench;

import java.util.Arrays;

/**
 * Durations of one step, in nanoseconds. Samples of warm-up iterations (a negative iteration
 * number) are timed like the others but dropped, so the warm-up runs exactly the measured code.
 */
final class Stats {
    /** An action to time; may throw anything, which ends the run. */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private long[] samples = new long[64];
    private int n;

    /** Times {@code action} and records it unless {@code iteration} is a warm-up one (negative). */
    void time(int iteration, Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        long elapsed = System.nanoTime() - start;
        if (iteration >= 0) {
            add(elapsed);
        }
    }

    /**
     * Runs every action once, starting with a different one each iteration, so that whatever
     * running first or after a spawn costs falls on each side equally.
     */
    static void inTurn(int iteration, Action... actions) throws Exception {
        int first = Math.floorMod(iteration, actions.length);
        for (int k = 0; k < actions.length; k++) {
            actions[(first + k) % actions.length].run();
        }
    }

    void add(long nanos) {
        if (n == samples.length) {
            samples = Arrays.copyOf(samples, n * 2);
        }
        samples[n++] = nanos;
    }

    int n() {
        return n;
    }

    /** The median in milliseconds (the mean of the two middle samples for an even count). */
    double medianMs() {
        long[] s = sorted();
        if (s.length == 0) {
            return Double.NaN;
        }
        int mid = s.length / 2;
        double nanos = s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2.0;
        return nanos / 1e6;
    }

    /** The 99th percentile in milliseconds, nearest rank (with n < 100 that is the maximum). */
    double p99Ms() {
        long[] s = sorted();
        if (s.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(0.99 * s.length);
        return s[Math.max(rank, 1) - 1] / 1e6;
    }

    private long[] sorted() {
        long[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        return s;
    }
}
