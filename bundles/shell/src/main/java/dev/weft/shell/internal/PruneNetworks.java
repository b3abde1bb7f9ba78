package dev.weft.shell.internal;

import dev.weft.api.Controller;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code network:prune}: removes every user network without endpoints and prints their names. */
@Service
@Command(scope = "network", name = "prune", description = "Removes all user networks that no sandbox is connected to")
public class PruneNetworks extends WeftAction {

    @Reference
    Controller controller;

    // Docker asks for confirmation unless -f is given; the local CLI has no terminal to ask on,
    // so Weft never asks and takes -f only so that Docker habits (and scripts) work unchanged.
    @Option(name = "-f", aliases = "--force", description = "Accepted for Docker compatibility (Weft does not prompt)")
    boolean force;

    @Override
    void run(PrintStream out) {
        List<String> removed = controller.pruneNetworks();
        if (!removed.isEmpty()) {
            out.println("Deleted Networks:");
            removed.forEach(out::println);
        }
        out.flush();
    }
}
