package dev.weft.dockerapi.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code filters} query parameter as moby's {@code api/types/filters} reads it: a JSON object of
 * keys to values, each key's values as an object {@code {"bridge": true}} (what clients send) or as
 * an array {@code ["bridge"]} (the form before API 1.22), and its matching rules.
 */
final class Filters {
    private final Map<String, List<String>> values;

    private Filters(Map<String, List<String>> values) {
        this.values = values;
    }

    static final Filters NONE = new Filters(Map.of());

    /** Parses {@code filters}; absent or empty is no filter. Only {@code accepted} keys are taken. */
    static Filters parse(String text, Set<String> accepted) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        JsonElement element;
        try {
            element = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw ApiException.badRequest("invalid filter: filters=" + text + " is not JSON; expected an object like "
                    + "{\"driver\":{\"bridge\":true}}");
        }
        if (!element.isJsonObject()) {
            throw ApiException.badRequest("invalid filter: filters=" + text + " is not a JSON object; expected an "
                    + "object like {\"driver\":{\"bridge\":true}}");
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : ((JsonObject) element).entrySet()) {
            List<String> list = new ArrayList<>();
            JsonElement v = e.getValue();
            if (v.isJsonObject()) {
                list.addAll(v.getAsJsonObject().keySet());
            } else if (v.isJsonArray()) {
                v.getAsJsonArray().forEach(x -> list.add(x.isJsonPrimitive() ? x.getAsString() : x.toString()));
            } else {
                throw ApiException.badRequest("invalid filter: the values of '" + e.getKey() + "' are " + v
                        + "; expected an object like {\"" + e.getKey() + "\":{\"VALUE\":true}}");
            }
            values.put(e.getKey(), list);
        }
        for (String key : values.keySet()) {
            if (!accepted.contains(key)) {
                throw ApiException.badRequest("invalid filter '" + key + "'");
            }
        }
        return new Filters(values);
    }

    boolean contains(String key) {
        return values.containsKey(key);
    }

    List<String> get(String key) {
        return values.getOrDefault(key, List.of());
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /** Moby's {@code ExactMatch}: no values for the key, or one of them equals {@code source}. */
    boolean exactMatch(String key, String source) {
        List<String> v = values.get(key);
        return v == null || v.isEmpty() || v.contains(source);
    }

    /**
     * Moby's {@code Match}: one of the key's values equals {@code source} or, taken as a regular
     * expression, is found in it ({@code name=web} matches {@code myweb1}; {@code id=3a4f} matches an
     * id that starts or contains it). A value that is no valid expression only matches exactly.
     */
    boolean match(String key, String source) {
        List<String> v = values.get(key);
        if (v == null || v.isEmpty()) {
            return true;
        }
        for (String value : v) {
            if (value.equals(source)) {
                return true;
            }
            try {
                if (Pattern.compile(value).matcher(source).find()) {
                    return true;
                }
            } catch (PatternSyntaxException e) {
                // only an exact match counts, as in moby
            }
        }
        return false;
    }

    /**
     * Moby's {@code MatchKVList}: every value ({@code KEY} or {@code KEY=VALUE}) of the key names a
     * label the map has (with that value).
     */
    boolean matchLabels(String key, Map<String, String> labels) {
        for (String value : get(key)) {
            int eq = value.indexOf('=');
            String k = eq < 0 ? value : value.substring(0, eq);
            if (!labels.containsKey(k) || eq >= 0 && !labels.get(k).equals(value.substring(eq + 1))) {
                return false;
            }
        }
        return true;
    }

    /** Moby's {@code label!}: no value ({@code KEY} or {@code KEY=VALUE}) names a label the map has. */
    boolean matchNoLabels(String key, Map<String, String> labels) {
        for (String value : get(key)) {
            int eq = value.indexOf('=');
            String k = eq < 0 ? value : value.substring(0, eq);
            if (labels.containsKey(k) && (eq < 0 || labels.get(k).equals(value.substring(eq + 1)))) {
                return false;
            }
        }
        return true;
    }

    /** The one value of a key that takes one, or null; several are refused as moby refuses them. */
    String single(String key) {
        List<String> v = get(key);
        if (v.size() > 1) {
            throw ApiException.badRequest("got more than one value for filter key \"" + key + "\": "
                    + new TreeSet<>(v));
        }
        return v.isEmpty() ? null : v.get(0);
    }
}
