package dev.weft.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs short-lived commands (ip, nft, …) to completion. Forking is fine in tests. */
final class Commands {
    /** Generous: a stuck command should fail the test, not hang the build. */
    private static final long TIMEOUT_SECONDS = 60;
    /** Commands never read the test's stdin. */
    static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

    private Commands() {
    }

    static CommandResult run(List<String> command) {
        Tools.require(command.get(0));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(NO_INPUT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start `" + String.join(" ", command) + "`", e);
        }
        // Drain stderr on the side so a chatty command cannot block on a full pipe.
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String stdout = readAll(process.getInputStream());
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within "
                        + TIMEOUT_SECONDS + " s; killed it");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running `" + String.join(" ", command) + "`", e);
        }
        return new CommandResult(List.copyOf(command), process.exitValue(), stdout, stderr.join());
    }

    static String runOrThrow(List<String> command) {
        return run(command).stdoutOrThrow();
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read: " + e.getMessage() + ")";
        }
    }
}
