package dev.weft.driver.cni;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.WeftException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs CNI plugin binaries as the spec says (environment and stdin in, JSON out), each process
 * started from a thread inside the instance's host namespace, so what a plugin does outside
 * {@code CNI_NETNS} (the bridge plugin's bridge, portmap's iptables rules) lands there. A plugin
 * that does not exit within the timeout is killed with its descendants and reported; its output goes
 * to files, so a plugin that writes much never blocks on a pipe.
 */
final class Plugins {
    /** The standard directories of CNI plugins: upstream's and Debian's. */
    static final List<Path> DEFAULT_PATH = List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni"));

    private final ExecutorService hostThread;
    private final Duration timeout;

    /** @param hostThread an executor whose threads are in the instance's host namespace */
    Plugins(ExecutorService hostThread, Duration timeout) {
        this.hostThread = hostThread;
        this.timeout = timeout;
    }

    /** The plugin binary {@code type} on {@code path}, or an InvalidRequest naming the directories looked in. */
    static Path find(String type, List<Path> path) {
        for (Path dir : path) {
            Path p = dir.resolve(type);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new WeftException.InvalidRequest("CNI plugin \"" + type + "\" not found in " + join(path)
                + "; install it (Debian: containernetworking-plugins) or set -o cni.path=DIR[:DIR]");
    }

    static String join(List<Path> path) {
        return String.join(":", path.stream().map(Path::toString).toList());
    }

    /** One call: command, the environment's per-call values, the config on stdin. */
    record Call(String command, String containerId, String netns, String ifname, List<Path> path, String args) {}

    /** A plugin's failure: its own error ({@code code}, {@code msg}, {@code details}) or a crash, a timeout, garbage. */
    static final class PluginException extends RuntimeException {
        final int code;

        PluginException(String message, int code) {
            super(message);
            this.code = code;
        }
    }

    /**
     * Runs {@code type} with {@code call} and {@code config} on stdin; returns its JSON answer (null
     * when it printed nothing, as DEL, CHECK, GC and STATUS do).
     */
    JsonObject run(String type, Call call, JsonObject config) {
        Path binary = find(type, call.path());
        Path out = null, err = null;
        try {
            out = Files.createTempFile("weft-cni-", ".out");
            err = Files.createTempFile("weft-cni-", ".err");
            ProcessBuilder pb = new ProcessBuilder(binary.toString()).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("CNI_"));
            env.put("CNI_COMMAND", call.command());
            put(env, "CNI_CONTAINERID", call.containerId());
            put(env, "CNI_NETNS", call.netns());
            put(env, "CNI_IFNAME", call.ifname());
            env.put("CNI_PATH", join(call.path()));
            put(env, "CNI_ARGS", call.args());
            Process process = onHostThread(pb::start);
            try (OutputStream in = process.getOutputStream()) {
                in.write(config.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // a plugin that exits without reading its stdin (VERSION may): its answer tells
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new PluginException("CNI plugin \"" + type + "\" (" + call.command() + ") did not answer within "
                        + timeout.toMillis() + " ms and was killed; raise cni.timeout or fix the plugin", 0);
            }
            String stdout = Files.readString(out).strip();
            String stderr = Files.readString(err).strip();
            int exit = process.exitValue();
            if (exit != 0) {
                throw failure(type, call.command(), exit, stdout, stderr);
            }
            if (stdout.isEmpty()) {
                return null;
            }
            JsonElement e = parse(stdout);
            if (e == null || !e.isJsonObject()) {
                throw new PluginException("CNI plugin \"" + type + "\" (" + call.command() + ") answered with what is not "
                        + "a JSON object: " + abbreviate(stdout), 0);
            }
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw new PluginException("CNI plugin \"" + type + "\" (" + call.command() + ") could not be run: " + e.getMessage(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PluginException("interrupted while CNI plugin \"" + type + "\" ran", 0);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static PluginException failure(String type, String command, int exit, String stdout, String stderr) {
        JsonElement e = parse(stdout);
        if (e != null && e.isJsonObject() && e.getAsJsonObject().has("msg")) {
            JsonObject o = e.getAsJsonObject();
            int code = o.has("code") ? o.get("code").getAsInt() : 0;
            String details = o.has("details") && !o.get("details").getAsString().isBlank()
                    ? " (" + o.get("details").getAsString() + ")" : "";
            return new PluginException("CNI plugin \"" + type + "\" failed " + command + ": " + o.get("msg").getAsString()
                    + details + " [CNI error code " + code + "]", code);
        }
        String said = !stdout.isEmpty() ? stdout : stderr;
        return new PluginException("CNI plugin \"" + type + "\" failed " + command + " with exit status " + exit
                + (exit > 128 ? " (killed by signal " + (exit - 128) + ")" : "")
                + (said.isEmpty() ? " and said nothing" : ": " + abbreviate(said)), 0);
    }

    private static JsonElement parse(String text) {
        try {
            return JsonParser.parseString(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static void put(Map<String, String> env, String key, String value) {
        if (value != null) {
            env.put(key, value);
        }
    }

    /** Kills the plugin and whatever it started, and waits for it: nothing of it outlives the call. */
    private static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(5, TimeUnit.SECONDS);
        for (ProcessHandle h : all) {
            h.onExit().completeOnTimeout(h, 5, TimeUnit.SECONDS).join();
        }
    }

    private <T> T onHostThread(Callable<T> work) throws IOException {
        Future<T> f = hostThread.submit(work);
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file in /tmp: nothing to report
            }
        }
    }
}
