package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.PortBinding;
import dev.weft.api.SandboxInfo;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code sandbox:list}: one line per sandbox, sorted by name; NETWORKS in join order (the first
 * is eth0), or for a sandbox sharing another's namespace {@code container:NAME}; PORTS as
 * {@code docker ps} shows them ({@code 0.0.0.0:8080->80/tcp}).
 */
@Service
@Command(scope = "sandbox", name = "list", description = "Lists sandboxes")
public class ListSandboxes extends WeftAction {

    @Reference
    Controller controller;

    @Option(name = "-q", aliases = "--quiet", description = "Only print sandbox ids")
    boolean quiet;

    @Option(name = "--no-trunc", description = "Print full ids")
    boolean noTrunc;

    @Override
    void run(PrintStream out) {
        List<SandboxInfo> sandboxes = controller.sandboxes().stream()
                .sorted(Comparator.comparing(SandboxInfo::name)).toList();
        if (quiet) {
            sandboxes.forEach(s -> out.println(id(s)));
            return;
        }
        Table table = new Table("NAME", "ID", "NAMESPACE", "NETWORKS", "PORTS");
        for (SandboxInfo s : sandboxes) {
            // a sharer has no networks of its own: its mode says whose it uses (docker ps shows container:NAME too)
            String networks = s.mode() == SandboxInfo.Mode.SHARED ? s.networkMode()
                    : s.endpoints().stream().map(EndpointInfo::network).collect(Collectors.joining(","));
            String ports = s.endpoints().stream().flatMap(e -> e.ports().stream())
                    .map(PortBinding::toString).collect(Collectors.joining(", "));
            table.row(s.name(), id(s), s.namespace(), networks, ports);
        }
        table.print(out);
    }

    private String id(SandboxInfo s) {
        return noTrunc ? s.id() : shortId(s.id());
    }

    /** {@code sandbox:ls}. */
    @Service
    @Command(scope = "sandbox", name = "ls", description = "Lists sandboxes (same as sandbox:list)")
    public static class Ls extends ListSandboxes {
    }
}
