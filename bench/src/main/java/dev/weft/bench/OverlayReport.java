package dev.weft.bench;

import static dev.weft.bench.ReportJson.obj;
import static dev.weft.bench.ReportJson.str;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Markdown report of {@code bench/run-overlay.sh}, from {@code overlay.json}
 * ({@link OverlayBench}) and {@code meta.json} in one directory. A part that failed shows as "–"
 * and is named under the tables.
 *
 * <pre>OverlayReport DIR</pre>
 */
public final class OverlayReport {
    /** iperf3 over Weft's overlay against a vxlan made by hand: the target. */
    static final double THROUGHPUT_TARGET = 0.95;

    private final PrintStream out;

    private OverlayReport(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: OverlayReport DIR (holding overlay.json, meta.json)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        new OverlayReport(new PrintStream(System.out, true, StandardCharsets.UTF_8))
                .print(read(dir.resolve("meta.json")), read(dir.resolve("overlay.json")));
    }

    private static JsonObject read(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (Exception e) {
            return new JsonObject();
        }
    }

    private void print(JsonObject meta, JsonObject in) {
        out.println("# Overlay across hosts: Weft's overlay on a 3-member etcd against a vxlan made by hand");
        out.println();
        out.printf("%s, commit %s; kernel %s, %s cores; load average %s at the start, %s at the end; %s; %s.%n",
                str(meta, "date"), str(meta, "commit"), str(meta, "kernel"), str(meta, "cores"), str(meta, "load_start"),
                str(meta, "load_end"), str(in, "etcd_version"), str(in, "iperf3_version"));
        out.printf("Command: `%s`. World: %s.%n", str(meta, "command"), str(in, "world"));
        out.println();

        JsonObject ip = obj(in, "iperf3");
        out.printf("## iperf3, sandbox on host 1 → sandbox on host 2 (TCP, one stream, %s s × %s rounds, the order alternating)%n",
                str(ip, "seconds"), str(ip, "rounds"));
        out.println();
        out.println("| path | Gbit/s each round | median Gbit/s | retransmits |");
        out.println("|---|---|--:|---|");
        out.printf("| Weft overlay (veth → br0 → vxlan0 in the network's namespace → underlay → …) | %s | %s | %s |%n",
                str(ip, "overlay_gbps"), str(ip, "overlay_median_gbps"), str(ip, "overlay_retransmits"));
        out.printf("| raw vxlan by hand between the same host namespaces | %s | %s | %s |%n", str(ip, "raw_gbps"),
                str(ip, "raw_median_gbps"), str(ip, "raw_retransmits"));
        out.println();
        if (ip.has("ratio_overlay_to_raw")) {
            double r = ip.get("ratio_overlay_to_raw").getAsDouble();
            out.printf("Overlay ÷ raw: **%.3f** (target ≥ %.2f: %s)%n", r, THROUGHPUT_TARGET, r >= THROUGHPUT_TARGET ? "met" : "MISSED");
        } else {
            out.println("Overlay ÷ raw: –");
        }
        out.println();
        out.println("- overlay: " + str(ip, "overlay"));
        out.println("- raw: " + str(ip, "raw") + " (VNI 5000, dstport 4790, `fdb append 00:00:00:00:00:00 dst PEER`, the"
                + " address on the vxlan itself)");
        out.println();

        JsonObject su = obj(in, "setup");
        JsonObject nw = obj(in, "networks");
        out.println("## Latency (ms; p99 by nearest rank: with fewer than 100 samples, the maximum)");
        out.println();
        out.println("| step | median | p99 | n |");
        out.println("|---|--:|--:|--:|");
        row("overlay endpoint setup on host 1: `createSandbox` on an overlay (in process)", obj(su, "overlay_setup_ms"));
        row("→ reachable from host 2: create's start until a TCP connect from a sandbox on host 2 is answered",
                obj(su, "overlay_reachable_ms"));
        row("reference: local bridge endpoint setup on host 1 (same loop, in turn)", obj(su, "bridge_setup_ms"));
        row("global network create: `createNetwork` of an overlay on host 1 (subnet from the cluster's pools)",
                obj(nw, "create_ms"));
        row("→ visible on host 2 (create's start until its `networkCreated`)", obj(nw, "visible_host2_ms"));
        row("→ visible on host 3", obj(nw, "visible_host3_ms"));
        row("→ visible on both other hosts", obj(nw, "visible_all_ms"));
        row("global network remove on host 1 (`removeNetwork`, no endpoints)", obj(nw, "remove_ms"));
        row("→ gone on both other hosts (remove's start until their `networkRemoved`)", obj(nw, "gone_all_ms"));
        out.println();
        out.printf("Endpoint setup: %s sandboxes after %s unmeasured (the overlay's namespace on host 1 made by the first of those), %s not reached"
                + " within 30 s. Probe: %s. Network create: %s networks after %s unmeasured, %s not seen everywhere within 10 s.%n",
                str(su, "n"), str(su, "warmup"), str(su, "overlay_unreached"), str(su, "probe"), str(nw, "n"),
                str(nw, "warmup"), str(nw, "unseen"));
        out.println();

        JsonObject co = obj(in, "concurrent");
        out.println("## Concurrent allocation: the 3 hosts create sandboxes on one overlay at once");
        out.println();
        out.println("| hosts × sandboxes | made | errors | wall (ms) | sandboxes/s | cluster addresses/s | create median (ms) |"
                + " create p99 (ms) | duplicates in etcd / API / kernel |");
        out.println("|---|--:|--:|--:|--:|--:|--:|--:|---|");
        JsonObject cms = obj(co, "create_ms");
        out.printf("| %s × %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", str(co, "hosts"), str(co, "per_host"),
                str(co, "made"), str(co, "errors"), num(co, "wall_ms", 0), num(co, "sandboxes_per_s", 1), num(co, "addresses_per_s", 1),
                ms(cms, "median"), ms(cms, "p99"), co.has("made") ? duplicates(co) : "–");
        out.println();
        out.printf("Per host, create median / p99 (ms): host 1 %s / %s, host 2 %s / %s, host 3 %s / %s. etcd: %s endpoint"
                + " keys under `ipam/<subnet>/`, %s addresses whose key names another node than the sandbox's host. Kernel:"
                + " %s addresses on the sandboxes' eth0, %s sandboxes whose eth0 is not exactly the address the API gave.%s%n",
                ms(obj(co, "create_host1_ms"), "median"), ms(obj(co, "create_host1_ms"), "p99"),
                ms(obj(co, "create_host2_ms"), "median"), ms(obj(co, "create_host2_ms"), "p99"),
                ms(obj(co, "create_host3_ms"), "median"), ms(obj(co, "create_host3_ms"), "p99"),
                str(co, "etcd_endpoint_keys"), str(co, "etcd_owner_mismatches"), str(co, "kernel_addresses"),
                str(co, "kernel_mismatches"), co.has("first_error") ? " First error: " + str(co, "first_error") + "." : "");
        out.println("Each sandbox also gets a local address on its host's `docker_gwbridge` (the egress network), not counted"
                + " as a cluster address.");
        out.println();

        out.println("## Notes");
        out.println();
        out.println("- Each host is a `Standalone` runtime (bridge and overlay drivers, its own instance name, link prefix,"
                + " nft table, namespace and record directories) on one host namespace of the test kit's `EtcdCluster`,"
                + " joined through `EtcdStores.open` (the etcd `ClusterStore`, its threads in that host namespace).");
        out.printf("- Removing the setup part's sandboxes (warm-up included) and the prober took %s ms, off the figures.%n",
                num(su, "removal_of_all_ms", 0));
        if (in.has("failures")) {
            out.println("- **Failures**: " + str(in, "failures"));
        }
        if (meta.has("failures")) {
            out.println("- **Failures (script)**: " + str(meta, "failures"));
        }
        out.println("- Left behind: " + str(meta, "leftovers"));
    }

    private static String duplicates(JsonObject co) {
        int etcdDup = co.get("made").getAsInt() - co.get("etcd_endpoint_keys").getAsInt();
        return (etcdDup == 0 && co.get("etcd_owner_mismatches").getAsInt() == 0 ? "0" : "**" + etcdDup + " keys short, "
                + str(co, "etcd_owner_mismatches") + " owners wrong**") + " / " + str(co, "api_duplicates") + " / "
                + str(co, "kernel_duplicates");
    }

    private void row(String step, JsonObject s) {
        out.printf("| %s | %s | %s | %s |%n", step, ms(s, "median"), ms(s, "p99"), s.has("n") ? s.get("n").getAsString() : "–");
    }

    private static String ms(JsonObject stats, String key) {
        if (!stats.has(key)) {
            return "–";
        }
        double v = stats.get(key).getAsDouble();
        return v < 10 ? String.format("%.2f", v) : String.format("%.1f", v);
    }

    private static String num(JsonObject o, String key, int decimals) {
        return o.has(key) ? String.format("%." + decimals + "f", o.get(key).getAsDouble()) : "–";
    }
}
