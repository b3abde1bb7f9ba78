package dev.weft.bench;

import static dev.weft.bench.ReportJson.obj;
import static dev.weft.bench.ReportJson.str;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Markdown report of {@code bench/run-macvlan.sh}, from the JSON files it leaves in one
 * directory: {@code inproc.json} ({@link MacvlanBench}), {@code cli.json} (the {@code ./weft} part)
 * and {@code meta.json}. A part that is missing or failed shows as "–" and is named under the tables.
 *
 * <pre>MacvlanReport DIR</pre>
 */
public final class MacvlanReport {
    /** iperf3 over Weft's macvlan against a bare one: the target. */
    static final double THROUGHPUT_TARGET = 0.95;

    private final PrintStream out;
    private final List<String> notes = new ArrayList<>();

    private MacvlanReport(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: MacvlanReport DIR (holding inproc.json, cli.json, meta.json)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        new MacvlanReport(out).print(read(dir.resolve("meta.json")), read(dir.resolve("inproc.json")),
                read(dir.resolve("cli.json")));
    }

    private static JsonObject read(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (Exception e) {
            return new JsonObject();
        }
    }

    private void print(JsonObject meta, JsonObject in, JsonObject cli) {
        out.println("# macvlan endpoints (issue 11): Weft against netavark and `ip`, and iperf3 over macvlan");
        out.println();
        out.printf("%s, commit %s; kernel %s, %s cores; load average %s at the start, %s at the end; %s; %s.%n",
                str(meta, "date"), str(meta, "commit"), str(meta, "kernel"), str(meta, "cores"), str(meta, "load_start"),
                str(meta, "load_end"), str(in, "netavark"), str(in, "iperf3"));
        out.printf("Command: `%s`.%n", str(meta, "command"));
        out.println();

        JsonObject weft = obj(in, "weft");
        JsonObject nv = obj(in, "netavark_macvlan");
        JsonObject hand = obj(in, "by_hand");
        boolean inMacvlan = weft.has("macvlan_setup_ms");
        boolean cliMacvlan = cli.has("mv_setup_ms");
        out.println("## Endpoint setup and teardown (ms)");
        out.println();
        out.println("| path | setup median | setup p99 | teardown median | teardown p99 | n |");
        out.println("|---|--:|--:|--:|--:|--:|");
        row("Weft, macvlan, in process (`createSandbox` / `removeSandbox`)", obj(weft, "macvlan_setup_ms"),
                obj(weft, "macvlan_teardown_ms"));
        row("Weft, bridge, in process (same run, in turn)", obj(weft, "bridge_setup_ms"), obj(weft, "bridge_teardown_ms"));
        row("Weft, macvlan, through `./weft` (`sandbox:create --network mv` / `sandbox:remove`)", obj(cli, "mv_setup_ms"),
                obj(cli, "mv_teardown_ms"));
        row("Weft, bridge, through `./weft` (same run, in turn)", obj(cli, "br_setup_ms"), obj(cli, "br_teardown_ms"));
        row("netavark, macvlan: `ip netns add` + `netavark setup` / `netavark teardown` + `ip netns del`",
                obj(nv, "setup_with_netns_add_ms"), obj(nv, "teardown_with_netns_del_ms"));
        row("netavark alone: `netavark setup` / `netavark teardown`", obj(nv, "setup_ms"), obj(nv, "teardown_ms"));
        row("by hand: `ip netns add` + `ip link add … type macvlan` + `ip -n NS -batch` / `ip netns del`",
                obj(hand, "setup_ms"), obj(hand, "teardown_ms"));
        out.println();
        out.println("Weft's setup includes creating the sandbox's namespace (lo up, resolv.conf, records); its"
                + " teardown is the user's path (`removeSandbox` returns before the kernel has destroyed the"
                + " namespace). No published port on either network (a macvlan endpoint takes none). p99 is"
                + " nearest rank: with fewer than 100 samples, the maximum.");
        out.println();

        out.println("Ratios of the medians:");
        out.println();
        if (inMacvlan) {
            ratioLine("Weft in process, macvlan ÷ bridge", med(weft, "macvlan_setup_ms"), med(weft, "bridge_setup_ms"),
                    med(weft, "macvlan_teardown_ms"), med(weft, "bridge_teardown_ms"));
            ratioLine("netavark (with its namespace) ÷ Weft macvlan in process", med(nv, "setup_with_netns_add_ms"),
                    med(weft, "macvlan_setup_ms"), med(nv, "teardown_with_netns_del_ms"), med(weft, "macvlan_teardown_ms"));
            ratioLine("by hand with `ip` ÷ Weft macvlan in process", med(hand, "setup_ms"), med(weft, "macvlan_setup_ms"),
                    med(hand, "teardown_ms"), med(weft, "macvlan_teardown_ms"));
        } else {
            notes.add("The in-process part gave no Weft figures (see the run's stderr).");
        }
        if (cliMacvlan) {
            ratioLine("through `./weft`, macvlan ÷ bridge", med(cli, "mv_setup_ms"), med(cli, "br_setup_ms"),
                    med(cli, "mv_teardown_ms"), med(cli, "br_teardown_ms"));
            ratioLine("netavark (with its namespace) ÷ Weft macvlan through `./weft`", med(nv, "setup_with_netns_add_ms"),
                    med(cli, "mv_setup_ms"), med(nv, "teardown_with_netns_del_ms"), med(cli, "mv_teardown_ms"));
        } else if (cli.has("macvlan_driver")) {
            notes.add("The `./weft` macvlan rows are empty: the distribution's `driver:list` has no macvlan driver.");
        } else {
            notes.add("The `./weft` part gave no figures (see the run's stderr).");
        }
        out.println();

        JsonObject cm = obj(in, "container_mode");
        out.println("## Container mode: a sandbox sharing another's namespace (`--network container:web`), made / removed (ms)");
        out.println();
        out.println("| path | make median | make p99 | remove median | remove p99 | n |");
        out.println("|---|--:|--:|--:|--:|--:|");
        row("Weft, in process (`createSandbox` / `removeSandbox`)", obj(cm, "share_ms"), obj(cm, "unshare_ms"));
        row("Weft, through `./weft` (`sandbox:create --network container:web cN` / `sandbox:remove cN`)",
                obj(cli, "share_ms"), obj(cli, "unshare_ms"));
        row("by hand: `touch` + `mount --bind` of web's namespace file / `umount` + `rm`",
                obj(cm, "by_hand_setup_ms"), obj(cm, "by_hand_teardown_ms"));
        out.println();
        out.println("netavark and the CNI plugins have no such mode (Podman and Docker hand the other container's "
                + "namespace path to their OCI runtime), so the peer is the second name `ip netns` would make. Weft's "
                + "removal returns once the sharer is gone from every listing; its name is unmounted in the reaper's "
                + "group, off the user's path (by hand, the `umount` is in the figure).");
        ratioLine("by hand ÷ Weft in process", med(cm, "by_hand_setup_ms"), med(cm, "share_ms"),
                med(cm, "by_hand_teardown_ms"), med(cm, "unshare_ms"));
        ratioLine("by hand ÷ Weft through `./weft`", med(cm, "by_hand_setup_ms"), med(cli, "share_ms"),
                med(cm, "by_hand_teardown_ms"), med(cli, "unshare_ms"));
        out.println();

        JsonObject ip = obj(in, "iperf3_sandbox_to_lan");
        out.printf("## iperf3, sandbox → LAN over macvlan (TCP, one stream, %s s × %s rounds, the order alternating)%n",
                str(ip, "seconds"), str(ip, "rounds"));
        out.println();
        out.println("| path | Gbit/s each round | median Gbit/s | retransmits |");
        out.println("|---|---|--:|---|");
        out.printf("| Weft's macvlan (a sandbox on network `mv`) | %s | %s | %s |%n", str(ip, "weft_gbps"),
                str(ip, "weft_median_gbps"), str(ip, "weft_retransmits"));
        out.printf("| bare macvlan made with `ip` (same parent, same LAN) | %s | %s | %s |%n", str(ip, "bare_gbps"),
                str(ip, "bare_median_gbps"), str(ip, "bare_retransmits"));
        out.println();
        if (ip.has("ratio_weft_to_bare")) {
            double r = ip.get("ratio_weft_to_bare").getAsDouble();
            out.printf("Weft ÷ bare: **%.3f** (target ≥ %.2f: %s)%n", r, THROUGHPUT_TARGET, r >= THROUGHPUT_TARGET ? "met" : "MISSED");
        } else {
            out.println("Weft ÷ bare: – (no Weft macvlan in this run)");
        }
        out.println();

        out.println("## Notes");
        out.println();
        out.println("- Parent: " + str(in, "parent") + "; every macvlan in bridge mode. The `./weft` part ran a private"
                + " instance on a namespace of its own with the same parent and LAN.");
        out.println("- eth0 as seen in the sandboxes: Weft " + str(ip, "weft") + "; bare " + str(ip, "bare")
                + "; netavark " + str(nv, "eth0") + ".");
        out.printf("- Warm-up: Weft in process %s iterations, `./weft` %s, netavark and by hand %s. `./weft start` to the"
                + " first answered command: %s ms. Weft's background work after the in-process loop drained %.0f ms later.%n",
                str(weft, "warmup"), str(cli, "warmup"), str(nv, "warmup"), str(cli, "start_ms"),
                weft.has("background_drain_after_loop_ms") ? weft.get("background_drain_after_loop_ms").getAsDouble() : Double.NaN);
        notes.forEach(n -> out.println("- " + n));
        if (meta.has("failures")) {
            out.println("- **Failures**: " + str(meta, "failures"));
        }
        out.println("- Left behind: " + str(meta, "leftovers"));
    }

    private void row(String path, JsonObject setup, JsonObject teardown) {
        out.printf("| %s | %s | %s | %s | %s | %s |%n", path, ms(setup, "median"), ms(setup, "p99"), ms(teardown, "median"),
                ms(teardown, "p99"), setup.has("n") ? setup.get("n").getAsString() : "–");
    }

    private void ratioLine(String what, double setupA, double setupB, double teardownA, double teardownB) {
        out.printf("- %s: setup %s, teardown %s%n", what, ratio(setupA, setupB), ratio(teardownA, teardownB));
    }

    private static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "–";
        }
        double r = a / b;
        return r >= 10 ? String.format("%.0f×", r) : String.format("%.2f×", r);
    }

    private static double med(JsonObject o, String key) {
        JsonObject s = obj(o, key);
        return s.has("median") ? s.get("median").getAsDouble() : Double.NaN;
    }

    private static String ms(JsonObject stats, String key) {
        if (!stats.has(key)) {
            return "–";
        }
        double v = stats.get(key).getAsDouble();
        return v < 10 ? String.format("%.2f", v) : String.format("%.1f", v);
    }
}
