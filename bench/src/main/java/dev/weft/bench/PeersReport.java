package dev.weft.bench;

import static dev.weft.bench.PeerJson.at;
import static dev.weft.bench.PeerJson.cell;
import static dev.weft.bench.PeerJson.cellOrDash;
import static dev.weft.bench.PeerJson.checks;
import static dev.weft.bench.PeerJson.fmt;
import static dev.weft.bench.PeerJson.growth;
import static dev.weft.bench.PeerJson.integer;
import static dev.weft.bench.PeerJson.median;
import static dev.weft.bench.PeerJson.num0;
import static dev.weft.bench.PeerJson.num;
import static dev.weft.bench.PeerJson.ratio;
import static dev.weft.bench.PeerJson.str;
import static dev.weft.bench.PeerJson.sum;
import static dev.weft.bench.PeerJson.version;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Markdown report of {@code bench/run-peers.sh}: reads the JSON that {@link PeerPatternBench},
 * the peers' scripts ({@code cni.json}, {@code netavark.json}, {@code docker.json}, written by
 * anchorlib's {@code save_json}), {@link DataplaneBench} and the script itself ({@code meta.json})
 * left in one directory, with {@code weft-cli.json} ({@code bench/run-cli.sh}: the same steps through
 * {@code ./weft}, the user's path), and prints one table per measure with the ratio peer ÷ Weft, then the
 * verdicts of issue 4's targets. A missing file (a peer that failed) shows as "failed".
 *
 * <pre>PeersReport DIR</pre>
 */
public final class PeersReport {
    private final JsonObject weft, weftCli, cni, netavark, docker, dataplane, meta;
    private final StringBuilder out = new StringBuilder();

    private PeersReport(Path dir) throws IOException {
        weft = read(dir.resolve("weft.json"));
        weftCli = read(dir.resolve("weft-cli.json"));
        cni = read(dir.resolve("cni.json"));
        netavark = read(dir.resolve("netavark.json"));
        docker = read(dir.resolve("docker.json"));
        dataplane = read(dir.resolve("dataplane.json"));
        meta = read(dir.resolve("meta.json"));
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PeersReport DIR (holding weft.json, cni.json, netavark.json, docker.json, "
                    + "dataplane.json, meta.json)");
            System.exit(2);
        }
        PeersReport r = new PeersReport(Path.of(args[0]));
        r.render();
        System.out.print(r.out);
    }

    private static JsonObject read(Path file) throws IOException {
        return Files.exists(file) ? JsonParser.parseString(Files.readString(file)).getAsJsonObject() : null;
    }

    private void line(String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private void render() {
        header();
        latency();
        scale();
        many();
        dataplane();
        targets();
        notes();
    }

    private void header() {
        line("# Weft against CNI, netavark and Docker (issue 4), in one run");
        line("");
        if (meta != null) {
            line("%s; kernel %s; %s cores; load average %s at the start, %s at the end. Command: `%s`.",
                    str(meta, "date"), str(meta, "kernel"), str(meta, "cores"), str(meta, "load_start"),
                    str(meta, "load_end"), str(meta, "command"));
            line("");
        }
        line("| side | what | version |");
        line("|---|---|---|");
        line("| Weft | %s | %s |", "bridge driver through the Controller API (in process: Standalone)",
                weft == null ? "failed" : str(weft, "version"));
        line("| Weft, the user's path | %s | %s |", "the same through `./weft` against a running runtime on a private "
                + "instance (`bench/run-cli.sh`)", weftCli == null ? "failed" : str(weftCli, "version"));
        line("| CNI | bridge + host-local, then portmap (spawned per the CNI spec) | %s |", version(cni));
        line("| netavark | `netavark setup/teardown` (bridge, 1 port) | %s |", version(netavark));
        line("| Docker | `docker` CLI against its own dockerd (20.10, libnetwork) | %s |", version(docker));
        line("");
    }

    /** A row: Weft's, CNI's, netavark's and Docker's cells and the three median ratios. */
    private void row(String what, String w, String c, String n, String d) {
        row(weft, what, w, c, n, d);
    }

    /** A row with Weft's cell from {@code side}: in process ({@link #weft}) or through {@code ./weft}. */
    private void row(JsonObject side, String what, String w, String c, String n, String d) {
        double wm = median(side, w);
        line("| %s | %s | %s | %s | %s | %s | %s | %s |", what, cellOrDash(side, w), cellOrDash(cni, c),
                cellOrDash(netavark, n), cellOrDash(docker, d), c == null ? "" : ratio(median(cni, c), wm),
                n == null ? "" : ratio(median(netavark, n), wm), d == null ? "" : ratio(median(docker, d), wm));
    }

    private void latency() {
        int nLat = weft == null ? 0 : (int) num(weft, "latency.setup_ms.n");
        line("## One sandbox, repeated %s times: median / p99 in ms", nLat > 0 ? nLat : "N_LAT");
        line("");
        line("p99 by nearest rank: with fewer than 100 samples it is the maximum (the peers' scripts record min, "
                + "median and max only, so their column shows the maximum). Ratios are of medians.");
        line("");
        line("| step | Weft | CNI | netavark | Docker | CNI ÷ Weft | netavark ÷ Weft | Docker ÷ Weft |");
        line("|---|--:|--:|--:|--:|--:|--:|--:|");
        row("setup, one published port (Weft: namespace included; CNI/netavark: without `ip netns add`; "
                + "Docker: `run -d -p`, a whole container)", "latency.setup_ms", "latency.cni_ADD_chain_ms",
                "latency.setup_ms", "latency.run_d_bridge_p_ms");
        line("| `ip netns add` + lo up, timed apart by the peers' scripts | included | %s | %s | n/a | | | |",
                cell(cni, "latency.netns_add_ms"), cell(netavark, "latency.netns_add_ms"));
        double wSetup = median(weft, "latency.setup_ms");
        line("| setup + `ip netns add` (sum of medians) | %s | %s | %s | | %s | %s | |", fmt(wSetup),
                fmt(sum(cni, "latency.cni_ADD_chain_ms", "latency.netns_add_ms")),
                fmt(sum(netavark, "latency.setup_ms", "latency.netns_add_ms")),
                ratio(sum(cni, "latency.cni_ADD_chain_ms", "latency.netns_add_ms"), wSetup),
                ratio(sum(netavark, "latency.setup_ms", "latency.netns_add_ms"), wSetup));
        row("teardown (Weft: `removeSandbox` on the user's path, namespace deletion included; CNI: DEL chain; "
                + "netavark: teardown; Docker: `rm -f`)", "latency.teardown_ms", "latency.cni_DEL_chain_ms",
                "latency.teardown_ms", "latency.rm_f_bridge_ms");
        line("| `ip netns del`, timed apart by the peers' scripts | included | %s | %s | n/a | | | |",
                cell(cni, "latency.netns_del_ms"), cell(netavark, "latency.netns_del_ms"));
        double wTear = median(weft, "latency.teardown_ms");
        line("| teardown + `ip netns del` (sum of medians) | %s | %s | %s | | %s | %s | |", fmt(wTear),
                fmt(sum(cni, "latency.cni_DEL_chain_ms", "latency.netns_del_ms")),
                fmt(sum(netavark, "latency.teardown_ms", "latency.netns_del_ms")),
                ratio(sum(cni, "latency.cni_DEL_chain_ms", "latency.netns_del_ms"), wTear),
                ratio(sum(netavark, "latency.teardown_ms", "latency.netns_del_ms"), wTear));
        row("connect a running sandbox to a second network", "latency.connect_ms", null, null,
                "latency.network_connect_ms");
        row("disconnect it", "latency.disconnect_ms", null, null, "latency.network_disconnect_ms");
        if (weftCli != null) { // the same steps as people run them: bash, the C client, a Karaf session
            row(weftCli, "**the user's path**: setup through `./weft sandbox:create -p` (namespace included)",
                    "latency.setup_ms", "latency.cni_ADD_chain_ms", "latency.setup_ms", "latency.run_d_bridge_p_ms");
            row(weftCli, "**the user's path**: teardown through `./weft sandbox:remove` (returns once the namespace "
                    + "is gone)", "latency.teardown_ms", "latency.cni_DEL_chain_ms", "latency.teardown_ms",
                    "latency.rm_f_bridge_ms");
            row(weftCli, "**the user's path**: `./weft network:connect`", "latency.connect_ms", null, null,
                    "latency.network_connect_ms");
            row(weftCli, "**the user's path**: `./weft network:disconnect`", "latency.disconnect_ms", null, null,
                    "latency.network_disconnect_ms");
            line("| `./weft network:list`, the CLI's floor (bash + C client + Karaf session) | %s | | | | | | |",
                    cell(weftCli, "cli_floor_ms"));
        }
        if (docker != null) {
            double net = median(docker, "latency.run_d_bridge_p_ms") - median(docker, "latency.run_d_none_ms");
            double netRm = median(docker, "latency.rm_f_bridge_ms") - median(docker, "latency.rm_f_none_ms");
            line("| Docker's networking share of setup: `run -d -p` − `run -d --network none` (medians; "
                    + "none: %s) | | | | %s | | | %s |", cell(docker, "latency.run_d_none_ms"), fmt(net),
                    ratio(net, wSetup));
            line("| Docker's networking share of teardown: `rm -f` − `rm -f` of a `--network none` container "
                    + "(none: %s) | | | | %s | | | %s |", cell(docker, "latency.rm_f_none_ms"), fmt(netRm),
                    ratio(netRm, wTear));
            line("| Docker CLI floor: `docker version` (exec + one API call) | | | | %s | | | |",
                    cell(docker, "cli_floor_version_ms"));
        }
        line("");
        if (weft != null && at(weft, "latency.quiet") != null) {
            line("Weft, the same steps each timed after the background work of the previous ones (namespace, veth, "
                    + "conntrack deletes) had finished, a diagnostic of how much of the above is contention with it: "
                    + "setup %s, teardown %s, connect %s, disconnect %s (median / p99 ms).",
                    cell(weft, "latency.quiet.setup_ms"), cell(weft, "latency.quiet.teardown_ms"),
                    cell(weft, "latency.quiet.connect_ms"), cell(weft, "latency.quiet.disconnect_ms"));
            line("");
        }
        if (weft != null) {
            line("Weft ran %s unmeasured iterations of each loop first (a daemon is warm; so is dockerd); its very "
                    + "first setup in a fresh JVM took %s ms. Background work (namespace, veth, conntrack deletes) "
                    + "left after the loops "
                    + "drained in %s and %s ms (not on the user's path).", str(weft, "latency.warmup"),
                    fmt(num(weft, "latency|first_setup_ms(cold JVM)")),
                    fmt(num(weft, "latency.background_drain_after_setup_loop_ms")),
                    fmt(num(weft, "latency.background_drain_after_connect_loop_ms")));
            line("");
        }
    }

    // ---- N sandboxes

    private void scale() {
        int n = weft == null ? 0 : (int) num(weft, "scale.n");
        line("## %s sandboxes on one network, one published port each", n > 0 ? n : "N_SCALE");
        line("");
        line("| measure | Weft | CNI | netavark | Docker | CNI ÷ Weft | netavark ÷ Weft | Docker ÷ Weft |");
        line("|---|--:|--:|--:|--:|--:|--:|--:|");
        total("total time, ms (namespaces included; Docker: `docker run -d -p` each)", "scale.total_ms_incl_netns",
                "scale.total_ms_incl_netns", "scale.total_ms_incl_netns", "scale.total_ms");
        line("| of which without namespace creation, ms | | %s | %s | | | | |",
                fmt(num(cni, "scale.total_ms_ADD_only")), fmt(num(netavark, "scale.setup_total_ms")));
        row("per-sandbox setup, 1st–10th: median / max", "scale.setup_1_10", "scale.ADD_1_10", "scale.setup_1_10",
                "scale.run_1_10");
        row("per-sandbox setup, last 10: median / max", "scale.setup_last10", "scale.ADD_last10",
                "scale.setup_last10", "scale.run_last10");
        line("| growth: last 10 ÷ first 10 (medians) | %s | %s | %s | %s | | | |",
                growth(weft, "scale.setup_1_10", "scale.setup_last10"), growth(cni, "scale.ADD_1_10", "scale.ADD_last10"),
                growth(netavark, "scale.setup_1_10", "scale.setup_last10"),
                growth(docker, "scale.run_1_10", "scale.run_last10"));
        line("| `nft list ruleset \\| wc -l`: before → with all of them | %s → %s | %s → %s | %s → %s | %s → %s | | | |",
                integer(weft, "scale.baseline_nft_lines"), integer(weft, "scale.nft_ruleset_lines"),
                integer(cni, "scale.baseline_nft_lines"), integer(cni, "scale.nft_ruleset_lines"),
                integer(netavark, "scale.baseline_nft_lines"), integer(netavark, "scale.nft_ruleset_lines"),
                integer(docker, "scale.baseline_nft_lines_before_dockerd"), integer(docker, "scale.nft_ruleset_lines"));
        line("| the same without set/map elements (`nft -t`) | %s → %s | | | | | | |",
                integer(weft, "scale.baseline_nft_lines_no_elements"), integer(weft, "scale.nft_ruleset_lines_no_elements"));
        line("| extra processes | none | none | none | %s `docker-proxy` | | | |", integer(docker, "scale.docker_proxy_processes"));
        total("teardown of all, ms (Weft: user's path; peers: DEL/teardown + `ip netns del`; Docker: `rm -f`)",
                "scale.teardown_total_ms_incl_netns", "scale.DEL_total_ms_incl_netns",
                "scale.teardown_total_ms_incl_netns", "scale.rm_total_ms");
        row("per-sandbox teardown, first 10 (all present): median / max", "scale.teardown_first10",
                "scale.DEL_first10", "scale.teardown_first10", "scale.rm_first10");
        row("per-sandbox teardown, last 10: median / max", "scale.teardown_last10", "scale.DEL_last10",
                "scale.teardown_last10", "scale.rm_last10");
        line("| connectivity checks passed (all present) | %s | %s | %s | %s | | | |", checks(weft), checks(cni),
                checks(netavark), checks(docker));
        line("");
        if (weft != null) {
            line("Weft's background work (namespace, veth, conntrack deletes) after the teardown drained %s ms "
                    + "later; its ruleset had "
                    + "%s lines after all removals.", fmt(num(weft, "scale.background_drain_ms")),
                    integer(weft, "scale.nft_lines_after_all_teardown"));
            line("");
        }
    }

    private void total(String what, String w, String c, String n, String d) {
        double wt = num0(weft, w);
        line("| %s | %s | %s | %s | %s | %s | %s | %s |", what, fmt(wt), fmt(num0(cni, c)), fmt(num0(netavark, n)),
                fmt(num0(docker, d)), ratio(num0(cni, c), wt), ratio(num0(netavark, n), wt), ratio(num0(docker, d), wt));
    }

    // ---- Weft alone, many

    private void many() {
        if (weft == null || at(weft, "many") == null) {
            return;
        }
        int n = (int) num(weft, "many.n");
        line("## Weft alone: %d sandboxes over %s bridges, one published port each", n, integer(weft, "many.bridges"));
        line("");
        line("| measure | Weft |");
        line("|---|--:|");
        line("| total, ms (namespaces included) | %s (%s per sandbox) |", fmt(num(weft, "many.total_ms_incl_netns")),
                fmt(num(weft, "many.total_ms_incl_netns") / n));
        line("| per-sandbox setup, 1st–10th: median / max | %s |", cell(weft, "many.setup_1_10"));
        line("| per-sandbox setup, %d–%d: median / max | %s |", n - 9, n, cell(weft, "many.setup_last10"));
        line("| growth: last 10 ÷ first 10 (medians) | %s |", growth(weft, "many.setup_1_10", "many.setup_last10"));
        line("| `nft -t list ruleset \\| wc -l` with all of them (four networks more than above) | %s |",
                integer(weft, "many.nft_ruleset_lines_no_elements"));
        line("| removal of all, user's path, ms | %s; background deletes drained %s ms later |",
                fmt(num(weft, "many.teardown_total_ms_incl_netns")), fmt(num(weft, "many.background_drain_ms")));
        line("");
    }

    // ---- iperf3

    private void dataplane() {
        line("## iperf3: sandbox → sandbox TCP over one bridge (1 stream, receiver Gbit/s)");
        line("");
        if (dataplane == null) {
            line("**failed** (no dataplane.json: see the script's stderr)");
            line("");
            return;
        }
        line("%s, %s s per run, %s rounds, order rotated each round. Each path in its own throwaway host namespace "
                + "(test kit), bridge-nf-call-iptables: %s.", str(dataplane, "iperf3"), str(dataplane, "seconds"),
                str(dataplane, "rounds"), dataplane.get("bridge_nf_call_iptables"));
        line("");
        line("| path | runs, Gbit/s | median | retransmits |");
        line("|---|---|--:|---|");
        dpRow("Weft: network made by Weft's runtime, its nf_tables in force", "weft");
        dpRow("baseline: bridge + veths by hand, conntrack on (one `ct state` rule in a forward chain)", "baseline");
        dpRow("bare: the same bridge, no table (no conntrack), for reference", "bare");
        line("");
        line("Weft ÷ baseline: **%s**; baseline ÷ bare: %s.", str(dataplane, "ratio_weft_to_baseline"),
                str(dataplane, "ratio_baseline_to_bare"));
        line("");
    }

    private void dpRow(String what, String key) {
        line("| %s | %s | %s | %s |", what, at(dataplane, key + ".gbps"), fmt(num(dataplane, key + ".median_gbps")),
                at(dataplane, key + ".retransmits"));
    }

    // ---- verdicts

    private void targets() {
        line("## Issue 4's targets, for Weft");
        line("");
        line("| target | Weft | verdict |");
        line("|---|--:|---|");
        if (weft != null) {
            verdict("setup median ≤ 5 ms (one published port, namespace included)", median(weft, "latency.setup_ms"), 5,
                    " ms");
            verdict("connect median ≤ 2 ms", median(weft, "latency.connect_ms"), 2, " ms");
            verdict("teardown on the user's path, median ≤ 10 ms", median(weft, "latency.teardown_ms"), 10, " ms");
            verdict(integer(weft, "scale.n") + " sandboxes ≤ 1 s (total)", num(weft, "scale.total_ms_incl_netns"),
                    1000, " ms");
            verdict("per-sandbox time flat ≤ 1.1× (last 10 ÷ first 10, " + integer(weft, "scale.n") + ")",
                    median(weft, "scale.setup_last10") / median(weft, "scale.setup_1_10"), 1.1, "×");
            if (at(weft, "many") != null) {
                verdict("per-sandbox time flat ≤ 1.1× (last 10 ÷ first 10, " + integer(weft, "many.n") + ")",
                        median(weft, "many.setup_last10") / median(weft, "many.setup_1_10"), 1.1, "×");
            }
            double t0 = num(weft, "scale.baseline_nft_lines_no_elements"), tn = num(weft, "scale.nft_ruleset_lines_no_elements");
            line("| ruleset constant in endpoints (`nft -t` lines: none → %s sandboxes) | %s → %s | %s |",
                    integer(weft, "scale.n"), (long) t0, (long) tn, t0 == tn ? "met" : "**not met**");
        }
        if (dataplane != null) {
            double r = num(dataplane, "ratio_weft_to_baseline");
            line("| throughput ≥ 0.95 of the baseline | %.3f | %s |", r, r >= 0.95 ? "met" : "**not met**");
        }
        line("");
    }

    private void verdict(String what, double value, double target, String unit) {
        String v = unit.equals("×") ? String.format(Locale.ROOT, "%.2f×", value) : fmt(value) + unit;
        line("| %s | %s | %s |", what, v, Double.isNaN(value) ? "n/a" : value <= target ? "met" : "**not met**");
    }

    private void notes() {
        List<String> notes = new ArrayList<>();
        notes.add("Weft runs in-process (the Controller API, as the daemon's shell or socket would call it) inside a "
                + "throwaway host namespace of the test kit; the peers are spawned tools (CNI, netavark) or a CLI "
                + "talking to a daemon (Docker) in the machine's own namespace, as their users run them.");
        notes.add("Weft's setup and teardown include creating and deleting the sandbox's namespace; the CNI and "
                + "netavark figures exclude `ip netns add/del` (their rows are there to add). Docker's include a "
                + "whole container (runc, overlay) and its CLI: its networking share is the difference row.");
        notes.add("CNI and netavark have no connect/disconnect of a running sandbox of their own (a runtime calls "
                + "ADD/setup again with another network): n/a.");
        notes.add("Connectivity: Weft runs the peers' checks but one: its host namespace has no address apart from "
                + "the bridge's, so \"host address\" and \"gateway\" are one check.");
        notes.add("The peers' teardown in the one-sandbox loop is of the network's only sandbox: netavark then also "
                + "removes its bridge and rules. Weft's network stays (it is removed by removeNetwork).");
        notes.add("Weft's `nft list ruleset` counts its own host namespace (its table only); the peers' count the "
                + "machine's namespace, whose ruleset was empty before each peer (iptables-nft tables appear as "
                + "they run).");
        if (meta != null && meta.has("leftovers")) {
            notes.add("After the run: " + str(meta, "leftovers"));
        }
        if (meta != null && meta.has("failures")) {
            notes.add("Failures: " + str(meta, "failures"));
        }
        line("## Notes");
        line("");
        for (String n : notes) {
            line("- %s", n);
        }
    }
}
