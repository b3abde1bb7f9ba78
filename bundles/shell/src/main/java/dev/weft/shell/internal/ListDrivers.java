package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code driver:list}: drivers registered now and drivers that networks remember (AVAILABLE
 * {@code no}: the bundle is gone, its networks keep their kernel state until it returns). With
 * {@code --ipam}, the IPAM drivers in the same shape.
 */
@Service
@Command(scope = "driver", name = "list", description = "Lists network drivers (with --ipam: IPAM drivers)")
public class ListDrivers extends WeftAction {

    @Reference
    Controller controller;

    @Option(name = "--ipam", description = "List IPAM drivers (for network:create --ipam-driver) instead")
    boolean ipam;

    @Override
    void run(PrintStream out) {
        Table table = new Table("NAME", "SCOPE", "BUNDLE", "VERSION", "NETWORKS", "AVAILABLE");
        List<DriverInfo> drivers = ipam ? controller.ipamDrivers() : controller.drivers();
        drivers.stream().sorted(Comparator.comparing(DriverInfo::name)).forEach(d -> table.row(
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
