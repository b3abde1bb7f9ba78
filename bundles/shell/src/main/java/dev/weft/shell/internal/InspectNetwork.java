package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.WeftException;
import dev.weft.api.docker.NetworkShapes;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code network:inspect}: a JSON array in the shape of {@code docker network inspect}. It prints
 * the networks it found and then fails naming the ones it did not find; when it found none it
 * prints only the error (not Docker's empty array first), and exits 1.
 */
@Service
@Command(scope = "network", name = "inspect", description = "Shows networks as JSON (docker network inspect's shape)")
public class InspectNetwork extends WeftAction {

    @Reference
    Controller controller;

    @Argument(index = 0, name = "network", required = true, multiValued = true,
            description = "Names or ids of the networks")
    @Completion(NetworkNames.class)
    List<String> networks;

    @Override
    void run(PrintStream out) {
        List<Object> array = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : networks) {
            controller.network(name).ifPresentOrElse(n -> array.add(NetworkShapes.inspect(n)), () -> missing.add(name));
        }
        if (!array.isEmpty()) { // nothing found: the error alone, no empty array before it
            out.println(Json.format(array));
            out.flush();
        }
        if (!missing.isEmpty()) {
            throw new WeftException.NotFound(notFound("network", missing));
        }
    }
}
