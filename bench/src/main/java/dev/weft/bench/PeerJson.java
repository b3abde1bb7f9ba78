package dev.weft.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Locale;
import java.util.Map;

/**
 * Reading the benchmark JSON for {@link PeersReport} and formatting its cells: a missing file is a
 * null object ("failed"), a missing value NaN ("n/a"). Sample summaries have {@code median} and
 * {@code p99} (Weft's) or {@code max} (anchorlib's {@code mmm}, which has no p99).
 */
final class PeerJson {
    private PeerJson() {
    }

    /** The value at a dotted path ("latency.setup_ms.median"), or NaN when any part is missing. */
    static double num(JsonObject o, String path) {
        JsonElement e = at(o, path);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsDouble()
                : e != null && e.isJsonPrimitive() ? parseOrNaN(e.getAsString()) : Double.NaN;
    }

    static double parseOrNaN(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String str(JsonObject o, String path) {
        JsonElement e = at(o, path);
        return e == null || !e.isJsonPrimitive() ? "?" : e.getAsString().strip();
    }

    static JsonElement at(JsonObject o, String path) {
        JsonElement e = o;
        // keys may hold dots, never "|": split on "|" when given, else on "."
        for (String key : path.contains("|") ? path.split("\\|") : path.split("\\.")) {
            if (e == null || !e.isJsonObject()) {
                return null;
            }
            e = e.getAsJsonObject().get(key);
        }
        return e;
    }

    /** "median / p99" of a sample summary (anchorlib's mmm has no p99: max stands for it; with n < 100 they agree). */
    static String cell(JsonObject o, String path) {
        if (o == null) {
            return "failed";
        }
        double median = num(o, path + ".median");
        if (Double.isNaN(median)) {
            return "n/a";
        }
        double p99 = num(o, path + ".p99");
        return fmt(median) + " / " + fmt(Double.isNaN(p99) ? num(o, path + ".max") : p99);
    }

    static String fmt(double ms) {
        if (Double.isNaN(ms)) {
            return "n/a";
        }
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f", ms) : ms >= 10 ? String.format(Locale.ROOT, "%.1f", ms)
                : String.format(Locale.ROOT, "%.2f", ms);
    }

    static String version(JsonObject o) {
        return o == null ? "**failed** (no JSON: see the script's stderr)" : str(o, "version");
    }

    static String ratio(double peer, double weft) {
        if (Double.isNaN(peer) || Double.isNaN(weft) || weft <= 0) {
            return "n/a";
        }
        double r = peer / weft;
        return r >= 10 ? String.format(Locale.ROOT, "%.0f×", r) : String.format(Locale.ROOT, "%.1f×", r);
    }

    static double num0(JsonObject o, String path) {
        return o == null ? Double.NaN : num(o, path);
    }

    static String growth(JsonObject o, String first, String last) {
        if (o == null) {
            return "failed";
        }
        double r = num(o, last + ".median") / num(o, first + ".median");
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f×", r);
    }

    static String integer(JsonObject o, String path) {
        double v = num0(o, path);
        return Double.isNaN(v) ? "n/a" : String.valueOf((long) v);
    }

    static double sum(JsonObject o, String a, String b) {
        return median(o, a) + median(o, b);
    }

    static String checks(JsonObject o) {
        if (o == null) {
            return "failed";
        }
        JsonElement e = at(o, o.has("connectivity") ? "connectivity" : "scale.connectivity");
        if (e == null || !e.isJsonObject()) {
            return "n/a";
        }
        int ok = 0, all = 0;
        for (Map.Entry<String, JsonElement> c : e.getAsJsonObject().entrySet()) {
            all++;
            if (c.getValue().getAsString().startsWith("pong")) {
                ok++;
            }
        }
        return ok + " of " + all;
    }

    static String cellOrDash(JsonObject o, String path) {
        return path == null ? "n/a" : cell(o, path);
    }

    static double median(JsonObject o, String path) {
        return o == null || path == null ? Double.NaN : num(o, path + ".median");
    }
}
