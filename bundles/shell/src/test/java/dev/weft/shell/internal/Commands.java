package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.api.WeftException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.karaf.shell.support.CommandException;

/** Runs a command the way Karaf does (execute()) with its output captured. */
final class Commands {
    private Commands() {}

    /** The command's output; fails the test if the command fails. */
    static String run(WeftAction command) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        command.out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        command.execute();
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** The failure Karaf would print: one line, the WeftException's own message, the original as cause. */
    static Failure fail(WeftAction command) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        command.out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        CommandException e = assertThrows(CommandException.class, command::execute);
        WeftException cause = (WeftException) e.getCause();
        assertEquals(cause.getMessage(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), () -> "not one line: " + e.getMessage());
        return new Failure(e.getMessage(), cause, buf.toString(StandardCharsets.UTF_8));
    }

    record Failure(String message, WeftException cause, String output) {}
}
