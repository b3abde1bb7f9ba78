package dev.weft.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the time of one composite step goes: {@link #start} at the beginning, then
 * {@link #lap(String)} after each sub-step records the time since the previous mark under that
 * label (warm-up iterations are dropped). Costs one {@code nanoTime} per mark.
 */
final class Laps {
    private final Map<String, Stats> byLabel = new LinkedHashMap<>();
    private int iteration;
    private long last;

    void start(int iteration) {
        this.iteration = iteration;
        this.last = System.nanoTime();
    }

    void lap(String label) {
        long now = System.nanoTime();
        if (iteration >= 0) {
            byLabel.computeIfAbsent(label, l -> new Stats()).add(now - last);
        }
        last = now;
    }

    /** Sub-steps in the order they first ran. */
    Map<String, Stats> byLabel() {
        return byLabel;
    }
}
