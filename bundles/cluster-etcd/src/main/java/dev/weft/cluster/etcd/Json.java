package dev.weft.cluster.etcd;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.weft.spi.ClusterStore.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The gateway's JSON (grpc-gateway's proto3 mapping): keys and values in base64, every int64 as a
 * JSON string, fields with default values (false, 0, empty, the first enum value) left out.
 */
final class Json {
    private Json() {
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] unb64(JsonObject o, String field) {
        JsonElement e = o == null ? null : o.get(field);
        return e == null || e.isJsonNull() ? new byte[0] : Base64.getDecoder().decode(e.getAsString());
    }

    /** An int64 field: a JSON string (or number); 0 when left out. */
    static long num(JsonObject o, String field) {
        JsonElement e = o == null ? null : o.get(field);
        if (e == null || e.isJsonNull()) {
            return 0;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isString() ? Long.parseLong(p.getAsString()) : p.getAsLong();
    }

    static boolean bool(JsonObject o, String field) {
        JsonElement e = o == null ? null : o.get(field);
        return e != null && !e.isJsonNull() && e.getAsBoolean();
    }

    static String str(JsonObject o, String field) {
        JsonElement e = o == null ? null : o.get(field);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    static JsonObject obj(JsonObject o, String field) {
        JsonElement e = o == null ? null : o.get(field);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    static List<JsonObject> array(JsonObject o, String field) {
        JsonElement e = o == null ? null : o.get(field);
        if (e == null || !e.isJsonArray()) {
            return List.of();
        }
        List<JsonObject> list = new ArrayList<>();
        for (JsonElement item : (JsonArray) e) {
            list.add(item.isJsonObject() ? item.getAsJsonObject() : new JsonObject());
        }
        return list;
    }

    /** The revision in a response's header. */
    static long revision(JsonObject response) {
        return num(obj(response, "header"), "revision");
    }

    static JsonObject parse(String text) {
        JsonElement e = JsonParser.parseString(text);
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("not a JSON object: " + abbreviate(text));
        }
        return e.getAsJsonObject();
    }

    /** A {@code mvccpb.KeyValue}, its key without {@code prefix}; null when the key is outside the prefix. */
    static KeyValue keyValue(JsonObject kv, byte[] prefix) {
        byte[] key = unb64(kv, "key");
        if (key.length < prefix.length || !Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
            return null;
        }
        String relative = new String(key, prefix.length, key.length - prefix.length, StandardCharsets.UTF_8);
        return new KeyValue(relative, unb64(kv, "value"), num(kv, "create_revision"), num(kv, "mod_revision"),
                num(kv, "version"), num(kv, "lease"));
    }

    static List<KeyValue> keyValues(List<JsonObject> kvs, byte[] prefix) {
        List<KeyValue> list = new ArrayList<>(kvs.size());
        for (JsonObject kv : kvs) {
            KeyValue mapped = keyValue(kv, prefix);
            if (mapped != null) {
                list.add(mapped);
            }
        }
        return list;
    }

    /** The end of a prefix range: the prefix with its last byte below 0xff increased (etcd's clientv3 GetPrefixRangeEnd). */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if ((end[i] & 0xff) < 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return new byte[] {0}; // every key
    }

    static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
