package dev.weft.bench;

import java.util.List;

/**
 * Step 5: creating and deleting a named namespace (under /run/netns, so {@code ip netns} sees
 * Weft's and Weft sees ip's). The kernel destroys a deleted namespace later, in the background,
 * for both sides alike.
 */
final class NamespaceBench implements World.Comparison {
    @Override
    public List<Row> run(World w) throws Exception {
        Stats weftCreate = new Stats();
        Stats ipCreate = new Stats();
        Stats weftDelete = new Stats();
        Stats ipDelete = new Stats();
        for (int i = -w.options.warmup(); i < w.options.heavy(); i++) {
            int it = i;
            String a = w.sandboxName("n");
            String b = w.sandboxName("n");
            Stats.inTurn(i,
                    () -> weftCreate.time(it, () -> w.kernel.namespaces().create(a)),
                    () -> ipCreate.time(it, () -> Tools.run("ip", "netns", "add", b)));
            Stats.inTurn(i,
                    () -> weftDelete.time(it, () -> w.kernel.namespaces().delete(a)),
                    () -> ipDelete.time(it, () -> Tools.run("ip", "netns", "del", b)));
        }
        return List.of(
                Row.of("5a. namespace create", "ip netns add", weftCreate, ipCreate),
                Row.of("5b. namespace delete", "ip netns del", weftDelete, ipDelete));
    }
}
