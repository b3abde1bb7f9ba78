package dev.weft.shell.internal;

import com.google.gson.FormattingStyle;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.net.IpAddresses;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON output as {@code docker inspect} writes it: four-space indentation, no HTML escaping
 * ({@code =} and {@code <} stay as they are), map keys sorted (Go's encoder sorts them), times in
 * RFC 3339 UTC.
 */
final class Json {
    private static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .serializeNulls()
            .setFormattingStyle(FormattingStyle.PRETTY.withIndent("    "))
            .create();

    private Json() {}

    static String format(JsonElement element) {
        return GSON.toJson(element);
    }

    /** A string map as an object with sorted keys. */
    static JsonObject object(Map<String, String> map) {
        JsonObject o = new JsonObject();
        new TreeMap<>(map).forEach(o::addProperty);
        return o;
    }

    static String time(Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    /** An address as text, or "" for none (Docker's empty-string convention). */
    static String address(InetAddress a) {
        return a == null ? "" : IpAddresses.format(a);
    }

    /** toString(), or "" for null. */
    static String string(Object o) {
        return o == null ? "" : o.toString();
    }
}
