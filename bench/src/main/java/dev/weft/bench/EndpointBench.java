package dev.weft.bench;

import dev.weft.linux.ElementBatch;
import dev.weft.linux.Kernel;
import dev.weft.linux.LinkChange;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.Route;
import dev.weft.linux.SetKey;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.NetNamespace;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 7: everything one endpoint on a bridge network needs, end to end: a namespace; a veth
 * whose peer is born inside as eth0, the host end enslaved to br0, up, hairpin on; inside lo up,
 * eth0 up, an IPv4 address and the default route; one published port (an element of the
 * concatenated DNAT map). Weft's path is timed against the same done with one spawned command
 * per step, and with the fewest spawns iproute2 allows ({@code ip -batch}). Sub-steps are timed
 * too ({@link #breakdown}) to show where the time goes.
 */
final class EndpointBench implements World.Comparison {
    /** Endpoints removed in one go (a bridge takes at most 1024 ports). */
    private static final int ROUND = 300;

    private final Laps weftLaps = new Laps();
    private final Laps toolLaps = new Laps();
    private final Laps batchLaps = new Laps();

    /** One endpoint's names and numbers. */
    private record Endpoint(String namespace, String hostEnd, InetAddress address, int port) {
        String cidr() {
            return IpAddresses.format(address) + "/16";
        }

        String element() {
            return "{ tcp . " + port + " : " + IpAddresses.format(address) + " . 80 }";
        }
    }

    @Override
    public List<Row> run(World w) throws Exception {
        Stats weft = new Stats();
        Stats tools = new Stats();
        Stats batched = new Stats();
        List<Endpoint> made = new ArrayList<>();
        long cleanUpMs = 0;
        int cleanedUp = 0;
        for (int i = -w.options.warmup(), k = 0; i < w.options.heavy(); i++, k += 3) {
            if (made.size() >= ROUND) {
                cleanUpMs += cleanUp(w, made);
                cleanedUp += made.size();
                made.clear();
            }
            int it = i;
            Endpoint a = endpoint(w, "ew", k);
            Endpoint b = endpoint(w, "et", k + 1);
            Endpoint c = endpoint(w, "eb", k + 2);
            made.addAll(List.of(a, b, c));
            Stats.inTurn(i,
                    () -> weft.time(it, () -> weft(w.kernel, w.bridgeIndex, a, it)),
                    () -> tools.time(it, () -> tools(b, it)),
                    () -> batched.time(it, () -> batched(c, it)));
        }
        cleanUpMs += cleanUp(w, made);
        cleanedUp += made.size();
        w.notes.add(String.format("Step 7 clean-up (untimed): %d endpoints removed in rounds of up to %d (map elements "
                + "in one transaction, then the namespaces, which take their veths along): %d ms, %.1f ms per endpoint.",
                cleanedUp, ROUND, cleanUpMs, (double) cleanUpMs / cleanedUp));
        return List.of(
                Row.of("7. endpoint plumbing, end to end", "ip/nft, one command per step (8 spawns)", weft, tools)
                        .withTarget(5, 3),
                Row.of("7b. endpoint plumbing, tools batched", "ip -batch, ip -n NS -batch, nft (3 spawns)", weft, batched)
                        .withTarget(5, 3));
    }

    /** Sub-step medians of the last run: Weft's, the tools' one command per step, the batched tools'. */
    List<Laps> breakdown() {
        return List.of(weftLaps, toolLaps, batchLaps);
    }

    private static Endpoint endpoint(World w, String prefix, int k) {
        // 10.1.0.1 is the gateway: endpoints start at 10.1.0.2
        return new Endpoint(w.sandboxName(prefix), prefix + k, World.address(1, k + 1), 20000 + k);
    }

    /** Weft's path, as the bridge driver will take it. */
    private void weft(Kernel kernel, int bridgeIndex, Endpoint e, int it) {
        Laps laps = weftLaps;
        laps.start(it);
        NetNamespace ns = kernel.namespaces().create(e.namespace());
        laps.lap("namespace: unshare on a worker thread, bind mount");
        kernel.host().createLink(LinkSpec.veth(e.hostEnd(), "eth0", ns).master(bridgeIndex).up());
        laps.lap("veth, peer born inside as eth0, master br0, up");
        kernel.host().setLink(LinkChange.of(e.hostEnd()).hairpin(true));
        laps.lap("hairpin on the host end");
        kernel.inNamespace(ns, rt -> {
            laps.lap("open a netlink socket inside (worker thread, setns)");
            int eth0 = rt.index("eth0");
            laps.lap("look up eth0's index");
            rt.batch()
                    .setLink(LinkChange.of(1).up())
                    .setLink(LinkChange.of(eth0).up())
                    .addAddress(eth0, new InterfaceAddress(e.address(), 16))
                    .barrier()
                    .addRoute(Route.defaultVia(World.GATEWAY))
                    .send();
            laps.lap("lo up, eth0 up, address; barrier; default route (2 sends)");
            return null;
        });
        laps.lap("close the socket");
        kernel.nftables().elements()
                .add(World.PUB_ANY, SetKey.of().tcp().port(e.port()), SetKey.of().address(e.address()).port(80))
                .commit();
        laps.lap("published port: one map element (nf_tables batch)");
    }

    /** The same with one spawned command per step, as a script or a shelling-out runtime does it. */
    private void tools(Endpoint e, int it) throws Exception {
        Laps laps = toolLaps;
        String ns = e.namespace();
        laps.start(it);
        Tools.run("ip", "netns", "add", ns);
        laps.lap("ip netns add NS");
        Tools.run("ip", "link", "add", e.hostEnd(), "master", World.BRIDGE, "up",
                "type", "veth", "peer", "name", "eth0", "netns", ns);
        laps.lap("ip link add H master br0 up type veth peer name eth0 netns NS");
        Tools.run("ip", "link", "set", e.hostEnd(), "type", "bridge_slave", "hairpin", "on");
        laps.lap("ip link set H type bridge_slave hairpin on");
        Tools.run("ip", "-n", ns, "link", "set", "lo", "up");
        laps.lap("ip -n NS link set lo up");
        Tools.run("ip", "-n", ns, "link", "set", "eth0", "up");
        laps.lap("ip -n NS link set eth0 up");
        Tools.run("ip", "-n", ns, "addr", "add", e.cidr(), "dev", "eth0");
        laps.lap("ip -n NS addr add A/16 dev eth0");
        Tools.run("ip", "-n", ns, "route", "add", "default", "via", IpAddresses.format(World.GATEWAY));
        laps.lap("ip -n NS route add default via G");
        Tools.run("nft", "add", "element", "inet", World.TABLE, "pub_any", e.element());
        laps.lap("nft add element inet weft_bench pub_any { … }");
    }

    /** The fewest spawns: host side in one ip batch, sandbox side in another, then nft. */
    private void batched(Endpoint e, int it) throws Exception {
        Laps laps = batchLaps;
        String ns = e.namespace();
        laps.start(it);
        Tools.ipBatch(null,
                "netns add " + ns,
                "link add " + e.hostEnd() + " master " + World.BRIDGE + " up type veth peer name eth0 netns " + ns,
                "link set " + e.hostEnd() + " type bridge_slave hairpin on");
        laps.lap("ip -batch: netns add, link add (veth), link set (hairpin)");
        Tools.ipBatch(ns,
                "link set lo up",
                "link set eth0 up",
                "addr add " + e.cidr() + " dev eth0",
                "route add default via " + IpAddresses.format(World.GATEWAY));
        laps.lap("ip -n NS -batch: lo up, eth0 up, address, route");
        Tools.run("nft", "add", "element", "inet", World.TABLE, "pub_any", e.element());
        laps.lap("nft add element");
    }

    /** Untimed: the map elements in one transaction, then the namespaces, which take their veths along. */
    private static long cleanUp(World w, List<Endpoint> made) throws InterruptedException {
        long start = System.nanoTime();
        ElementBatch batch = w.kernel.nftables().elements();
        for (Endpoint e : made) {
            batch.destroy(World.PUB_ANY, SetKey.of().tcp().port(e.port()));
        }
        batch.commit();
        w.discard(made.stream().map(Endpoint::namespace).toList(), made.stream().map(Endpoint::hostEnd).toList());
        return (System.nanoTime() - start) / 1_000_000;
    }
}
