package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.Failures;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code sandbox:remove}: disconnects each sandbox from its networks and removes it (and its
 * namespace, if Weft created it), printing each name; goes on past a failure and fails at the end.
 * A sandbox whose namespace others share ({@code --network container:NAME}) is removed only with
 * {@code --force}, after them.
 */
@Service
@Command(scope = "sandbox", name = "remove", description = "Removes sandboxes")
public class RemoveSandbox extends WeftAction {

    @Reference
    Controller controller;

    @Argument(index = 0, name = "sandbox", required = true, multiValued = true,
            description = "Names or ids of the sandboxes")
    @Completion(SandboxNames.class)
    List<String> sandboxes;

    @Option(name = "-f", aliases = "--force",
            description = "Also remove a sandbox whose network namespace others share (--network container:NAME), "
                    + "after removing them")
    boolean force;

    @Override
    void run(PrintStream out) {
        Failures failures = forEachName(out, sandboxes, s -> controller.removeSandbox(s, force), e -> false);
        // people look at `ip netns list` next: the namespaces go (together) before the prompt comes back
        sandboxes.forEach(controller::awaitRemoval);
        out.flush();
        failures.throwIfAny(failures.all().size() + " of " + sandboxes.size() + " sandboxes were not removed");
    }

    /** {@code sandbox:rm}. */
    @Service
    @Command(scope = "sandbox", name = "rm", description = "Removes sandboxes (same as sandbox:remove)")
    public static class Rm extends RemoveSandbox {
    }
}
