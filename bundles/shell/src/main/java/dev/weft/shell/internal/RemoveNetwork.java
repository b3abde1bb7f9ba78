package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.Failures;
import dev.weft.api.WeftException;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code network:remove}: removes each network and prints its name as given; goes on past a
 * failure and fails at the end naming every network that was not removed (as Docker does).
 */
@Service
@Command(scope = "network", name = "remove", description = "Removes networks")
public class RemoveNetwork extends WeftAction {

    @Reference
    Controller controller;

    @Option(name = "-f", aliases = "--force", description = "Do not fail for networks that do not exist")
    boolean force;

    @Argument(index = 0, name = "network", required = true, multiValued = true,
            description = "Names or ids of the networks")
    @Completion(NetworkNames.class)
    List<String> networks;

    @Override
    void run(PrintStream out) {
        Failures failures = forEachName(out, networks, controller::removeNetwork,
                e -> force && e instanceof WeftException.NotFound);
        out.flush();
        failures.throwIfAny(failures.all().size() + " of " + networks.size() + " networks were not removed");
    }

    /** {@code network:rm}, Docker's name for it. */
    @Service
    @Command(scope = "network", name = "rm", description = "Removes networks (same as network:remove)")
    public static class Rm extends RemoveNetwork {
    }
}
