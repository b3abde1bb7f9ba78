package dev.weft.bench;

import static dev.weft.bench.ReportJson.obj;
import static dev.weft.bench.ReportJson.str;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Markdown report of {@code bench/run-dns.sh}, from the JSON files it leaves in one directory:
 * {@code inproc.json} ({@link DnsBench}: Weft in process and aardvark-dns), {@code cli.json} (Weft
 * through {@code ./weft}, when that part ran) and {@code meta.json}. A missing figure shows as "–".
 *
 * <pre>DnsReport DIR</pre>
 */
public final class DnsReport {
    static final String WEFT = "weft";
    static final String AARDVARK = "aardvark-dns";
    private final PrintStream out;

    private DnsReport(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: DnsReport DIR (holding inproc.json, cli.json, meta.json)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        new DnsReport(out).print(read(dir.resolve("meta.json")), read(dir.resolve("inproc.json")), read(dir.resolve("cli.json")));
    }

    private static JsonObject read(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (Exception e) {
            return new JsonObject();
        }
    }

    /** A column of the table: one target's figures. */
    private record Column(String title, JsonObject o) {
    }

    private void print(JsonObject meta, JsonObject in, JsonObject cli) {
        JsonObject targets = obj(in, "targets");
        JsonObject weft = obj(targets, WEFT);
        JsonObject own = obj(targets, DnsWeftProcess.LABEL);
        JsonObject aard = obj(targets, AARDVARK);
        JsonObject params = obj(in, "parameters");
        out.println("# Embedded DNS (issue 12): Weft against aardvark-dns");
        out.println();
        out.printf("%s, commit %s; kernel %s, %s cores; load average %s at the start, %s at the end; %s; %s; %s.%n",
                str(meta, "date"), str(meta, "commit"), str(meta, "kernel"), str(meta, "cores"), str(meta, "load_start"),
                str(meta, "load_end"), str(in, "version"), str(obj(aard, "about"), "aardvark"), str(obj(aard, "about"), "netavark"));
        out.printf("Command: `%s`.%n", str(meta, "command"));
        out.println();
        List<Column> cols = new ArrayList<>();
        cols.add(new Column("Weft, in process", weft));
        cols.add(new Column("Weft, own JVM", own));
        cols.add(new Column("Weft, through `./weft`", cli));
        cols.add(new Column("aardvark-dns 1.4 (netavark 1.4)", aard));
        out.println("## Figures");
        out.println();
        out.print("| figure |");
        cols.forEach(c -> out.print(" " + c.title() + " |"));
        out.println(" in process ÷ aardvark | own JVM ÷ aardvark | `./weft` ÷ aardvark | target |");
        out.print("|---|");
        cols.forEach(c -> out.print("--:|"));
        out.println("--:|--:|--:|---|");
        String lat = "one client, sequential, " + num(params, "latency_queries") + " in 2 blocks, each after "
                + num(params, "warmup") + " unmeasured";
        String qps = num(params, "clients") + " sandboxes × " + num(params, "inflight") + " in flight, median of "
                + num(params, "qps_rounds") + " × " + num(params, "qps_seconds") + " s";
        row(cols, "local name, p50 (ms; " + lat + ")", o -> d(o, "local_latency", "ms", "median"), false, "");
        row(cols, "local name, p99 (ms)", o -> d(o, "local_latency", "ms", "p99"), false, "≤ 1 ms");
        row(cols, "local name, queries/s (" + qps + ")", o -> d(o, "local_qps", "median_qps"), true, "≥ aardvark");
        row(cols, "local name under that load, p50 / p99 (ms)", o -> pair(o, "local_qps"), null, "");
        row(cols, "forwarded name, p50 (ms)", o -> d(o, "forwarded_latency", "ms", "median"), false, "");
        row(cols, "forwarded name, p99 (ms)", o -> d(o, "forwarded_latency", "ms", "p99"), false, "");
        row(cols, "forwarded name, queries/s", o -> d(o, "forwarded_qps", "median_qps"), true, "");
        row(cols, "forwarded under that load, p50 / p99 (ms)", o -> pair(o, "forwarded_qps"), null, "");
        row(cols, "create → resolvable: rounds whose first query resolved", o -> firsts(o, "create_to_resolvable"), null,
                "all (0 ms gap)");
        row(cols, "create → resolvable: gap median / max (ms)", o -> gaps(o, "create_to_resolvable", "gap_ms"), null, "0");
        row(cols, "create → resolvable: answer in hand, median / max (ms after the return)",
                o -> gaps(o, "create_to_resolvable", "answer_ms"), null, "");
        row(cols, "remove → gone: rounds whose first query no longer resolved", o -> firsts(o, "remove_to_gone"), null, "");
        row(cols, "remove → gone: gap median / max (ms)", o -> gaps(o, "remove_to_gone", "gap_ms"), null, "");
        out.println();
        out.println("Latency: from the query's send to its answer's receipt, in the asking sandbox's thread; p99 by nearest rank. "
                + "Queries/s: answers with the expected address counted in the window, closed loop. Gap: 0 when the very "
                + "first query after the command returned resolved (or, for remove, no longer did), else the time from the "
                + "return to the send of the first query that did; queries are sent one after the other with no pause, the "
                + "next one when an answer did not resolve or none came within 10 ms (an answer to any of the round's queries "
                + "counts, also a late one). Weft ÷ aardvark: for times lower is better, for queries/s higher is better. "
                + "In process: Weft's runtime and DNS server in the bench's JVM, beside the load generator and the stand-in; "
                + "own JVM: the same in a child JVM (as aardvark is a process of its own), the load generator in the bench's; "
                + "`./weft`: a private instance of the distribution (Karaf, the weft-dns feature), sandboxes made with "
                + "`./weft sandbox:create`.");
        out.println();
        out.println("## Details");
        out.println();
        for (Column c : cols) {
            if (c.o().size() == 0) {
                continue;
            }
            out.println("**" + c.title() + "**");
            out.println();
            for (String key : List.of("create_to_resolvable", "remove_to_gone")) {
                JsonObject r = obj(c.o(), key);
                if (r.size() > 0) {
                    out.printf("- %s: %s rounds, first query ok in %s, reached in %s; %s queries (at most %s in a round): "
                            + "%s NXDOMAIN, %s NOERROR without the address, %s waits of 10 ms without an answer, %s answers "
                            + "that came after such a wait, %s refused (ICMP port unreachable); gaps (ms) %s%n", str(r, "what"), str(r, "rounds"), str(r, "first_query_ok"),
                            str(r, "reached"), str(r, "queries"), str(r, "max_queries_in_a_round"), str(r, "nxdomain"),
                            str(r, "noerror_without_the_address"), str(r, "timeouts_10ms"), str(r, "answers_after_10ms"),
                            str(r, "refused"),
                            r.has("gaps_ms_each") ? r.get("gaps_ms_each").toString() : "–");
                }
            }
            for (String key : List.of("local_latency", "forwarded_latency")) {
                JsonObject r = obj(c.o(), key);
                if (r.size() > 0) {
                    out.printf("- %s: A %s → %s; first answer `%s`; %s; %s timeouts (1 s), %s refused, %s wrong answers%n",
                            key.replace('_', ' '), str(r, "name"), str(r, "expect"), str(r, "first_answer"),
                            obj(r, "ms"), str(r, "timeouts_1s"), str(r, "refused"), str(r, "wrong_answers"));
                }
            }
            for (String key : List.of("local_qps", "forwarded_qps")) {
                JsonObject r = obj(c.o(), key);
                if (r.has("rounds")) {
                    List<String> each = new ArrayList<>();
                    long wrong = 0, timeouts = 0, refused = 0;
                    for (JsonElement e : r.getAsJsonArray("rounds")) {
                        JsonObject x = e.getAsJsonObject();
                        each.add(str(x, "qps"));
                        wrong += x.get("wrong_answers").getAsLong();
                        timeouts += x.get("timeouts_200ms").getAsLong();
                        refused += x.get("refused").getAsLong();
                    }
                    out.printf("- %s: rounds %s; %d wrong answers, %d timeouts (200 ms), %d refused%n", key.replace('_', ' '),
                            each, wrong, timeouts, refused);
                }
            }
            JsonObject about = obj(c.o(), "about");
            for (Map.Entry<String, JsonElement> e : about.entrySet()) {
                out.printf("- %s: %s%n", e.getKey().replace('_', ' '), e.getValue());
            }
            if (c.o().has("ready")) {
                out.printf("- ready after populating: %s%n", c.o().get("ready"));
            }
            out.println();
        }
        List<String> notes = new ArrayList<>();
        if (in.has("weft_missing")) {
            notes.add("Weft in process: not measured: " + str(in, "weft_missing") + ".");
        }
        if (cli.size() == 0 || cli.has("skipped")) {
            notes.add("Weft through `./weft`: not measured" + (cli.has("skipped") ? ": " + str(cli, "skipped") : "") + ".");
        }
        for (String k : in.keySet()) {
            if (k.startsWith("cleanup_")) {
                notes.add("clean-up of " + k.substring(8) + " failed: " + str(in, k));
            }
        }
        if (meta.has("failures")) {
            notes.add("failed parts: " + str(meta, "failures"));
        }
        notes.add("Left behind: " + str(meta, "leftovers") + ".");
        notes.forEach(n -> out.println("- " + n));
        out.println();
    }

    /** One row: each column's figure, then Weft (in process) ÷ aardvark (a pair gets no ratio when {@code higherBetter} is null). */
    private void row(List<Column> cols, String label, Function<JsonObject, Object> f, Boolean higherBetter, String target) {
        out.print("| " + label + " |");
        for (Column c : cols) {
            Object v = c.o().size() == 0 ? null : f.apply(c.o());
            out.print(" " + fmt(v) + " |");
        }
        Column aardvark = cols.get(cols.size() - 1);
        out.println(" " + ratio(cols.get(0), aardvark, f, higherBetter) + " | " + ratio(cols.get(1), aardvark, f, higherBetter)
                + " | " + ratio(cols.get(2), aardvark, f, higherBetter) + " | " + target + " |");
    }

    private static String ratio(Column weft, Column aardvark, Function<JsonObject, Object> f, Boolean higherBetter) {
        if (higherBetter == null || weft.o().size() == 0 || aardvark.o().size() == 0) {
            return "";
        }
        Object w = f.apply(weft.o());
        Object a = f.apply(aardvark.o());
        if (w instanceof Double wd && a instanceof Double ad && !wd.isNaN() && !ad.isNaN() && ad != 0) {
            return String.format("%.2f", wd / ad);
        }
        return "";
    }

    private static Object pair(JsonObject o, String key) {
        JsonObject r = obj(o, key);
        if (!r.has("rounds")) {
            return null;
        }
        // the round with the median qps
        JsonArray rounds = r.getAsJsonArray("rounds");
        List<JsonObject> list = new ArrayList<>();
        rounds.forEach(e -> list.add(e.getAsJsonObject()));
        list.sort((x, y) -> Long.compare(x.get("qps").getAsLong(), y.get("qps").getAsLong()));
        JsonObject m = obj(list.get(list.size() / 2), "latency_under_load_ms");
        return m.has("median") ? fmt(m.get("median").getAsDouble()) + " / " + fmt(m.get("p99").getAsDouble()) : null;
    }

    private static Object firsts(JsonObject o, String key) {
        JsonObject r = obj(o, key);
        return r.has("rounds") ? str(r, "first_query_ok") + " of " + str(r, "rounds")
                + (r.get("reached").getAsInt() < r.get("rounds").getAsInt() ? " (" + str(r, "reached") + " reached)" : "") : null;
    }

    private static Object gaps(JsonObject o, String key, String which) {
        JsonObject r = obj(obj(o, key), which);
        return r.has("median") ? fmt(r.get("median").getAsDouble()) + " / " + fmt(r.get("max").getAsDouble()) : null;
    }

    private static Double d(JsonObject o, String... path) {
        JsonElement e = o;
        for (String p : path) {
            if (e == null || !e.isJsonObject() || !e.getAsJsonObject().has(p)) {
                return Double.NaN;
            }
            e = e.getAsJsonObject().get(p);
        }
        return e.isJsonPrimitive() ? e.getAsDouble() : Double.NaN;
    }

    private static String fmt(Object v) {
        if (v == null) {
            return "–";
        }
        if (v instanceof Double x) {
            if (x.isNaN()) {
                return "–";
            }
            if (x >= 1000) {
                return String.format("%,.0f", x);
            }
            return x < 10 ? String.format("%.3f", x) : String.format("%.1f", x);
        }
        return v.toString();
    }

    private static String num(JsonObject o, String key) {
        return str(o, key);
    }
}
