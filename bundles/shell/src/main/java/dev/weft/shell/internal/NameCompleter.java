package dev.weft.shell.internal;

import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes the word under the cursor from a set of names (case-sensitive: Weft's names are).
 * Completion runs on every Tab press, so a controller failure yields no candidates instead of an
 * error in the middle of the user's line.
 */
abstract class NameCompleter implements Completer {

    /** The names to offer, sorted. */
    abstract SortedSet<String> names();

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        Collection<String> names;
        try {
            names = names();
        } catch (RuntimeException e) {
            return -1;
        }
        return new StringsCompleter(names, true).complete(session, commandLine, candidates);
    }
}
