package dev.weft.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Reading a benchmark's JSON back for its report: absent values print as a dash, never fail. */
final class ReportJson {
    private ReportJson() {
    }

    /** The object under {@code key}, or an empty one. */
    static JsonObject obj(JsonObject o, String key) {
        return o != null && o.has(key) && o.get(key).isJsonObject() ? o.getAsJsonObject(key) : new JsonObject();
    }

    /** The value under {@code key} as text (a primitive as it is, anything else as JSON), or "–". */
    static String str(JsonObject o, String key) {
        if (o == null || !o.has(key) || o.get(key).isJsonNull()) {
            return "–";
        }
        JsonElement e = o.get(key);
        return e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }
}
