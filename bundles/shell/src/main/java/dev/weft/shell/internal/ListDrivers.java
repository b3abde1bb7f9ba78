package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import java.io.PrintStream;
import java.util.Comparator;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code driver:list}: drivers registered now and drivers that networks remember (AVAILABLE
 * {@code no}: the bundle is gone, its networks keep their kernel state until it returns).
 */
@Service
@Command(scope = "driver", name = "list", description = "Lists network drivers")
public class ListDrivers extends WeftAction {

    @Reference
    Controller controller;

    @Override
    void run(PrintStream out) {
        Table table = new Table("NAME", "SCOPE", "BUNDLE", "VERSION", "NETWORKS", "AVAILABLE");
        controller.drivers().stream().sorted(Comparator.comparing(DriverInfo::name)).forEach(d -> table.row(
                d.name(), d.scope(), d.bundle(), d.version(),
                d.networks().isEmpty() ? "-" : String.join(",", d.networks()),
                d.available() ? "yes" : "no"));
        table.print(out);
    }

    /** {@code driver:ls}. */
    @Service
    @Command(scope = "driver", name = "ls", description = "Lists network drivers (same as driver:list)")
    public static class Ls extends ListDrivers {
    }
}
