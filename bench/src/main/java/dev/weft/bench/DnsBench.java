package dev.weft.bench;

import com.google.gson.GsonBuilder;
import dev.weft.net.IpAddresses;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process part of {@code bench/run-dns.sh} (issue 12): Weft's embedded DNS server and
 * aardvark-dns 1.4 (started by netavark 1.4, as Podman does), each serving a bridge network of N
 * sandboxes on its gateway address, port 53, in a throwaway host namespace of its own with an
 * upstream stand-in on that namespace's 127.0.0.53. All queries come from inside sandbox
 * namespaces ({@link DnsLoad}). Written as JSON for {@link DnsReport}.
 *
 * <ol>
 *   <li>throughput, local and forwarded ({@value #FORWARDED}, answered by the stand-in): CLIENTS
 *       sandboxes × INFLIGHT queries in flight asking A for the last sandbox's name, closed loop,
 *       QPS_ROUNDS windows of QPS_SECONDS after 1 s of warm-up each, the servers in turn;</li>
 *   <li>latency, local and forwarded: one client in sandbox 0 asking A for sandbox 1's name (or the
 *       forwarded one), sequential, in two blocks per server in turn (A B, then B A), each WARMUP
 *       unmeasured then half of LAT; after the throughput rounds, so that a JIT-compiled server
 *       is measured, as one that has been running a while;</li>
 *   <li>create→resolvable and remove→gone, ROUNDS rounds: a new sandbox made the user's way, and from
 *       sandbox 0 its name queried at once after the command returns, again and again until it
 *       resolves to the new address; then removed, and queried until it no longer does.</li>
 * </ol>
 *
 * <pre>DnsBench OUT.json WORKDIR [N=20 [LAT=2000 [WARMUP=500 [QPS_SECONDS=3 [QPS_ROUNDS=3 [ROUNDS=20 [CLIENTS=4 [INFLIGHT=8]]]]]]]]</pre>
 */
public final class DnsBench {
    static final String FORWARDED = "www.example.org";
    static final long POLL_LIMIT_MS = 10_000;

    private DnsBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DnsBench OUT.json WORKDIR [N=20 [LAT=2000 [WARMUP=500 [QPS_SECONDS=3 [QPS_ROUNDS=3 "
                    + "[ROUNDS=20 [CLIENTS=4 [INFLIGHT=8]]]]]]]]");
            System.exit(2);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path out = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int n = Tools.arg(args, 2, 20);
        int lat = Tools.arg(args, 3, 2000);
        int warmup = Tools.arg(args, 4, 500);
        int qpsSeconds = Tools.arg(args, 5, 3);
        int qpsRounds = Tools.arg(args, 6, 3);
        int rounds = Tools.arg(args, 7, 20);
        int clients = Tools.arg(args, 8, 4);
        int inflight = Tools.arg(args, 9, 8);
        if (n < Math.max(2, clients)) {
            throw new IllegalArgumentException("N must be at least 2 and at least CLIENTS");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "this checkout, Java " + System.getProperty("java.version"));
        json.put("parameters", Map.of("n", n, "latency_queries", lat, "warmup", warmup, "qps_seconds", qpsSeconds,
                "qps_rounds", qpsRounds, "rounds", rounds, "clients", clients, "inflight", inflight));
        List<DnsTarget> targets = new ArrayList<>();
        Map<String, Map<String, Object>> results = new LinkedHashMap<>();
        json.put("targets", results);
        try {
            targets.add(new AardvarkTarget(work));
            try {
                targets.add(0, DnsWeft.open(work));
                targets.add(1, DnsWeftProcess.start(work));
            } catch (Exception e) {
                e.printStackTrace();
                json.put("weft_missing", "Weft's runtime with its DNS server did not start: " + e);
            }
            for (DnsTarget t : targets) {
                Files.writeString(work.resolve("hosts.txt"), t.hostNamespace() + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            for (DnsTarget t : targets) {
                Map<String, Object> r = new LinkedHashMap<>();
                results.put(t.label(), r);
                long t0 = System.nanoTime();
                t.populate(n);
                r.put("populate_ms", Samples.ms(System.nanoTime() - t0));
                r.put("ready", ready(t));
                log(t.label() + ": " + n + " sandboxes, serving");
            }
            InetAddress upstreamAnswer = IpAddresses.parse(DnsUpstream.ANSWER);
            // 1. throughput, the servers in turn
            Map<String, List<Map<String, Object>>> local = new LinkedHashMap<>(), forwarded = new LinkedHashMap<>();
            for (int round = 0; round < qpsRounds; round++) {
                for (int k = 0; k < targets.size(); k++) {
                    DnsTarget t = targets.get((k + round) % targets.size());
                    List<DnsTarget.Member> m = t.members();
                    List<DnsTarget.Entry> ns = m.subList(0, clients).stream().map(DnsTarget.Member::namespace).toList();
                    DnsTarget.Member asked = m.get(m.size() - 1);
                    local.computeIfAbsent(t.label(), x -> new ArrayList<>()).add(
                            DnsLoad.throughput(ns, t.server(), asked.name(), asked.address(), inflight, 1, qpsSeconds));
                    forwarded.computeIfAbsent(t.label(), x -> new ArrayList<>()).add(
                            DnsLoad.throughput(ns, t.server(), FORWARDED, upstreamAnswer, inflight, 1, qpsSeconds));
                    log(t.label() + ": throughput round " + (round + 1) + " done");
                }
            }
            for (DnsTarget t : targets) {
                results.get(t.label()).put("local_qps", summary(local.get(t.label())));
                results.get(t.label()).put("forwarded_qps", summary(forwarded.get(t.label())));
            }
            // 2. latency, local and forwarded, after the throughput rounds (a JIT-compiled server, as one
            //    that has been running a while), in two blocks per target in turn (A B, then B A)
            Map<String, DnsLoad.Latency> localLat = new LinkedHashMap<>(), fwdLat = new LinkedHashMap<>();
            for (int block = 0; block < 2; block++) {
                for (int k = 0; k < targets.size(); k++) {
                    DnsTarget t = targets.get(block == 0 ? k : targets.size() - 1 - k); // A B C, then C B A
                    List<DnsTarget.Member> m = t.members();
                    int part = block == 0 ? lat / 2 : lat - lat / 2;
                    DnsLoad.Latency l = DnsLoad.latency(m.get(0).namespace(), t.server(), m.get(1).name(), m.get(1).address(),
                            warmup, part);
                    DnsLoad.Latency f = DnsLoad.latency(m.get(0).namespace(), t.server(), FORWARDED, upstreamAnswer, warmup,
                            part);
                    localLat.merge(t.label(), l, DnsLoad.Latency::add);
                    fwdLat.merge(t.label(), f, DnsLoad.Latency::add);
                    log(t.label() + ": latency block " + (block + 1) + " done");
                }
            }
            for (DnsTarget t : targets) {
                results.get(t.label()).put("local_latency", localLat.get(t.label()).json());
                results.get(t.label()).put("forwarded_latency", fwdLat.get(t.label()).json());
            }
            // 3. create→resolvable, remove→gone
            for (DnsTarget t : targets) {
                List<DnsLoad.Round> created = new ArrayList<>(), removed = new ArrayList<>();
                try (DnsLoad.Poller poller = new DnsLoad.Poller(t.members().get(0).namespace(), t.server(), POLL_LIMIT_MS)) {
                    for (int r = 0; r < rounds; r++) {
                        DnsTarget.Member m = t.create(r);
                        created.add(poller.awaitResolvable(m.name(), m.address(), t.returnedNanos()));
                        t.remove(m);
                        removed.add(poller.awaitGone(m.name(), m.address(), t.returnedNanos()));
                    }
                }
                results.get(t.label()).put("create_to_resolvable", DnsLoad.rounds(created, "create returned → name resolves"));
                results.get(t.label()).put("remove_to_gone", DnsLoad.rounds(removed, "remove returned → name no longer resolves"));
                log(t.label() + ": create→resolvable done");
            }
            for (DnsTarget t : targets) {
                results.get(t.label()).put("about", t.describe());
            }
        } finally {
            for (int k = targets.size() - 1; k >= 0; k--) {
                try {
                    targets.get(k).close();
                } catch (Exception e) {
                    System.err.println("DnsBench: cleanup of " + targets.get(k).label() + ": " + e);
                    json.put("cleanup_" + targets.get(k).label(), String.valueOf(e));
                }
            }
            Files.writeString(out, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
                    .serializeSpecialFloatingPointValues().create().toJson(json) + "\n");
            System.err.println("DnsBench: wrote " + out);
        }
    }

    /** Waits until sandbox 0 resolves sandbox 1 (aardvark binds after netavark returned); how long that took. */
    private static Map<String, Object> ready(DnsTarget t) throws Exception {
        List<DnsTarget.Member> m = t.members();
        try (DnsLoad.Poller p = new DnsLoad.Poller(m.get(0).namespace(), t.server(), POLL_LIMIT_MS)) {
            DnsLoad.Round r = p.awaitResolvable(m.get(1).name(), m.get(1).address(), System.nanoTime());
            if (!r.reached()) {
                throw new IllegalStateException(t.label() + " does not answer " + m.get(1).name() + " within "
                        + POLL_LIMIT_MS + " ms");
            }
            return Map.of("after_populate_ms", Samples.ms(r.answerNanos()), "queries", r.queries());
        }
    }

    /** The median of the rounds' qps, and each round. */
    static Map<String, Object> summary(List<Map<String, Object>> rounds) {
        List<Long> qps = rounds.stream().map(r -> (Long) r.get("qps")).sorted().toList();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_qps", qps.size() % 2 == 1 ? qps.get(qps.size() / 2)
                : (qps.get(qps.size() / 2 - 1) + qps.get(qps.size() / 2)) / 2);
        m.put("rounds", rounds);
        return m;
    }

    static void log(String s) {
        System.err.println("DnsBench: " + s);
    }
}
