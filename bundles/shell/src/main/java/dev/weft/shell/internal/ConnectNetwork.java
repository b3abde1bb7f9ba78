package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.EndpointSpec;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code network:connect}: Docker's {@code docker network connect}; prints nothing on success. */
@Service
@Command(scope = "network", name = "connect", description = "Connects a sandbox to a network",
        detailedDescription = "Of a sandbox's networks that have a gateway (not internal), the one with the highest "
                + "--gw-priority gives the sandbox its default route, IPv4 and IPv6 chosen separately; on a tie the "
                + "one connected first keeps it. A network connected with a higher priority than the one giving the "
                + "default route takes it over (if that network's driver can move default routes; else it stays, "
                + "logged); when the network giving it is disconnected, the next best one gets it.")
public class ConnectNetwork extends WeftAction {

    @Reference
    Controller controller;

    @Option(name = "--ip", description = "Static IPv4 address in the network's subnet")
    String ip;

    @Option(name = "--ip6", description = "Static IPv6 address in the network's subnet")
    String ip6;

    @Option(name = "--alias", multiValued = true,
            description = "Extra name of the sandbox on this network (repeatable)")
    List<String> aliases;

    @Option(name = "-p", aliases = "--publish", multiValued = true,
            description = "Publish ports through this network:"
                    + " [HOST_IP:][HOST_PORT[-END]:]PORT[-END][/tcp|udp|sctp] (repeatable);"
                    + " quote a bracketed IPv6 host address: '[::1]:8080:80'")
    List<String> publish;

    @Option(name = "--gw-priority",
            description = "Gateway priority on this network, a whole number (default 0, negative allowed): the "
                    + "sandbox's network with the highest gives its default route")
    String gwPriority;

    @Option(name = "--mac-address",
            description = "MAC address of the sandbox's interface on this network, e.g. 02:42:ac:11:00:02 (unicast, "
                    + "not all zeros; default: the driver's choice, a random one on the bridge)")
    String macAddress;

    @Option(name = "--driver-opt", multiValued = true,
            description = "Endpoint driver option KEY=VALUE (repeatable): com.docker.network.endpoint.ifname=NAME "
                    + "names the interface in the sandbox; com.docker.network.endpoint.sysctls="
                    + "net.ipv4.conf.IFNAME.KEY=VALUE,... sets its sysctls (IFNAME stands for its name); other keys "
                    + "go to this network's driver")
    List<String> driverOpts;

    @Argument(index = 0, name = "network", required = true, description = "Name or id of the network")
    @Completion(NetworkNames.class)
    String network;

    @Argument(index = 1, name = "sandbox", required = true, description = "Name or id of the sandbox")
    @Completion(SandboxNames.class)
    String sandbox;

    @Override
    void run(PrintStream out) {
        EndpointSpec spec = OptionValues.endpoint(ip, ip6, aliases, publish, gwPriority, macAddress, driverOpts);
        controller.connect(network, sandbox, spec);
    }
}
