package dev.weft.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.SandboxInfo;
import dev.weft.testkit.TestBridge;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestNamespace;
import dev.weft.testkit.TestSandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * iperf3 TCP throughput sandbox → sandbox (one stream, receiver side) over Weft's bridge network
 * against a bridge built by hand, all in throwaway host namespaces of the test kit (never in the
 * machine's own), so each path has the same kind of host namespace and the same
 * {@code bridge-nf-call-iptables} value (read in each and made equal to Weft's host's):
 *
 * <ul>
 *   <li>weft: a network made by Weft's runtime (Standalone + BridgeDriver, its nf_tables table in
 *       force: DNAT maps, forward chain with {@code ct state}, the bridge-family ICC table), two
 *       sandboxes made by {@code createSandbox}, the server one publishing a port;</li>
 *   <li>baseline: a bridge and two veths made with {@code ip}, plus one table whose only rule is
 *       {@code ct state established,related accept} in a forward chain: it turns conntrack on in
 *       that namespace as Weft's table does, so both paths pay for connection tracking and for
 *       br_netfilter, and the ratio shows what Weft's rules cost on top;</li>
 *   <li>bare: the same bridge without any table (no conntrack): for reference only.</li>
 * </ul>
 * ROUNDS rounds, each running every path once, the order rotated each round.
 *
 * <pre>DataplaneBench OUT.json [SECONDS=10 [ROUNDS=3]]</pre>
 */
public final class DataplaneBench {
    private static final String BRNF = "net.bridge.bridge-nf-call-iptables";
    private static final String CONNTRACK_ON = """
            table inet weft_dp_ct {
              chain forward {
                type filter hook forward priority filter; policy accept;
                ct state established,related accept
              }
            }
            """;

    private DataplaneBench() {
    }

    /** One path: a server and a client sandbox and the server's address. */
    private record Path2(String name, TestSandbox server, TestSandbox client, String serverIp, List<Double> gbps,
                         List<Long> retransmits) {
        Path2(String name, TestSandbox server, TestSandbox client, String serverIp) {
            this(name, server, client, serverIp, new ArrayList<>(), new ArrayList<>());
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DataplaneBench OUT.json [SECONDS=10 [ROUNDS=3]]");
            System.exit(2);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path out = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Map<String, Object> json = new LinkedHashMap<>();
        try (WeftWorld w = WeftWorld.open(); TestHost baseHost = TestHost.create(); TestHost bareHost = TestHost.create()) {
            String brnf = w.host.sysctl(BRNF);
            baseHost.sysctl(BRNF, brnf);
            bareHost.sysctl(BRNF, brnf);
            w.network("dp", "10.92.0.0/24");
            SandboxInfo server = w.sandbox(w.nextName(), "dp", 5201);
            SandboxInfo client = w.sandbox(w.nextName(), "dp", 5202);
            Path2 weft = new Path2("weft", w.testSandbox(server.name()), w.testSandbox(client.name()),
                    server.endpoints().get(0).ipv4().address().getHostAddress());
            Path2 baseline = handMade("baseline", baseHost, "10.93.0");
            baseHost.exec("nft", "-f", writeScript(CONNTRACK_ON));
            Path2 bare = handMade("bare", bareHost, "10.94.0");

            json.put("iperf3", firstLine(w.host.exec("iperf3", "--version")));
            json.put("seconds", seconds);
            json.put("rounds", rounds);
            json.put("host_namespaces", "test kit throwaway namespaces (wt-<id>), one per path; root namespace "
                    + BRNF + "=" + Files.readString(Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables")).strip());
            Map<String, String> brnfs = new LinkedHashMap<>();
            brnfs.put("weft", brnf);
            brnfs.put("baseline", baseHost.sysctl(BRNF));
            brnfs.put("bare", bareHost.sysctl(BRNF));
            json.put("bridge_nf_call_iptables", brnfs);
            List<Path2> order = new ArrayList<>(List.of(baseline, weft, bare));
            for (int r = 0; r < rounds; r++) {
                for (Path2 p : order) {
                    iperf(p, seconds);
                    System.err.printf("dataplane round %d %s: %.2f Gbit/s%n", r + 1, p.name(), p.gbps().get(r));
                }
                order.add(order.remove(0));
            }
            for (Path2 p : List.of(weft, baseline, bare)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("gbps", p.gbps());
                m.put("median_gbps", median(p.gbps()));
                m.put("retransmits", p.retransmits());
                json.put(p.name(), m);
            }
            json.put("ratio_weft_to_baseline", Samples.round(median(weft.gbps()) / median(baseline.gbps())));
            json.put("ratio_baseline_to_bare", Samples.round(median(baseline.gbps()) / median(bare.gbps())));
        }
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json) + "\n");
        System.err.println("DataplaneBench: wrote " + out);
    }

    /** Bridge br0 at PREFIX.1/24 with sandboxes at .2 (server) and .3 (client), as dataplane.sh case 1. */
    private static Path2 handMade(String name, TestHost host, String prefix) {
        TestBridge br = host.bridge("br0", prefix + ".1/24");
        TestSandbox a = host.sandbox("a"), b = host.sandbox("b");
        br.attach(a, prefix + ".2/24");
        br.attach(b, prefix + ".3/24");
        return new Path2(name, a, b, prefix + ".2");
    }

    private static String writeScript(String script) throws Exception {
        Path f = Files.createTempFile("weft-dp-", ".nft");
        Files.writeString(f, script);
        f.toFile().deleteOnExit();
        return f.toString();
    }

    /** One iperf3 run: a one-shot server in the server sandbox, the client in the other; records receiver Gbit/s. */
    private static void iperf(Path2 p, int seconds) throws Exception {
        Iperf3 r = iperf3(p.name(), p.server(), p.client(), p.serverIp(), seconds);
        p.gbps().add(r.gbps());
        p.retransmits().add(r.retransmits());
    }

    /** What one iperf3 run gives: receiver Gbit/s, the sender's retransmits (-1 when not reported). */
    record Iperf3(double gbps, long retransmits) {
    }

    /**
     * One iperf3 TCP run of {@code seconds}, one stream: a one-shot server bound to {@code serverIp}
     * in {@code server}, the client in {@code client} sending to it. Also used by {@link MacvlanBench}.
     */
    static Iperf3 iperf3(String what, TestNamespace server, TestNamespace client, String serverIp, int seconds)
            throws Exception {
        Process serverProcess = server.spawn("iperf3", "-s", "-1", "-B", serverIp, "-p", "5201");
        // iperf3 buffers its output into a pipe: poll the socket table for the listener instead.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.exec("ss", "-Hltn", "src", serverIp + ":5201").isBlank()) {
            if (!serverProcess.isAlive() || System.nanoTime() > deadline) {
                serverProcess.destroyForcibly();
                throw new IllegalStateException(what + ": iperf3 server on " + serverIp
                        + ":5201 is not listening after 10 s: " + new String(serverProcess.getInputStream().readNBytes(4096),
                        StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
        Process clientProcess = client.spawn("iperf3", "-c", serverIp, "-p", "5201", "-t", String.valueOf(seconds), "-J");
        String report = new String(clientProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!clientProcess.waitFor(seconds + 30L, TimeUnit.SECONDS) || clientProcess.exitValue() != 0) {
            clientProcess.destroyForcibly();
            serverProcess.destroyForcibly();
            throw new IllegalStateException(what + ": iperf3 client to " + serverIp + " failed: " + report);
        }
        serverProcess.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!serverProcess.waitFor(10, TimeUnit.SECONDS)) {
            serverProcess.destroyForcibly();
        }
        JsonObject end = JsonParser.parseString(report).getAsJsonObject().getAsJsonObject("end");
        JsonObject sent = end.getAsJsonObject("sum_sent");
        return new Iperf3(Samples.round(end.getAsJsonObject("sum_received").get("bits_per_second").getAsDouble() / 1e9),
                sent.has("retransmits") ? sent.get("retransmits").getAsLong() : -1);
    }

    /** One iperf3 run of one of two paths. */
    interface IperfRun {
        Iperf3 run() throws Exception;
    }

    /**
     * {@code rounds} rounds of two iperf3 runs, paths {@code a} and {@code b} alternating which goes
     * first (so the machine's drift hits both), into {@code m}: per path its Gbit/s, median and
     * retransmits ({@code <a>_gbps}, {@code <a>_median_gbps}, {@code <a>_retransmits}) and the ratio of
     * the medians {@code ratio_<a>_to_<b>}. Shared by {@link MacvlanBench} and {@link OverlayBench}.
     */
    static void alternate(Map<String, Object> m, String bench, int rounds, String a, IperfRun runA, String b,
                          IperfRun runB) throws Exception {
        List<Double> aGbps = new ArrayList<>(), bGbps = new ArrayList<>();
        List<Long> aRetr = new ArrayList<>(), bRetr = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                boolean aTurn = (r + k) % 2 == 0;
                Iperf3 res = aTurn ? runA.run() : runB.run();
                (aTurn ? aGbps : bGbps).add(res.gbps());
                (aTurn ? aRetr : bRetr).add(res.retransmits());
                System.err.printf("%s iperf3 round %d %s: %.2f Gbit/s%n", bench, r + 1, aTurn ? a : b, res.gbps());
            }
        }
        m.put(a + "_gbps", aGbps);
        m.put(a + "_median_gbps", median(aGbps));
        m.put(a + "_retransmits", aRetr);
        m.put(b + "_gbps", bGbps);
        m.put(b + "_median_gbps", median(bGbps));
        m.put(b + "_retransmits", bRetr);
        m.put("ratio_" + a + "_to_" + b, Samples.round(median(aGbps) / median(bGbps)));
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int mid = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(mid) : (s.get(mid - 1) + s.get(mid)) / 2;
    }

    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s.strip() : s.substring(0, nl).strip();
    }
}
