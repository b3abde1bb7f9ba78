package dev.weft.shell.internal;

import dev.weft.api.Controller;
import java.io.PrintStream;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code network:reapply}: lets every driver that can rewrite its firewall state from what it knows,
 * after another tool flushed it (e.g. {@code nft flush ruleset}); prints one line per driver. Safe
 * to run at any time: reapplying an undisturbed state changes nothing.
 */
@Service
@Command(scope = "network", name = "reapply",
        description = "Rewrites the drivers' firewall rules after another tool flushed or changed them")
public class ReapplyNetworks extends WeftAction {

    @Reference
    Controller controller;

    @Override
    void run(PrintStream out) {
        for (String driver : controller.reapply()) {
            out.println("reapplied: " + driver);
        }
        out.flush();
    }
}
