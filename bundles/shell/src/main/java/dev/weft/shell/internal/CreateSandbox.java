package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code sandbox:create}: a sandbox (a named network namespace, or an adopted one with
 * {@code --netns}) connected to its first network, the way {@code docker run --network} does;
 * prints the sandbox's id.
 */
@Service
@Command(scope = "sandbox", name = "create", description = "Creates a sandbox (network namespace) and prints its id",
        detailedDescription = "The namespace is created as /run/netns/NAME (so 'ip netns exec NAME cmd' runs in it) "
                + "unless --netns adopts an existing one. --ip, --ip6, --alias, --gw-priority, --mac-address, "
                + "--driver-opt and --publish apply to the network given with --network, which also takes Docker's "
                + "long form name=NETWORK[,alias=A][,ip=IP][,ip6=IP6][,gw-priority=N][,mac-address=MAC]. Of a sandbox's networks with a gateway, "
                + "the one with the highest --gw-priority gives it its default route (IPv4 and IPv6 each; on a tie "
                + "the one connected first): see network:connect.")
public class CreateSandbox extends WeftAction {

    @Reference
    Controller controller;

    @Option(name = "--network",
            description = "First network: a network's name, host, none or container:NAME (default: bridge, or none "
                    + "without the bridge driver); or name=NETWORK,gw-priority=N,ip=IP,ip6=IP6,alias=A,mac-address=MAC")
    @Completion(NetworkModes.class)
    String network;

    @Option(name = "-p", aliases = "--publish", multiValued = true,
            description = "Publish ports: [HOST_IP:][HOST_PORT[-END]:]PORT[-END][/tcp|udp|sctp] (repeatable);"
                    + " quote a bracketed IPv6 host address: '[::1]:8080:80'")
    List<String> publish;

    @Option(name = "--ip", description = "Static IPv4 address on the network")
    String ip;

    @Option(name = "--ip6", description = "Static IPv6 address on the network")
    String ip6;

    @Option(name = "--alias", multiValued = true, description = "Extra name on the network (repeatable)")
    List<String> aliases;

    @Option(name = "--gw-priority",
            description = "Gateway priority on the network, a whole number (default 0, negative allowed): the "
                    + "sandbox's network with the highest gives its default route")
    String gwPriority;

    @Option(name = "--mac-address",
            description = "MAC address of the sandbox's interface on the network, e.g. 02:42:ac:11:00:02 (unicast, "
                    + "not all zeros; default: the driver's choice, a random one on the bridge)")
    String macAddress;

    @Option(name = "--driver-opt", multiValued = true,
            description = "Endpoint driver option KEY=VALUE (repeatable): com.docker.network.endpoint.ifname=NAME "
                    + "names the interface in the sandbox; com.docker.network.endpoint.sysctls="
                    + "net.ipv4.conf.IFNAME.KEY=VALUE,... sets its sysctls (IFNAME stands for its name); other keys "
                    + "go to the network's driver")
    List<String> driverOpts;

    @Option(name = "--netns",
            description = "Adopt this existing namespace instead of creating one, e.g. /proc/PID/ns/net")
    String netns;

    @Argument(index = 0, name = "name", required = true, description = "Name of the sandbox")
    String name;

    @Override
    void run(PrintStream out) {
        OptionValues.NetworkArg first = OptionValues.network(network, ip, ip6, aliases, publish, gwPriority,
                macAddress, driverOpts);
        Path namespace = netns == null ? null : OptionValues.absolutePath("--netns", netns);
        SandboxInfo created = controller.createSandbox(new SandboxSpec(name, first.network(), first.endpoint(),
                namespace));
        out.println(created.id());
    }
}
