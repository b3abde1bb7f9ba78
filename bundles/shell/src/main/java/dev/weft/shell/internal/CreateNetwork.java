package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.docker.SubnetRequests;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code network:create}: Docker's {@code docker network create}; prints the new network's id. */
@Service
@Command(scope = "network", name = "create", description = "Creates a network and prints its id",
        detailedDescription = "Each --ip-range, --gateway and --aux-address belongs to the --subnet that "
                + "contains it. Without --subnet the network gets a free subnet from the IPAM driver's pools "
                + "(and an IPv6 one with --ipv6); --subnet 0.0.0.0/24 or ::/64 asks for a free subnet of that size "
                + "from them. --ipv4=false --ipv6 makes an IPv6-only network. --ipam-driver chooses who allocates the subnets and addresses: "
                + "default (Weft's own), null (none: no subnets, endpoints without addresses; the bridge driver "
                + "refuses it), or an IPAM driver another bundle installed; --ipam-opt passes it options "
                + "(the default IPAM driver takes none).")
public class CreateNetwork extends WeftAction {

    @Reference
    Controller controller;

    @Option(name = "-d", aliases = "--driver", description = "Driver that serves the network (default: bridge)")
    @Completion(DriverNames.class)
    String driver;

    @Option(name = "--subnet", multiValued = true, description = "Subnet in CIDR form, e.g. 10.1.0.0/24, or a size "
            + "from the default pools, e.g. 0.0.0.0/24 (repeatable)")
    List<String> subnets;

    @Option(name = "--ip-range", multiValued = true,
            description = "Allocate addresses from this range inside a subnet, e.g. 10.1.0.128/25 (repeatable)")
    List<String> ipRanges;

    @Option(name = "--gateway", multiValued = true, description = "Gateway address inside a subnet (repeatable)")
    List<String> gateways;

    @Option(name = "--aux-address", multiValued = true,
            description = "Address reserved for another host, NAME=IP (repeatable)")
    List<String> auxAddresses;

    @Option(name = "--ipv6", description = "Enable IPv6 (dual stack, or IPv6 only with --ipv4=false)")
    boolean ipv6;

    @Option(name = "--ipv4", description = "Enable IPv4 (default true); --ipv4=false with --ipv6: an IPv6-only network")
    Boolean ipv4;

    @Option(name = "--attachable", description = "Docker's flag for overlays that standalone containers may join: every "
            + "Weft sandbox may join a global network, so it is always so (accepted, changes nothing)")
    boolean attachable;

    @Option(name = "--internal", description = "No route out of the network and no published ports")
    boolean internal;

    @Option(name = "-o", aliases = "--opt", multiValued = true, description = "Driver option KEY=VALUE, or KEY for an empty value (repeatable; "
            + "a repeated key keeps its last value, except route, whose values are joined with ';')")
    List<String> options;

    @Option(name = "--label", multiValued = true, description = "Label KEY[=VALUE] (repeatable)")
    List<String> labels;

    @Option(name = "--ipam-driver", description = "IPAM driver: default, null (no addresses) or an installed one "
            + "(default: default)")
    @Completion(IpamDriverNames.class)
    String ipamDriver;

    @Option(name = "--ipam-opt", multiValued = true, description = "IPAM driver option KEY=VALUE (repeatable)")
    List<String> ipamOptions;

    @Argument(index = 0, name = "name", required = true, description = "Name of the network")
    String name;

    @Override
    void run(PrintStream out) {
        // Everything is parsed before the controller is asked, so a typo changes nothing.
        boolean withIpv4 = ipv4 == null || ipv4;
        if (!withIpv4) {
            SubnetRequests.refuseIpv4(SubnetRequests.OPTIONS, subnets, ipRanges, gateways, auxAddresses);
        }
        NetworkSpec spec = new NetworkSpec(name, driver,
                SubnetRequests.pair(SubnetRequests.OPTIONS, subnets, ipRanges, gateways, auxAddresses), ipv6, internal,
                OptionValues.driverOptions(options), OptionValues.keyValues("--label", labels, false),
                ipamDriver, OptionValues.keyValues("--ipam-opt", ipamOptions, true), withIpv4);
        NetworkInfo created = controller.createNetwork(spec);
        out.println(created.id());
    }
}
