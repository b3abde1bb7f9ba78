package dev.weft.bench;

import java.util.List;

/** Step 1: one request and its answer (GETLINK of lo), against {@code ip link show lo}; and the spawn floor. */
final class RoundTripBench implements World.Comparison {
    @Override
    public List<Row> run(World w) throws Exception {
        Stats weft = new Stats();
        Stats ip = new Stats();
        Stats floor = new Stats();
        for (int i = -w.options.warmup(); i < w.options.cheap(); i++) {
            int it = i;
            Stats.inTurn(i,
                    () -> weft.time(it, () -> w.kernel.host().link("lo").orElseThrow()),
                    () -> ip.time(it, () -> Tools.run("ip", "link", "show", "lo")),
                    () -> floor.time(it, () -> Tools.run("/bin/true")));
        }
        return List.of(
                Row.of("1. one netlink round trip (GETLINK lo)", "ip link show lo", weft, ip),
                Row.of("   spawn floor: a process that does nothing", "/bin/true", null, floor));
    }
}
