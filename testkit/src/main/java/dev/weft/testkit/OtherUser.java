package dev.weft.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command as an unprivileged user ({@code nobody}, uid and gid 65534, no supplementary
 * groups) with {@code setpriv}, so a test proves who may read a file or reach a socket by trying
 * it, not by reading modes back. The caller must be root.
 */
public final class OtherUser {
    public static final int NOBODY = 65534;

    private OtherUser() {
    }

    /** Runs {@code command} as nobody and returns what it did. */
    public static CommandResult run(String... command) {
        Tools.require(command[0]);
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        full.addAll(List.of(command));
        return Commands.run(full);
    }

    /** Throws unless {@code command} run as nobody failed with "Permission denied". */
    public static void assertDenied(String... command) {
        CommandResult r = run(command);
        if (r.succeeded() || !(r.stdout() + r.stderr()).contains("Permission denied")) {
            throw new AssertionError("as user nobody, " + r.describe() + " should fail with \"Permission denied\""
                    + (r.stdout().isBlank() ? "" : "; stdout: " + r.stdout().strip()));
        }
    }

    /** Throws unless {@code command} run as nobody succeeded. */
    public static void assertAllowed(String... command) {
        CommandResult r = run(command);
        if (!r.succeeded()) {
            throw new AssertionError("as user nobody, " + r.describe());
        }
    }
}
