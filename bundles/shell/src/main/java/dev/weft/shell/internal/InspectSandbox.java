package dev.weft.shell.internal;

import com.google.gson.JsonArray;
import dev.weft.api.Controller;
import dev.weft.api.WeftException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code sandbox:inspect}: a JSON array with one object per sandbox (see {@link SandboxJson});
 * prints what it found, then fails naming what it did not find (only the error when it found
 * nothing), like {@code network:inspect}.
 */
@Service
@Command(scope = "sandbox", name = "inspect", description = "Shows sandboxes as JSON")
public class InspectSandbox extends WeftAction {

    @Reference
    Controller controller;

    @Argument(index = 0, name = "sandbox", required = true, multiValued = true,
            description = "Names or ids of the sandboxes")
    @Completion(SandboxNames.class)
    List<String> sandboxes;

    @Override
    void run(PrintStream out) {
        JsonArray array = new JsonArray();
        List<String> missing = new ArrayList<>();
        for (String name : sandboxes) {
            controller.sandbox(name).ifPresentOrElse(s -> array.add(SandboxJson.of(s)), () -> missing.add(name));
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
