package dev.weft.bench;

import com.google.gson.GsonBuilder;
import dev.weft.api.Controller;
import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weft's side of {@code bench/run-peers.sh}: the bridge driver through the Controller API in the
 * pattern of the peers' scripts ({@code ../shared/peers/cni.py}, {@code netavark.py},
 * {@code docker.py}), written as JSON for the report.
 *
 * <ul>
 *   <li>latency, N_LAT times: create a sandbox with one published port (its namespace included:
 *       Weft creates it), then remove it (namespace deletion included; veth and conntrack deletes
 *       that run in the background are not on the user's path and are not counted, but they run
 *       during the following iterations). The peers time {@code ip netns add/del} apart.</li>
 *   <li>connect, N_LAT times: a running sandbox (made untimed) joins a second network, leaves it
 *       again, and is removed untimed: {@code docker network connect/disconnect}'s pattern.</li>
 *   <li>quiet, a diagnostic: the same four steps, each timed after the background work the
 *       previous ones left (namespace, veth and conntrack deletes) has finished.</li>
 *   <li>scale: N_SCALE sandboxes with a port each on one network (each timed, namespace
 *       included), ruleset lines, the peers' seven connectivity checks, then each removed (timed).</li>
 *   <li>many: MANY sandboxes round robin over four bridges (a Linux bridge takes at most 1024
 *       ports), then removed.</li>
 * </ul>
 * WARMUP unmeasured iterations of each loop come first: Weft is a long-running daemon (the peers'
 * daemons, dockerd, are warm too); the very first, cold setup is reported apart.
 *
 * <pre>PeerPatternBench OUT.json [N_LAT [N_SCALE [WARMUP [MANY]]]]</pre>
 */
public final class PeerPatternBench {
    private static final int LAT_PORT = 21000;
    private static final int SCALE_PORT = 30000;
    private static final int MANY_PORT = 40000;
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(3);
    /** Unmeasured iterations of the diagnostic loop (the JIT is warm by then). */
    private static final int QUIET_WARMUP = 5;

    private PeerPatternBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PeerPatternBench OUT.json [N_LAT=20 [N_SCALE=100 [WARMUP=200 [MANY=1000]]]]");
            System.exit(2);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path out = Path.of(args[0]);
        int nLat = Tools.arg(args, 1, 20);
        int nScale = Tools.arg(args, 2, 100);
        int warmup = Tools.arg(args, 3, 200);
        int many = Tools.arg(args, 4, 1000);
        if (nScale < 20 || many != 0 && many < 20) {
            throw new IllegalArgumentException("N_SCALE " + nScale + " and MANY " + many
                    + ": need at least 20 each (first 10 against last 10), or MANY 0 to skip it");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("peer", "weft");
        json.put("version", "this checkout, Java " + System.getProperty("java.version"));
        try (WeftWorld w = WeftWorld.open()) {
            w.network("one", "10.90.0.0/16");
            w.network("two", "10.91.0.0/16");
            json.put("latency", latency(w, nLat, warmup));
            System.err.println("PeerPatternBench: latency loops done");
            json.put("scale", scale(w, nScale));
            System.err.println("PeerPatternBench: " + nScale + " sandboxes done");
            if (many > 0) {
                json.put("many", many(w, many));
            }
        }
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json) + "\n");
        System.err.println("PeerPatternBench: wrote " + out);
    }

    /** Setup/teardown in the peers' loop, then connect/disconnect in docker.py's. */
    private static Map<String, Object> latency(WeftWorld w, int nLat, int warmup) throws Exception {
        Controller c = w.controller;
        Samples setup = new Samples(), teardown = new Samples(), connect = new Samples(), disconnect = new Samples();
        long cold = -1;
        for (int i = -warmup; i < nLat; i++) {
            String name = w.nextName();
            long t0 = System.nanoTime();
            w.sandbox(name, "one", LAT_PORT);
            long t1 = System.nanoTime();
            c.removeSandbox(name);
            long t2 = System.nanoTime();
            if (cold < 0) {
                cold = t1 - t0;
            }
            if (i >= 0) {
                setup.add(t1 - t0);
                teardown.add(t2 - t1);
            }
        }
        long drainSetup = drain(w);
        for (int i = -warmup; i < nLat; i++) {
            String name = w.nextName();
            w.sandbox(name, "one", LAT_PORT);
            long t0 = System.nanoTime();
            c.connect("two", name, EndpointSpec.defaults());
            long t1 = System.nanoTime();
            c.disconnect("two", name, false);
            long t2 = System.nanoTime();
            c.removeSandbox(name);
            if (i >= 0) {
                connect.add(t1 - t0);
                disconnect.add(t2 - t1);
            }
        }
        long drainConnect = drain(w);
        // Diagnostic: the same steps, each after the background work of the previous ones is done.
        Samples qSetup = new Samples(), qTeardown = new Samples(), qConnect = new Samples(), qDisconnect = new Samples();
        for (int i = -Math.min(warmup, QUIET_WARMUP); i < nLat; i++) {
            String name = w.nextName();
            long t0 = System.nanoTime();
            w.sandbox(name, "one", LAT_PORT);
            long t1 = System.nanoTime();
            drain(w);
            long t2 = System.nanoTime();
            c.connect("two", name, EndpointSpec.defaults());
            long t3 = System.nanoTime();
            c.disconnect("two", name, false);
            long t4 = System.nanoTime();
            drain(w);
            long t5 = System.nanoTime();
            c.removeSandbox(name);
            long t6 = System.nanoTime();
            drain(w);
            if (i >= 0) {
                qSetup.add(t1 - t0);
                qConnect.add(t3 - t2);
                qDisconnect.add(t4 - t3);
                qTeardown.add(t6 - t5);
            }
        }
        Map<String, Object> quiet = new LinkedHashMap<>();
        quiet.put("setup_ms", qSetup.json());
        quiet.put("teardown_ms", qTeardown.json());
        quiet.put("connect_ms", qConnect.json());
        quiet.put("disconnect_ms", qDisconnect.json());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warmup", warmup);
        m.put("setup_ms", setup.json());
        m.put("teardown_ms", teardown.json());
        m.put("connect_ms", connect.json());
        m.put("disconnect_ms", disconnect.json());
        m.put("first_setup_ms(cold JVM)", Samples.ms(cold));
        m.put("background_drain_after_setup_loop_ms", Samples.ms(drainSetup));
        m.put("background_drain_after_connect_loop_ms", Samples.ms(drainConnect));
        m.put("quiet", quiet);
        return m;
    }

    private static Map<String, Object> scale(WeftWorld w, int n) throws Exception {
        Controller c = w.controller;
        int rulesEmpty = w.rulesetLines(true), rulesEmptyT = w.rulesetLines(false);
        List<SandboxInfo> made = new ArrayList<>();
        Samples each = new Samples();
        long start = System.nanoTime();
        for (int i = 1; i <= n; i++) {
            String name = w.nextName();
            long t = System.nanoTime();
            made.add(w.sandbox(name, "one", SCALE_PORT + i));
            each.add(System.nanoTime() - t);
        }
        long total = System.nanoTime() - start;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("total_ms_incl_netns", Samples.ms(total));
        m.put("setup_1_10", each.range(0, 10).json());
        m.put("setup_last10", each.range(n - 10, n).json());
        m.put("nft_ruleset_lines", w.rulesetLines(true));
        m.put("nft_ruleset_lines_no_elements", w.rulesetLines(false));
        m.put("baseline_nft_lines", rulesEmpty);
        m.put("baseline_nft_lines_no_elements", rulesEmptyT);
        m.put("connectivity", checks(w, made));

        Samples removal = new Samples();
        start = System.nanoTime();
        for (SandboxInfo s : made) {
            long t = System.nanoTime();
            c.removeSandbox(s.name());
            removal.add(System.nanoTime() - t);
        }
        long removed = System.nanoTime() - start;
        m.put("teardown_total_ms_incl_netns", Samples.ms(removed));
        m.put("teardown_first10", removal.range(0, 10).json());
        m.put("teardown_last10", removal.range(n - 10, n).json());
        m.put("background_drain_ms", Samples.ms(drain(w)));
        m.put("nft_lines_after_all_teardown", w.rulesetLines(true));
        return m;
    }

    /** The peers' seven checks (anchorlib), with all sandboxes present; the host is the test kit's host namespace. */
    private static Map<String, String> checks(WeftWorld w, List<SandboxInfo> made) {
        TestHost host = w.host;
        int n = made.size();
        String gw = w.controller.network("one").orElseThrow().subnets().get(0).gateway().getHostAddress();
        String ip1 = address(made.get(0)), ipN = address(made.get(n - 1));
        TestSandbox s1 = w.testSandbox(made.get(0).name()), s2 = w.testSandbox(made.get(1).name());
        TestSandbox sN = w.testSandbox(made.get(n - 1).name());
        Map<String, String> m = new LinkedHashMap<>();
        try (TcpListener l1 = s1.listenTcp(80); TcpListener lN = sN.listenTcp(80)) {
            m.put("s2 -> s1 " + ip1 + ":80 (same network)", ok(s2.canConnectTcp(ip1, 80, CHECK_TIMEOUT)));
            m.put("host -> " + gw + ":" + (SCALE_PORT + 1) + " (host address, published)",
                    ok(host.canConnectTcp(gw, SCALE_PORT + 1, CHECK_TIMEOUT)));
            m.put("host -> 127.0.0.1:" + (SCALE_PORT + 1) + " (published)",
                    ok(host.canConnectTcp("127.0.0.1", SCALE_PORT + 1, CHECK_TIMEOUT)));
            m.put("s2 -> " + gw + ":" + (SCALE_PORT + 1) + " (sandbox to host published, hairpin)",
                    ok(s2.canConnectTcp(gw, SCALE_PORT + 1, CHECK_TIMEOUT)));
            m.put("host -> " + gw + ":" + (SCALE_PORT + n) + " (last sandbox, published)",
                    ok(host.canConnectTcp(gw, SCALE_PORT + n, CHECK_TIMEOUT)));
            m.put("s1 -> s" + n + " " + ipN + ":80", ok(s1.canConnectTcp(ipN, 80, CHECK_TIMEOUT)));
        }
        return m;
    }

    private static String ok(boolean connected) {
        return connected ? "pong" : "FAIL";
    }

    private static String address(SandboxInfo s) {
        return s.endpoints().get(0).ipv4().address().getHostAddress();
    }

    private static Map<String, Object> many(WeftWorld w, int n) throws Exception {
        List<String> nets = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            w.network("many" + b, "10." + (100 + b) + ".0.0/16");
            nets.add("many" + b);
        }
        List<String> names = new ArrayList<>();
        Samples each = new Samples();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String name = w.nextName();
            long t = System.nanoTime();
            w.sandbox(name, nets.get(i % nets.size()), MANY_PORT + i);
            each.add(System.nanoTime() - t);
            names.add(name);
        }
        long total = System.nanoTime() - start;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("bridges", nets.size());
        m.put("total_ms_incl_netns", Samples.ms(total));
        m.put("setup_1_10", each.range(0, 10).json());
        m.put("setup_last10", each.range(n - 10, n).json());
        m.put("nft_ruleset_lines_no_elements", w.rulesetLines(false));
        start = System.nanoTime();
        for (String name : names) {
            w.controller.removeSandbox(name);
        }
        m.put("teardown_total_ms_incl_netns", Samples.ms(System.nanoTime() - start));
        m.put("background_drain_ms", Samples.ms(drain(w)));
        return m;
    }

    /** Waits for the work removals left off the user's path; returns how long that took. */
    private static long drain(WeftWorld w) {
        long t = System.nanoTime();
        w.drain();
        return System.nanoTime() - t;
    }
}
