package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes {@code sandbox:create --network}: network names, {@code host}, {@code none}, {@code container:NAME}. */
@Service
public class NetworkModes extends NameCompleter {

    @Reference
    Controller controller;

    @Override
    SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        names.add("host");
        names.add("none");
        controller.networks().stream().map(NetworkInfo::name).forEach(names::add);
        controller.sandboxes().stream().map(SandboxInfo::name).forEach(s -> names.add("container:" + s));
        return names;
    }
}
