package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.NetworkInfo;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes network names. */
@Service
public class NetworkNames extends NameCompleter {

    @Reference
    Controller controller;

    @Override
    SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        controller.networks().stream().map(NetworkInfo::name).forEach(names::add);
        return names;
    }
}
