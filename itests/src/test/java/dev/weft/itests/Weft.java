package dev.weft.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ./weft} for one private instance, the way a person does from a shell: its own
 * WEFT_HOME, run directory and state directory, further WEFT_* settings ({@link #with}), and the
 * distribution the build just made (WEFT_DISTRIBUTION, so the script never starts Maven inside
 * this build). {@link PrivateInstance} puts one on a throwaway host namespace.
 */
final class Weft {

    /** What one {@code ./weft} call did. */
    record Result(int exit, String out, String err, Duration took) {
        @Override
        public String toString() {
            return "exit " + exit + " after " + took.toMillis() + " ms\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    final Path script;
    final Path home;
    final Path runDir;
    final Path stateDir;
    private final Path distribution;
    private final Map<String, String> settings = new LinkedHashMap<>();

    Weft(Path script, Path distribution, Path home, Path runDir, Path stateDir) {
        this.script = script;
        this.distribution = distribution;
        this.home = home;
        this.runDir = runDir;
        this.stateDir = stateDir;
    }

    /** Passes {@code variable=value} (WEFT_HOST_NETNS, WEFT_JAVA_OPTS...) to every later call; null removes it. */
    Weft with(String variable, String value) {
        if (value == null) {
            settings.remove(variable);
        } else {
            settings.put(variable, value);
        }
        return this;
    }

    /** Runs {@code ./weft args...} and waits (at most {@code limit}) for it to end. */
    Result run(Duration limit, String... args) throws IOException, InterruptedException {
        long start = System.nanoTime();
        return finish(spawn(List.of(), args), start, limit, args);
    }

    /** Runs {@code ./weft args...} as user nobody (setpriv, uid and gid 65534), with this instance's environment. */
    Result runAsNobody(Duration limit, String... args) throws IOException, InterruptedException {
        long start = System.nanoTime();
        return finish(spawn(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), args), start, limit,
                args);
    }

    private static Result finish(Process p, long start, Duration limit, String... args) throws InterruptedException {
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./weft " + String.join(" ", args) + " did not end within " + limit);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        return new Result(p.exitValue(), out.join(), err.join(), took);
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(Duration.ofSeconds(60), args);
    }

    /** Starts {@code ./weft args...} without waiting; its output is discarded. */
    Process spawn(String... args) throws IOException {
        return spawn(List.of(), args);
    }

    /**
     * Runs {@code ./weft args...} on a pseudo-terminal ({@code script(1)}), as in a person's
     * terminal; out is what it printed there (lines end in "\r\n").
     */
    Result runOnATerminal(Duration limit, String... args) throws IOException, InterruptedException {
        StringBuilder line = new StringBuilder("exec '" + script + "'");
        for (String arg : args) {
            line.append(" '").append(arg.replace("'", "'\\''")).append("'");
        }
        long start = System.nanoTime();
        return finish(start(List.of("script", "-qec", line.toString(), "/dev/null")), start, limit, args);
    }

    private Process spawn(List<String> prefix, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(script.toString());
        command.addAll(List.of(args));
        return start(command);
    }

    private Process start(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(script.getParent().toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("WEFT_")); // the caller's shell must not redirect the instance
        env.put("WEFT_HOME", home.toString());
        env.put("WEFT_RUN_DIR", runDir.toString());
        env.put("WEFT_STATE_DIR", stateDir.toString());
        env.put("WEFT_DISTRIBUTION", distribution.toString());
        env.putAll(settings);
        return pb.start();
    }

    /** The pid in the runtime's pid file, or -1. */
    long pidFromFile() {
        try {
            return Long.parseLong(Files.readString(home.resolve("runtime/karaf.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static CompletableFuture<String> drain(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        });
    }
}
