package dev.weft.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Durations in nanoseconds, summarised the way the peers' scripts summarise theirs (anchorlib's
 * {@code mmm}: n, min, median, max, mean in ms) plus the 99th percentile by nearest rank (with
 * fewer than 100 samples that is the maximum), so the report can set them side by side.
 */
final class Samples {
    private long[] nanos = new long[64];
    private int n;

    void add(long elapsed) {
        if (n == nanos.length) {
            nanos = Arrays.copyOf(nanos, n * 2);
        }
        nanos[n++] = elapsed;
    }

    int n() {
        return n;
    }

    /** Samples {@code from} (inclusive) to {@code to} (exclusive), in recording order. */
    Samples range(int from, int to) {
        Samples s = new Samples();
        for (int i = Math.max(0, from); i < Math.min(n, to); i++) {
            s.add(nanos[i]);
        }
        return s;
    }

    double totalMs() {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += nanos[i];
        }
        return sum / 1e6;
    }

    /** The median in ms: the mean of the two middle samples for an even count, as Python's statistics.median. */
    double medianMs() {
        long[] s = sorted();
        if (s.length == 0) {
            return Double.NaN;
        }
        int mid = s.length / 2;
        return (s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2.0) / 1e6;
    }

    /** n, min, median, p99, max, mean in ms (3 decimals); an empty map when there is no sample. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        long[] s = sorted();
        if (s.length == 0) {
            return m;
        }
        int rank = (int) Math.ceil(0.99 * s.length);
        m.put("n", s.length);
        m.put("min", ms(s[0]));
        m.put("median", round(medianMs()));
        m.put("p99", ms(s[Math.max(rank, 1) - 1]));
        m.put("max", ms(s[s.length - 1]));
        m.put("mean", round(totalMs() / s.length));
        return m;
    }

    static double ms(long nanos) {
        return round(nanos / 1e6);
    }

    static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    private long[] sorted() {
        long[] s = Arrays.copyOf(nanos, n);
        Arrays.sort(s);
        return s;
    }
}
