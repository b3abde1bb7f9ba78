package dev.weft.dockerplugins;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.net.InetAddress;
import java.util.Map;

/** Small readers and writers of the plugin protocol's JSON, each saying what it expected. */
final class Json {
    private Json() {}

    /** A string member, or null when absent or JSON null; {@link Shape} when it is not a string. */
    static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new Shape("\"" + key + "\" is " + e + ", not a string");
        }
        return e.getAsString();
    }

    /** An object member, or null when absent or JSON null. */
    static JsonObject object(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw new Shape("\"" + key + "\" is " + e + ", not an object");
        }
        return e.getAsJsonObject();
    }

    static JsonArray array(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return new JsonArray();
        }
        if (!e.isJsonArray()) {
            throw new Shape("\"" + key + "\" is " + e + ", not an array");
        }
        return e.getAsJsonArray();
    }

    static boolean bool(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return false;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new Shape("\"" + key + "\" is " + e + ", not true or false");
        }
        return e.getAsBoolean();
    }

    static int integer(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return 0;
        }
        try {
            return e.getAsJsonPrimitive().getAsInt();
        } catch (RuntimeException x) {
            throw new Shape("\"" + key + "\" is " + e + ", not a number");
        }
    }

    /** A CIDR ({@code 10.1.0.2/24}) member; null when absent or empty. */
    static InterfaceAddress cidr(JsonObject o, String key) {
        String s = string(o, key);
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return InterfaceAddress.parse(s);
        } catch (RuntimeException x) {
            throw new Shape("\"" + key + "\" is \"" + s + "\", not an address with a prefix length like 10.1.0.2/24");
        }
    }

    static IpPrefix prefix(JsonObject o, String key) {
        String s = string(o, key);
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return IpPrefix.parse(s);
        } catch (RuntimeException x) {
            throw new Shape("\"" + key + "\" is \"" + s + "\", not a subnet like 10.1.0.0/24");
        }
    }

    /** A plain address ({@code 10.1.0.1}); a CIDR is accepted too, as some plugins send one. Null when empty. */
    static InetAddress address(JsonObject o, String key) {
        String s = string(o, key);
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return s.contains("/") ? InterfaceAddress.parse(s).address() : IpAddresses.parse(s);
        } catch (RuntimeException x) {
            throw new Shape("\"" + key + "\" is \"" + s + "\", not an IP address");
        }
    }

    /** {@code a/len} as Docker writes an address with its prefix; "" for null. */
    static String cidr(InterfaceAddress a) {
        return a == null ? "" : IpAddresses.format(a.address()) + "/" + a.prefixLength();
    }

    static String format(InetAddress a) {
        return a == null ? "" : IpAddresses.format(a);
    }

    static JsonObject strings(Map<String, String> map) {
        JsonObject o = new JsonObject();
        map.forEach(o::addProperty);
        return o;
    }

    /** The answer's shape is not the call's: the message says which member and why. */
    static final class Shape extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Shape(String message) {
            super(message);
        }
    }
}
