package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.NetworkInfo;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code network:list}: Docker's {@code docker network ls} columns, sorted by name, plus AVAILABLE
 * ({@code no} while the network's driver is not installed).
 */
@Service
@Command(scope = "network", name = "list", description = "Lists networks")
public class ListNetworks extends WeftAction {

    @Reference
    Controller controller;

    @Option(name = "-q", aliases = "--quiet", description = "Only print network ids")
    boolean quiet;

    @Option(name = "--no-trunc", description = "Print full ids")
    boolean noTrunc;

    @Override
    void run(PrintStream out) {
        List<NetworkInfo> networks = controller.networks().stream()
                .sorted(Comparator.comparing(NetworkInfo::name)).toList();
        if (quiet) {
            networks.forEach(n -> out.println(id(n)));
            return;
        }
        Table table = new Table("NETWORK ID", "NAME", "DRIVER", "SCOPE", "AVAILABLE");
        for (NetworkInfo n : networks) {
            table.row(id(n), n.name(), n.driver(), n.scope(), n.available() ? "yes" : "no");
        }
        table.print(out);
    }

    private String id(NetworkInfo n) {
        return noTrunc ? n.id() : shortId(n.id());
    }

    /** {@code network:ls}, Docker's name for it. */
    @Service
    @Command(scope = "network", name = "ls", description = "Lists networks (same as network:list)")
    public static class Ls extends ListNetworks {
    }
}
