package dev.weft.bench;

import dev.weft.linux.Nftables;
import dev.weft.linux.SetKey;
import dev.weft.net.IpAddresses;
import java.net.InetAddress;
import java.util.List;

/**
 * Step 6: one published-port mapping added to, then deleted from, the concatenated map
 * {@code pub_any}: one nf_tables batch over netlink against one {@code nft} process each.
 *
 * <p>Unlike the other steps the two sides run one after the other, not in turns. A deleted
 * element is freed by kernel work queued after the commit that waits for an RCU grace period
 * (~10 ms here); whoever closes an nf_tables socket while such work is pending waits for it
 * (nft_rcv_nl_event flushes it on NETLINK_URELEASE). Every nft process closes its socket on
 * exit, so in turns each {@code nft add} would pay for Weft's preceding delete. Weft keeps its
 * socket open and never waits for it; nft's own delete pays its grace period itself.
 */
final class ElementBench implements World.Comparison {
    private static final InetAddress TARGET = IpAddresses.parse("10.1.0.2");
    private static final SetKey DATA = SetKey.of().address(TARGET).port(80);

    @Override
    public List<Row> run(World w) throws Exception {
        Stats weftAdd = new Stats();
        Stats weftDelete = new Stats();
        Nftables nft = w.kernel.nftables();
        for (int i = -w.options.warmup(), k = 0; i < w.options.cheap(); i++, k++) {
            SetKey key = SetKey.of().tcp().port(30000 + k % 10000);
            weftAdd.time(i, () -> nft.elements().add(World.PUB_ANY, key, DATA).commit());
            weftDelete.time(i, () -> nft.elements().delete(World.PUB_ANY, key).commit());
        }
        Stats nftAdd = new Stats();
        Stats nftDelete = new Stats();
        for (int i = -w.options.warmup(), k = 0; i < w.options.cheap(); i++, k++) {
            int port = 40000 + k % 10000;
            nftAdd.time(i, () -> Tools.run("nft", "add", "element", "inet", World.TABLE, "pub_any",
                    "{ tcp . " + port + " : 10.1.0.2 . 80 }"));
            nftDelete.time(i, () -> Tools.run("nft", "delete", "element", "inet", World.TABLE, "pub_any",
                    "{ tcp . " + port + " }"));
        }
        return List.of(
                Row.of("6a. map element add", "nft add element", weftAdd, nftAdd).withTarget(0.3, Double.NaN),
                Row.of("6b. map element delete", "nft delete element", weftDelete, nftDelete));
    }
}
