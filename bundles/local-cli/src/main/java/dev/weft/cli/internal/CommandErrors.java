package dev.weft.cli.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one-line message a failed command line gets on stderr, after "Error executing command: ".
 *
 * <p>Karaf reads the words after a command as options until the first argument and has no
 * {@code --} to end them (DefaultActionPreparator in Karaf 4.4.10), so {@code network:create -x}
 * and {@code network:create -- -x} fail inside Karaf, before Weft's own name check runs, with
 * only "Undefined option: --". Karaf's fuller text for the console ({@code getNiceHelp()} of its
 * CommandException) names the command: from it this says which word is not an option of which
 * command, why a name cannot start with "-", and where the options are listed.
 */
final class CommandErrors {
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*m");
    private static final Pattern UNDEFINED_OPTION =
            Pattern.compile("Error executing command (\\S+?):\\s+undefined option (\\S+)");

    private CommandErrors() {
    }

    static String message(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        if (message.startsWith("Undefined option: ")) {
            Matcher m = UNDEFINED_OPTION.matcher(ANSI.matcher(niceHelp(e)).replaceAll(""));
            if (m.find()) {
                return undefinedOption(m.group(1), m.group(2));
            }
        }
        return message;
    }

    static String undefinedOption(String command, String option) {
        String what = option.equals("--")
                ? "\"--\" is not an option of " + command + ": Karaf's commands have no \"--\" to end the options"
                : "\"" + option + "\" is not an option of " + command;
        return what + "; a word that starts with \"-\" before the arguments is read as an option, so a name"
                + " (of a network, a sandbox) starts with a letter or a digit; the options of " + command
                + ": ./weft " + command + " --help";
    }

    /** Karaf's CommandException keeps the console's text apart from its message; matched by name like Gogo's. */
    private static String niceHelp(Throwable e) {
        try {
            Object help = e.getClass().getMethod("getNiceHelp").invoke(e);
            return help instanceof String s ? s : "";
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            return "";
        }
    }
}
