package dev.weft.bench;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Spawns {@code ip} and {@code nft} the way a runtime that shells out does: one process per
 * command, waited for, its output read. The bench calls it from a thread inside the host
 * namespace, so host-side commands need no {@code -n} (the cheapest way to run them); commands
 * for a sandbox use {@code ip -n NS}, which is cheaper than {@code ip netns exec}.
 */
final class Tools {
    private static final File NO_INPUT = new File("/dev/null");

    private Tools() {
    }

    /** The whole number at {@code args[i]}, or {@code fallback} when there are fewer arguments. */
    static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    /** Runs {@code command}; throws with the command, exit status and output when it fails. */
    static String run(String... command) throws IOException, InterruptedException {
        return run(List.of(command), null);
    }

    /** Runs {@code command} with {@code input} on its standard input (netavark's JSON, say). */
    static String runWithInput(String input, String... command) throws IOException, InterruptedException {
        return run(List.of(command), input);
    }

    /** Runs {@code ip [-n ns] -batch -} with {@code lines} on its standard input: one process for all of them. */
    static void ipBatch(String namespace, String... lines) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        if (namespace != null) {
            command.addAll(List.of("-n", namespace));
        }
        command.addAll(List.of("-batch", "-"));
        run(command, String.join("\n", lines) + "\n");
    }

    private static String run(List<String> command, String input) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (input == null) {
            pb.redirectInput(NO_INPUT);
        }
        Process p = pb.start();
        if (input != null) {
            try (OutputStream in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8)); // a few lines or a small JSON: fits the pipe, no deadlock
            }
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        if (status != 0) {
            throw new IllegalStateException("`" + String.join(" ", command) + "` exited with " + status + ": "
                    + output.strip() + (input != null ? "\ninput:\n" + input : ""));
        }
        return output;
    }
}
