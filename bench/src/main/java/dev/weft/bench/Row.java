package dev.weft.bench;

/**
 * One line of the report: a step done by Weft's netlink path and by spawned tools in the same run.
 *
 * @param step   what was done, e.g. {@code 3. address add}
 * @param tool   the command it is compared with, e.g. {@code ip addr add}
 * @param weft   Weft's durations
 * @param spawn  the spawned command's durations (null when there is no counterpart)
 * @param target the target for Weft's median in ms, or NaN for none
 */
record Row(String step, String tool, Stats weft, Stats spawn, double target, double stretch) {

    static Row of(String step, String tool, Stats weft, Stats spawn) {
        return new Row(step, tool, weft, spawn, Double.NaN, Double.NaN);
    }

    Row withTarget(double targetMs, double stretchMs) {
        return new Row(step, tool, weft, spawn, targetMs, stretchMs);
    }
}
