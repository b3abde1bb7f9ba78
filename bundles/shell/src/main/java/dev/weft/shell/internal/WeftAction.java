package dev.weft.shell.internal;

import dev.weft.api.Failures;
import dev.weft.api.WeftException;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.support.CommandException;

/**
 * What every Weft command shares: where it prints and how its errors reach the user.
 *
 * <p>Output goes to {@code System.out}, which Karaf redirects per session thread (console, ssh,
 * the local CLI, pipes); tests set {@link #out} instead.
 *
 * <p>A {@link WeftException} becomes Karaf's {@link CommandException} with the same message and
 * the original as its cause. Karaf prints it as one line ({@code Error executing command: MESSAGE})
 * and logs it at debug level only, while any other exception is logged with its stack trace at
 * error level: a mistyped name is the user's business, not the operator's log. A caller that runs
 * lines through a session (the local CLI) sees the CommandException and can map its cause's type
 * to an exit status.
 */
public abstract class WeftAction implements Action {

    /** Where output goes; null means {@code System.out} (Karaf's per-session stream). */
    PrintStream out;

    @Override
    public final Object execute() throws Exception {
        try {
            run(out != null ? out : System.out);
        } catch (WeftException e) {
            throw new CommandException(e.getMessage(), e);
        }
        return null;
    }

    /** Does the command's work; refusals and failures are thrown as {@link WeftException}s. */
    abstract void run(PrintStream out);

    /** The first 12 characters of an id, as Docker shows ids in tables. */
    static String shortId(String id) {
        return id == null ? "" : id.length() <= 12 ? id : id.substring(0, 12);
    }

    /** {@code network "x" not found}, or {@code networks "x", "y" not found}. */
    static String notFound(String kind, List<String> names) {
        String quoted = names.stream().map(n -> "\"" + n + "\"").collect(java.util.stream.Collectors.joining(", "));
        return kind + (names.size() == 1 ? " " : "s ") + quoted + " not found";
    }

    /**
     * Runs {@code action} on each of {@code names} and prints each name it succeeded for; goes on
     * past a {@link WeftException}, which it keeps unless {@code ignored} accepts it. Returns what
     * failed, for the command to throw at the end ({@link Failures#throwIfAny}).
     */
    static Failures forEachName(PrintStream out, List<String> names, Consumer<String> action,
                                Predicate<WeftException> ignored) {
        Failures failures = new Failures();
        for (String name : names) {
            try {
                action.accept(name);
                out.println(name);
            } catch (WeftException e) {
                if (!ignored.test(e)) {
                    failures.add(e);
                }
            }
        }
        return failures;
    }
}
