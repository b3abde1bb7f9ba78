package dev.weft.shell.internal;

import com.google.gson.FormattingStyle;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.List;

/**
 * JSON output as {@code docker inspect} writes it: four-space indentation, no HTML escaping
 * ({@code =} and {@code <} stay as they are), nulls written. The shapes themselves (ordered plain
 * values, map keys sorted as Go's encoder sorts them, times in RFC 3339 UTC) come from the API
 * bundle's {@code dev.weft.api.docker}, which the Engine API bundle shares.
 */
final class Json {
    private static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .serializeNulls()
            .setFormattingStyle(FormattingStyle.PRETTY.withIndent("    "))
            .create();

    private Json() {}

    /** A list of shapes as a JSON array. */
    static String format(List<?> shapes) {
        return GSON.toJson(shapes);
    }
}
