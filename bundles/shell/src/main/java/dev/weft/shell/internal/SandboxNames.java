package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.SandboxInfo;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes sandbox names. */
@Service
public class SandboxNames extends NameCompleter {

    @Reference
    Controller controller;

    @Override
    SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        controller.sandboxes().stream().map(SandboxInfo::name).forEach(names::add);
        return names;
    }
}
