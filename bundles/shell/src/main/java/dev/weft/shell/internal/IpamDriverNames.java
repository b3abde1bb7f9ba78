package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the names of IPAM drivers available now (a network can only be created with one of those). */
@Service
public class IpamDriverNames extends NameCompleter {

    @Reference
    Controller controller;

    @Override
    SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        controller.ipamDrivers().stream().filter(DriverInfo::available).map(DriverInfo::name).forEach(names::add);
        return names;
    }
}
