package dev.weft.testkit;

import java.util.List;

/** What a finished command left behind: enough to explain a failure without rerunning it. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns stdout, or throws with the command line, exit code and stderr. */
    public String stdoutOrThrow() {
        if (!succeeded()) {
            throw new IllegalStateException(describe());
        }
        return stdout;
    }

    public String describe() {
        return "`" + String.join(" ", command) + "` exited with " + exitCode
                + (stderr.isBlank() ? "" : ": " + stderr.strip());
    }
}
