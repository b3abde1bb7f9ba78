package dev.weft.bench;

import dev.weft.linux.LinkSpec;
import dev.weft.linux.Route;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.NetNamespace;
import java.util.ArrayList;
import java.util.List;

/**
 * Steps 2 to 4 in the host namespace: a veth whose peer is born in a sandbox as eth0, an address
 * add and a route add. Only the creation is timed; veths are destroyed afterwards, all at once,
 * by deleting their sandboxes (one veth delete costs ~25 ms of kernel time).
 */
final class LinkBench implements World.Comparison {
    /** Sandboxes removed in one go, so that large iteration counts stay within bounds. */
    private static final int ROUND = 600;

    @Override
    public List<Row> run(World w) throws Exception {
        List<Row> rows = new ArrayList<>();
        if (w.options.runs(2)) {
            rows.add(veth(w));
        }
        if (w.options.runs(3)) {
            rows.add(address(w));
        }
        if (w.options.runs(4)) {
            rows.add(route(w));
        }
        return rows;
    }

    private Row veth(World w) throws Exception {
        Stats weft = new Stats();
        Stats ip = new Stats();
        List<String> namespaces = new ArrayList<>();
        List<String> hostEnds = new ArrayList<>();
        long cleanUpMs = 0;
        int cleanedUp = 0;
        for (int i = -w.options.warmup(), k = 0; i < w.options.cheap(); i++, k++) {
            if (namespaces.size() >= ROUND) {
                cleanUpMs += w.discard(namespaces, hostEnds);
                cleanedUp += hostEnds.size();
                namespaces.clear();
                hostEnds.clear();
            }
            int it = i;
            NetNamespace a = w.newSandbox("v");
            NetNamespace b = w.newSandbox("v");
            String endA = "vw" + k;
            String endB = "vi" + k;
            namespaces.addAll(List.of(a.name(), b.name()));
            hostEnds.addAll(List.of(endA, endB));
            Stats.inTurn(i,
                    () -> weft.time(it, () -> w.kernel.host().createLink(LinkSpec.veth(endA, "eth0", a))),
                    () -> ip.time(it, () -> Tools.run("ip", "link", "add", endB, "type", "veth",
                            "peer", "name", "eth0", "netns", b.name())));
        }
        cleanUpMs += w.discard(namespaces, hostEnds);
        cleanedUp += hostEnds.size();
        w.notes.add(String.format("Step 2 clean-up (untimed): %d veths destroyed by deleting their namespaces, up to %d "
                + "at once: %d ms, %.1f ms per veth (one veth delete alone costs ~25 ms).", cleanedUp, ROUND, cleanUpMs,
                (double) cleanUpMs / cleanedUp));
        return Row.of("2. veth, peer born in a namespace as eth0", "ip link add … type veth peer name eth0 netns NS",
                weft, ip);
    }

    private Row address(World w) throws Exception {
        Stats weft = new Stats();
        Stats ip = new Stats();
        for (int i = -w.options.warmup(), k = 0; i < w.options.cheap(); i++, k++) {
            int it = i;
            InterfaceAddress a = new InterfaceAddress(World.address(200, k), 32);
            String b = IpAddresses.format(World.address(201, k)) + "/32";
            Stats.inTurn(i,
                    () -> weft.time(it, () -> w.kernel.host().addAddress(w.spareBridgeIndex, a)),
                    () -> ip.time(it, () -> Tools.run("ip", "addr", "add", b, "dev", World.SPARE_BRIDGE)));
        }
        return Row.of("3. address add", "ip addr add A/32 dev bx0", weft, ip);
    }

    private Row route(World w) throws Exception {
        Stats weft = new Stats();
        Stats ip = new Stats();
        String gateway = IpAddresses.format(World.SPARE_GATEWAY);
        for (int i = -w.options.warmup(), k = 0; i < w.options.cheap(); i++, k++) {
            int it = i;
            Route a = Route.via(World.prefix24(100, k), World.SPARE_GATEWAY);
            String b = World.prefix24(150, k).toString();
            Stats.inTurn(i,
                    () -> weft.time(it, () -> w.kernel.host().addRoute(a)),
                    () -> ip.time(it, () -> Tools.run("ip", "route", "add", b, "via", gateway)));
        }
        return Row.of("4. route add", "ip route add P/24 via G", weft, ip);
    }
}
