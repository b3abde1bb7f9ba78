package dev.weft.shell.internal;

import dev.weft.api.Controller;
import java.io.PrintStream;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code network:disconnect}: Docker's {@code docker network disconnect}; prints nothing on success. */
@Service
@Command(scope = "network", name = "disconnect", description = "Disconnects a sandbox from a network")
public class DisconnectNetwork extends WeftAction {

    @Reference
    Controller controller;

    @Option(name = "-f", aliases = "--force",
            description = "Also when the driver is unavailable or the kernel state is already gone")
    boolean force;

    @Argument(index = 0, name = "network", required = true, description = "Name or id of the network")
    @Completion(NetworkNames.class)
    String network;

    @Argument(index = 1, name = "sandbox", required = true, description = "Name or id of the sandbox")
    @Completion(SandboxNames.class)
    String sandbox;

    @Override
    void run(PrintStream out) {
        controller.disconnect(network, sandbox, force);
    }
}
