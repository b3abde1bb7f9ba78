package dev.weft.driver.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.WeftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CNI network configuration list ({@code .conflist}), parsed and checked: its {@code name}, the
 * version spoken ({@code cniVersion}, or the highest of {@code cniVersions}, CNI 1.1) and the
 * plugins of the chain in order. A single plugin's configuration ({@code .conf}, with a
 * {@code type} at the top) is taken as a chain of one, as libcni does.
 *
 * @param json the text as read, recorded with the network so a restart does not depend on the file
 */
record Conflist(String name, String cniVersion, List<JsonObject> plugins, String json) {

    /** The versions Weft speaks: CHECK (0.4.0) is needed for {@code network:reapply}; GC and STATUS need 1.1.0. */
    static final List<String> SUPPORTED = List.of("0.4.0", "1.0.0", "1.1.0");

    static Conflist read(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (java.io.IOException e) {
            throw new WeftException.InvalidRequest("conflist " + path + " cannot be read (" + e.getMessage()
                    + "); give the path of a CNI network configuration list");
        }
        return parse(text, path.toString());
    }

    static Conflist parse(String text, String where) {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw new IllegalStateException("not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new WeftException.InvalidRequest("conflist " + where + " is not valid JSON (" + e.getMessage()
                    + "); a CNI conflist is an object with \"cniVersion\", \"name\" and \"plugins\"");
        }
        String name = string(root, "name", where);
        List<JsonObject> plugins = new ArrayList<>();
        if (root.has("plugins")) {
            if (!root.get("plugins").isJsonArray() || root.getAsJsonArray("plugins").isEmpty()) {
                throw new WeftException.InvalidRequest("conflist " + where + ": \"plugins\" must be a non-empty array of "
                        + "plugin objects");
            }
            for (JsonElement p : root.getAsJsonArray("plugins")) {
                if (!p.isJsonObject() || !p.getAsJsonObject().has("type")
                        || !p.getAsJsonObject().get("type").isJsonPrimitive()
                        || p.getAsJsonObject().get("type").getAsString().isBlank()) {
                    throw new WeftException.InvalidRequest("conflist " + where + ": plugin " + (plugins.size() + 1)
                            + " has no \"type\" (the plugin binary's name, e.g. \"bridge\"): " + p);
                }
                String type = p.getAsJsonObject().get("type").getAsString();
                if (type.contains("/") || type.startsWith(".")) {
                    throw new WeftException.InvalidRequest("conflist " + where + ": plugin type \"" + type
                            + "\" is not a file name; give the binary's name, found on cni.path");
                }
                plugins.add(p.getAsJsonObject());
            }
        } else if (root.has("type")) {
            plugins.add(root);
        } else {
            throw new WeftException.InvalidRequest("conflist " + where + " has no \"plugins\" (nor a single plugin's "
                    + "\"type\"); a CNI conflist lists its plugins in \"plugins\": [{\"type\": \"bridge\", …}]");
        }
        String version = version(root, where);
        return new Conflist(name, version, List.copyOf(plugins), text);
    }

    private static String version(JsonObject root, String where) {
        if (root.has("cniVersions") && root.get("cniVersions").isJsonArray()) {
            JsonArray all = root.getAsJsonArray("cniVersions");
            String best = null;
            for (JsonElement e : all) {
                String v = e.getAsString();
                if (SUPPORTED.contains(v) && (best == null || compare(v, best) > 0)) {
                    best = v;
                }
            }
            if (best == null) {
                throw new WeftException.InvalidRequest("conflist " + where + ": none of its cniVersions " + all
                        + " is supported; accepted: " + String.join(", ", SUPPORTED));
            }
            return best;
        }
        String v = string(root, "cniVersion", where);
        if (!SUPPORTED.contains(v)) {
            throw new WeftException.InvalidRequest("conflist " + where + ": cniVersion \"" + v + "\" is not supported; "
                    + "accepted: " + String.join(", ", SUPPORTED));
        }
        return v;
    }

    private static String string(JsonObject o, String key, String where) {
        if (!o.has(key) || !o.get(key).isJsonPrimitive() || o.get(key).getAsString().isBlank()) {
            throw new WeftException.InvalidRequest("conflist " + where + " has no \"" + key + "\" (a non-empty string)");
        }
        return o.get(key).getAsString();
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i]) : 0, q = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    /** The plugin types in chain order. */
    List<String> types() {
        return plugins.stream().map(p -> p.get("type").getAsString()).toList();
    }

    /** Whether the plugin declares {@code capabilities.portMappings}. */
    static boolean wantsPortMappings(JsonObject plugin) {
        return plugin.has("capabilities") && plugin.get("capabilities").isJsonObject()
                && plugin.getAsJsonObject("capabilities").has("portMappings")
                && plugin.getAsJsonObject("capabilities").get("portMappings").getAsBoolean();
    }
}
