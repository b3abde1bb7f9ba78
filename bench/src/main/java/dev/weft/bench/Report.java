package dev.weft.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Prints the figures as Markdown tables: readable in a terminal, pasteable into bench/README.md. */
final class Report {
    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    void header(String title, List<String> lines) {
        out.println("## " + title);
        out.println();
        lines.forEach(out::println);
        out.println();
    }

    void table(List<Row> rows) {
        out.println("| step | Weft median | Weft p99 | n | spawned instead | median | p99 | n | spawned ÷ Weft | target (Weft median) |");
        out.println("|---|--:|--:|--:|---|--:|--:|--:|--:|---|");
        for (Row r : rows) {
            out.printf("| %s | %s | %s | %s | `%s` | %s | %s | %s | %s | %s |%n",
                    r.step(),
                    r.weft() == null ? "" : ms(r.weft().medianMs()),
                    r.weft() == null ? "" : ms(r.weft().p99Ms()),
                    r.weft() == null ? "" : r.weft().n(),
                    r.tool(),
                    r.spawn() == null ? "" : ms(r.spawn().medianMs()),
                    r.spawn() == null ? "" : ms(r.spawn().p99Ms()),
                    r.spawn() == null ? "" : r.spawn().n(),
                    r.weft() == null || r.spawn() == null ? ""
                            : String.format("%.0f×", r.spawn().medianMs() / r.weft().medianMs()),
                    target(r));
        }
        out.println();
        out.println("Times in ms. p99 is nearest-rank: with fewer than 100 samples it is the maximum.");
        out.println();
    }

    /** Sub-step medians of one composite step, with their share of the sum. */
    void breakdown(String title, Laps laps) {
        Map<String, Stats> steps = laps.byLabel();
        double total = steps.values().stream().mapToDouble(Stats::medianMs).sum();
        out.println("**" + title + "** (sum of medians " + ms(total) + " ms)");
        out.println();
        out.println("| sub-step | median | p99 | share |");
        out.println("|---|--:|--:|--:|");
        steps.forEach((label, s) -> out.printf("| %s | %s | %s | %.0f%% |%n",
                label, ms(s.medianMs()), ms(s.p99Ms()), 100 * s.medianMs() / total));
        out.println();
    }

    void notes(List<String> notes) {
        notes.forEach(n -> out.println("- " + n));
        if (!notes.isEmpty()) {
            out.println();
        }
    }

    private static String target(Row r) {
        if (Double.isNaN(r.target())) {
            return "";
        }
        double median = r.weft().medianMs();
        String goal = "≤ " + ms(r.target()) + (Double.isNaN(r.stretch()) ? "" : " (stretch ≤ " + ms(r.stretch()) + ")");
        String verdict = median <= r.target()
                ? (Double.isNaN(r.stretch()) || median <= r.stretch() ? "met" : "met, stretch missed")
                : "MISSED";
        return goal + ": " + verdict;
    }

    private static String ms(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return v < 10 ? String.format("%.3f", v) : String.format("%.1f", v);
    }
}
