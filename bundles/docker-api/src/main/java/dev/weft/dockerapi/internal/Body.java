package dev.weft.dockerapi.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON object of a request body, read field by field with the checks Go's decoder makes: a
 * field of the wrong type is refused naming the field (with its path, {@code IPAM.Config[0].Subnet})
 * and what it expected; a field that is absent or {@code null} is absent; fields Weft does not read
 * are ignored, as Docker ignores unknown fields.
 */
final class Body {
    private final JsonObject object;
    private final String path;

    private Body(JsonObject object, String path) {
        this.object = object;
        this.path = path;
    }

    /** The request's body as an object; an empty, malformed or non-object body is a 400 naming the problem. */
    static Body parse(String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest("the request body is empty; expected a JSON object");
        }
        JsonElement element;
        try {
            element = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw ApiException.badRequest("malformed JSON in the request body: " + cause.getMessage());
        }
        if (!element.isJsonObject()) {
            throw ApiException.badRequest("the request body is " + kind(element) + "; expected a JSON object");
        }
        return new Body(element.getAsJsonObject(), "");
    }

    private String name(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private JsonElement get(String field) {
        JsonElement e = object.get(field);
        return e == null || e.isJsonNull() ? null : e;
    }

    boolean has(String field) {
        return get(field) != null;
    }

    String string(String field) {
        JsonElement e = get(field);
        if (e == null) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw wrongType(field, e, "a string");
        }
        return e.getAsString();
    }

    /** A boolean field, or {@code otherwise} when absent. */
    boolean bool(String field, boolean otherwise) {
        Boolean b = boolOrNull(field);
        return b == null ? otherwise : b;
    }

    Boolean boolOrNull(String field) {
        JsonElement e = get(field);
        if (e == null) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw wrongType(field, e, "true or false");
        }
        return e.getAsBoolean();
    }

    /** A whole number that fits an int, or {@code otherwise} when absent. */
    int integer(String field, int otherwise) {
        JsonElement e = get(field);
        if (e == null) {
            return otherwise;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw wrongType(field, e, "a whole number");
        }
        try {
            return new java.math.BigDecimal(e.getAsString()).intValueExact();
        } catch (ArithmeticException | NumberFormatException x) {
            throw ApiException.badRequest(name(field) + " " + e + ": expected a whole number from "
                    + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        }
    }

    /** An object of strings (Go's {@code map[string]string}), in the order given; empty when absent. */
    Map<String, String> strings(String field) {
        JsonElement e = get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (e == null) {
            return out;
        }
        if (!e.isJsonObject()) {
            throw wrongType(field, e, "an object of strings");
        }
        for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
            JsonElement v = entry.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw wrongType(field + "." + entry.getKey(), v, "a string");
            }
            out.put(entry.getKey(), v.getAsString());
        }
        return out;
    }

    /** An array of strings; empty when absent. */
    List<String> stringList(String field) {
        JsonElement e = get(field);
        List<String> out = new ArrayList<>();
        if (e == null) {
            return out;
        }
        if (!e.isJsonArray()) {
            throw wrongType(field, e, "an array of strings");
        }
        int i = 0;
        for (JsonElement v : e.getAsJsonArray()) {
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw wrongType(field + "[" + i + "]", v, "a string");
            }
            out.add(v.getAsString());
            i++;
        }
        return out;
    }

    /** A nested object, or null when absent. */
    Body object(String field) {
        JsonElement e = get(field);
        if (e == null) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw wrongType(field, e, "an object");
        }
        return new Body(e.getAsJsonObject(), name(field));
    }

    /** An array of objects; empty when absent. */
    List<Body> objects(String field) {
        JsonElement e = get(field);
        List<Body> out = new ArrayList<>();
        if (e == null) {
            return out;
        }
        if (!e.isJsonArray()) {
            throw wrongType(field, e, "an array of objects");
        }
        int i = 0;
        for (JsonElement v : e.getAsJsonArray()) {
            if (!v.isJsonObject()) {
                throw wrongType(field + "[" + i + "]", v, "an object");
            }
            out.add(new Body(v.getAsJsonObject(), name(field) + "[" + i + "]"));
            i++;
        }
        return out;
    }

    /** The name of a field of this object with its path, for errors ({@code IPAM.Config[0].Gateway}). */
    String field(String field) {
        return name(field);
    }

    private ApiException wrongType(String field, JsonElement value, String expected) {
        return ApiException.badRequest(name(field) + ": expected " + expected + ", got " + kind(value) + " " + value);
    }

    private static String kind(JsonElement e) {
        if (e.isJsonObject()) {
            return "an object";
        } else if (e.isJsonArray()) {
            return "an array";
        } else if (e.isJsonNull()) {
            return "null";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isBoolean() ? "a boolean" : p.isNumber() ? "a number" : "a string";
    }
}
