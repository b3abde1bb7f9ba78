package dev.weft.driver.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.api.PortBinding;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A conflist's plugins run as libcni runs them: ADD in order, each given the previous one's result
 * as {@code prevResult}; DEL in reverse order with the cached result; CHECK in order with it; GC
 * and STATUS (1.1.0) for plugins that speak 1.1.0. Every plugin's config is its own object plus the
 * list's {@code name} and {@code cniVersion}, and {@code runtimeConfig.portMappings} for those that
 * declare the {@code portMappings} capability.
 */
final class Chain {
    private final Conflist list;
    private final List<Path> path;
    private final Plugins plugins;

    Chain(Conflist list, List<Path> path, Plugins plugins) {
        this.list = list;
        this.path = path;
        this.plugins = plugins;
    }

    Conflist list() {
        return list;
    }

    /**
     * VERSION of every plugin: each must list the version spoken in {@code supportedVersions}.
     * Returns whether all of them speak 1.1.0 (so GC and STATUS apply).
     */
    boolean checkVersions() {
        boolean all11 = true;
        for (String type : list.types().stream().distinct().toList()) {
            JsonObject cfg = new JsonObject();
            cfg.addProperty("cniVersion", list.cniVersion());
            JsonObject answer;
            try {
                answer = plugins.run(type, new Plugins.Call("VERSION", null, null, null, path, null), cfg);
            } catch (Plugins.PluginException e) {
                throw new WeftException.InvalidRequest("conflist \"" + list.name() + "\": " + e.getMessage());
            }
            List<String> versions = new ArrayList<>();
            if (answer != null && answer.has("supportedVersions") && answer.get("supportedVersions").isJsonArray()) {
                answer.getAsJsonArray("supportedVersions").forEach(v -> versions.add(v.getAsString()));
            }
            if (!versions.contains(list.cniVersion())) {
                throw new WeftException.InvalidRequest("conflist \"" + list.name() + "\" speaks cniVersion "
                        + list.cniVersion() + ", which CNI plugin \"" + type + "\" does not support (it supports "
                        + (versions.isEmpty() ? "no version it names" : String.join(", ", versions))
                        + "); set the conflist's cniVersion to one of those");
            }
            all11 &= versions.contains("1.1.0");
        }
        return all11 && list.cniVersion().equals("1.1.0");
    }

    /** ADD of every plugin in order; returns the last result. On a failure, DEL of the chain (the spec's rule), then throws. */
    JsonObject add(Attachments.Attachment a) {
        JsonObject prev = null;
        for (JsonObject plugin : list.plugins()) {
            try {
                JsonObject r = plugins.run(type(plugin), call("ADD", a), config(plugin, prev, a.ports()));
                if (r != null) {
                    prev = r;
                }
            } catch (RuntimeException e) {
                List<String> more = del(a.withResult(prev));
                throw new PluginFailure("ADD on network \"" + list.name() + "\" failed: " + e.getMessage()
                        + (more.isEmpty() ? "; the chain's DEL cleaned up" : "; the DEL that followed failed too: "
                        + String.join("; ", more)), e);
            }
        }
        if (prev == null) {
            throw new PluginFailure("ADD on network \"" + list.name() + "\" gave no result (plugins " + list.types() + ")", null);
        }
        return prev;
    }

    /** ADD of the plugins declaring portMappings only, with the attachment's ports (Weft's publish). */
    JsonObject addPorts(Attachments.Attachment a) {
        JsonObject prev = a.result();
        for (JsonObject plugin : list.plugins()) {
            if (Conflist.wantsPortMappings(plugin)) {
                JsonObject r = plugins.run(type(plugin), call("ADD", a), config(plugin, prev, a.ports()));
                if (r != null) {
                    prev = r;
                }
            }
        }
        return prev;
    }

    /** DEL of the portMappings plugins only (Weft's unpublish). Returns the failures. */
    List<String> delPorts(Attachments.Attachment a) {
        List<String> failures = new ArrayList<>();
        List<JsonObject> reversed = new ArrayList<>(list.plugins());
        java.util.Collections.reverse(reversed);
        for (JsonObject plugin : reversed) {
            if (Conflist.wantsPortMappings(plugin)) {
                try {
                    plugins.run(type(plugin), call("DEL", a), config(plugin, a.result(), a.ports()));
                } catch (RuntimeException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        return failures;
    }

    /** DEL of every plugin in reverse order with the cached result; keeps going, returns the failures. */
    List<String> del(Attachments.Attachment a) {
        List<String> failures = new ArrayList<>();
        List<JsonObject> reversed = new ArrayList<>(list.plugins());
        java.util.Collections.reverse(reversed);
        for (JsonObject plugin : reversed) {
            try {
                plugins.run(type(plugin), call("DEL", a), config(plugin, a.result(), a.ports()));
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        return failures;
    }

    /** CHECK of every plugin in order with the cached result; throws the first failure. */
    void check(Attachments.Attachment a) {
        for (JsonObject plugin : list.plugins()) {
            plugins.run(type(plugin), call("CHECK", a), config(plugin, a.result(), a.ports()));
        }
    }

    /** STATUS of every plugin (1.1.0): a plugin not ready refuses new attachments. */
    void status() {
        for (JsonObject plugin : list.plugins()) {
            try {
                plugins.run(type(plugin), new Plugins.Call("STATUS", null, null, null, path, null), config(plugin, null, List.of()));
            } catch (Plugins.PluginException e) {
                throw new PluginFailure("network \"" + list.name() + "\" is not ready: " + e.getMessage(), e);
            }
        }
    }

    /** GC of every plugin (1.1.0) with the attachments that are valid; returns the failures. */
    List<String> gc(List<Attachments.Attachment> valid) {
        JsonArray attachments = new JsonArray();
        for (Attachments.Attachment a : valid) {
            JsonObject o = new JsonObject();
            o.addProperty("containerID", a.containerId());
            o.addProperty("ifname", a.ifname());
            attachments.add(o);
        }
        List<String> failures = new ArrayList<>();
        for (JsonObject plugin : list.plugins()) {
            JsonObject cfg = config(plugin, null, List.of());
            cfg.add("cni.dev/valid-attachments", attachments);
            try {
                plugins.run(type(plugin), new Plugins.Call("GC", null, null, null, path, null), cfg);
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        return failures;
    }

    private Plugins.Call call(String command, Attachments.Attachment a) {
        return new Plugins.Call(command, a.containerId(), a.netns(), a.ifname(), path, "IgnoreUnknown=1");
    }

    private static String type(JsonObject plugin) {
        return plugin.get("type").getAsString();
    }

    private JsonObject config(JsonObject plugin, JsonObject prev, List<PortBinding> ports) {
        JsonObject cfg = plugin.deepCopy();
        cfg.addProperty("name", list.name());
        cfg.addProperty("cniVersion", list.cniVersion());
        cfg.remove("capabilities");
        if (plugin.has("capabilities")) {
            cfg.add("capabilities", plugin.get("capabilities").deepCopy());
        }
        if (prev != null) {
            cfg.add("prevResult", prev);
        }
        if (Conflist.wantsPortMappings(plugin) && ports != null && !ports.isEmpty()) {
            JsonArray maps = new JsonArray();
            for (PortBinding b : ports) {
                JsonObject m = new JsonObject();
                m.addProperty("hostPort", b.hostPort());
                m.addProperty("containerPort", b.containerPort());
                m.addProperty("protocol", b.protocol());
                if (b.hostIp() != null && !b.hostIp().isAnyLocalAddress()) {
                    m.addProperty("hostIP", IpAddresses.format(b.hostIp()));
                }
                maps.add(m);
            }
            JsonObject rc = new JsonObject();
            rc.add("portMappings", maps);
            cfg.add("runtimeConfig", rc);
        }
        return cfg;
    }

    /** The interface named {@code ifname} inside the sandbox in a result, or null. */
    static JsonObject sandboxInterface(JsonObject result, String ifname) {
        if (result == null || !result.has("interfaces")) {
            return null;
        }
        for (JsonElement e : result.getAsJsonArray("interfaces")) {
            JsonObject i = e.getAsJsonObject();
            if (ifname.equals(i.has("name") ? i.get("name").getAsString() : null) && i.has("sandbox")
                    && !i.get("sandbox").getAsString().isEmpty()) {
                return i;
            }
        }
        return null;
    }

    /** A chain's failure with a message for people; kept apart from plugin errors so it is rethrown as is. */
    static final class PluginFailure extends RuntimeException {
        PluginFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
