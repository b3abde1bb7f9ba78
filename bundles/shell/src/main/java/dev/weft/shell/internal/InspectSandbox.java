package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.SandboxInfo;
import dev.weft.api.WeftException;
import dev.weft.api.docker.SandboxShapes;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code sandbox:inspect}: a JSON array with one object per sandbox (see {@link SandboxShapes});
 * prints what it found, then fails naming what it did not find (only the error when it found
 * nothing), like {@code network:inspect}.
 */
@Service
@Command(scope = "sandbox", name = "inspect", description = "Shows sandboxes as JSON",
        detailedDescription = "Besides its endpoints (with each network's Aliases and DNSNames, the names other "
                + "sandboxes resolve it by there), a sandbox shows its Hostname, Dns, DnsSearch, DnsOptions and Links "
                + "(as docker run's --hostname, --dns, --dns-search, --dns-option and --link set them) and its resolver "
                + "files as lines: ResolvConf and Hosts, as Weft writes them to /etc/netns/NAME/ for "
                + "'ip netns exec NAME'. For a sandbox in an adopted namespace (--netns) Weft writes none: these are "
                + "the files its owner should install (as /etc/resolv.conf and /etc/hosts of what runs in it). "
                + "Empty for a sandbox in the host's namespace.")
public class InspectSandbox extends WeftAction {

    @Reference
    Controller controller;

    @Argument(index = 0, name = "sandbox", required = true, multiValued = true,
            description = "Names or ids of the sandboxes")
    @Completion(SandboxNames.class)
    List<String> sandboxes;

    @Override
    void run(PrintStream out) {
        List<Object> array = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : sandboxes) {
            java.util.Optional<SandboxInfo> found = controller.sandbox(name);
            if (found.isEmpty()) {
                missing.add(name);
                continue;
            }
            Map<String, String> files;
            try {
                files = controller.resolverFiles(found.get().name());
            } catch (WeftException.NotFound e) { // removed since
                missing.add(name);
                continue;
            }
            array.add(SandboxShapes.inspect(found.get(), files));
        }
        if (!array.isEmpty()) { // nothing found: the error alone, no empty array before it
            out.println(Json.format(array));
            out.flush();
        }
        if (!missing.isEmpty()) {
            throw new WeftException.NotFound(notFound("sandbox", missing));
        }
    }
}
