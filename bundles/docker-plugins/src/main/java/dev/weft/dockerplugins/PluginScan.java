package dev.weft.dockerplugins;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the plugins in the configured directories the way Docker's {@code pkg/plugins} does: in each
 * directory, socket files {@code NAME.sock} and {@code NAME/NAME.sock}, spec files {@code NAME.spec}
 * (one line, the plugin's URL) and {@code NAME.json} ({@code {"Name","Addr","TLSConfig"}}), also
 * under {@code NAME/}. Where Docker looks for sockets in {@code /run/docker/plugins} only and for
 * specs in the other two, every directory is searched for both: a test (or an unusual host) can
 * then keep all its plugins in one place. A name found twice keeps its first place: directories in
 * their order, sockets before specs (Docker's order too).
 *
 * <p>A tcp plugin is accepted on a loopback address only: this client speaks no TLS, and the
 * protocol carries no authentication, so a plugin elsewhere could be anyone. Refusals and
 * unreadable specs are reported to {@code problems} (path, why), once per scan.
 */
final class PluginScan {
    /** Docker's plugin names: what its spec and socket file names allow. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private PluginScan() {}

    /** The plugins in {@code dirs}, by name, in discovery order. */
    static Map<String, PluginAddress> scan(List<Path> dirs, BiConsumer<Path, String> problems) {
        Map<String, PluginAddress> found = new LinkedHashMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            for (Path p : entries(dir)) {
                socket(p).ifPresent(a -> found.putIfAbsent(a.name(), a));
                if (Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches()) {
                    socket(p.resolve(p.getFileName() + ".sock")).ifPresent(a -> found.putIfAbsent(a.name(), a));
                }
            }
            for (Path p : entries(dir)) {
                spec(p, problems).ifPresent(a -> found.putIfAbsent(a.name(), a));
                if (Files.isDirectory(p)) {
                    for (String ext : List.of(".spec", ".json")) {
                        spec(p.resolve(p.getFileName() + ext), problems).ifPresent(a -> found.putIfAbsent(a.name(), a));
                    }
                }
            }
        }
        return found;
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static java.util.Optional<PluginAddress> socket(Path p) {
        String file = p.getFileName().toString();
        if (!file.endsWith(".sock")) {
            return java.util.Optional.empty();
        }
        String name = file.substring(0, file.length() - ".sock".length());
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (!a.isOther() || !NAME.matcher(name).matches()) { // a socket is "other" to java.nio
                return java.util.Optional.empty();
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(PluginAddress.unix(name, p, p));
    }

    private static java.util.Optional<PluginAddress> spec(Path p, BiConsumer<Path, String> problems) {
        String file = p.getFileName().toString();
        boolean json = file.endsWith(".json");
        if (!(json || file.endsWith(".spec")) || !Files.isRegularFile(p)) {
            return java.util.Optional.empty();
        }
        String name = file.substring(0, file.length() - 5);
        if (!NAME.matcher(name).matches()) {
            problems.accept(p, "\"" + name + "\" is not a plugin name (letters, digits, '_', '.', '-')");
            return java.util.Optional.empty();
        }
        try {
            String text = Files.readString(p);
            PluginAddress a = json ? fromJson(name, text, p) : PluginAddress.parse(name, firstLine(text), false, p);
            if (a.isUnix()) {
                return java.util.Optional.of(a);
            }
            if (a.tls()) {
                problems.accept(p, "plugin \"" + name + "\" at " + a.url() + " asks for TLS (TLSConfig), which Weft's "
                        + "plugin client does not speak; serve it on a Unix socket or on a loopback address without TLS");
                return java.util.Optional.empty();
            }
            if (!a.loopback()) {
                problems.accept(p, "plugin \"" + name + "\" at " + a.url() + " is not on a loopback address: without TLS "
                        + "(not supported) anyone on that network could pose as it; serve it on a Unix socket or on "
                        + "127.0.0.1");
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(a);
        } catch (IOException e) {
            problems.accept(p, "cannot read it: " + e.getMessage());
        } catch (RuntimeException e) {
            problems.accept(p, e.getMessage());
        }
        return java.util.Optional.empty();
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    /** A .json spec: {@code {"Name": "...", "Addr": "unix:///...", "TLSConfig": {...}}}; Name, when given, wins. */
    private static PluginAddress fromJson(String fileName, String text, Path p) {
        JsonElement e;
        try {
            e = JsonParser.parseString(text);
        } catch (RuntimeException x) {
            throw new IllegalArgumentException("not JSON: expected {\"Name\": ..., \"Addr\": \"unix:///PATH\"}");
        }
        if (!e.isJsonObject() || !e.getAsJsonObject().has("Addr") || !e.getAsJsonObject().get("Addr").isJsonPrimitive()) {
            throw new IllegalArgumentException("no \"Addr\": expected {\"Name\": ..., \"Addr\": \"unix:///PATH\"}");
        }
        JsonObject o = e.getAsJsonObject();
        String name = o.has("Name") && o.get("Name").isJsonPrimitive() && !o.get("Name").getAsString().isEmpty()
                ? o.get("Name").getAsString() : fileName;
        boolean tls = o.has("TLSConfig") && o.get("TLSConfig").isJsonObject()
                && !isInsecureOnly(o.getAsJsonObject("TLSConfig"));
        return PluginAddress.parse(name, o.get("Addr").getAsString(), tls, p);
    }

    /** A TLSConfig with nothing in it (Docker writes {"InsecureSkipVerify": false} for none). */
    private static boolean isInsecureOnly(JsonObject tls) {
        for (String k : List.of("CAFile", "CertFile", "KeyFile")) {
            if (tls.has(k) && tls.get(k).isJsonPrimitive() && !tls.get(k).getAsString().isEmpty()) {
                return false;
            }
        }
        return !(tls.has("InsecureSkipVerify") && tls.get("InsecureSkipVerify").getAsBoolean());
    }
}
