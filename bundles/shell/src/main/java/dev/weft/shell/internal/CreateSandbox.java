package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.DnsSettings;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxLink;
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
                + "the one connected first): see network:connect. Names, as docker run's: --hostname is the name "
                + "the sandbox calls itself (in its hosts file, and a name others resolve it by on user-defined "
                + "networks; default: its name); --dns, --dns-search and --dns-option set its resolv.conf (on a "
                + "network where Weft serves names, its resolv.conf names Weft's server and the --dns servers are "
                + "where that server forwards its other names); --link NAME[:ALIAS] puts another sandbox on the "
                + "default bridge network into its hosts file. sandbox:inspect shows the resolv.conf and hosts "
                + "that result (for an adopted --netns namespace, the files its owner should install).")
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

    @Option(name = "--hostname",
            description = "Name the sandbox calls itself, as docker run --hostname (default: the sandbox's name): "
                    + "in its hosts file with its address, and a name other sandboxes resolve it by on user-defined "
                    + "networks")
    String hostname;

    @Option(name = "--dns", multiValued = true,
            description = "Name server, as docker run --dns (repeatable, at most 3 used): an IPv4 or IPv6 address "
                    + "like 192.0.2.53 or 2001:db8::53, or a link-local one with its scope, single-quoted (the shell "
                    + "reads % otherwise): 'fe80::1%eth0' (default: the host's; where Weft serves names, the servers "
                    + "its server forwards other names to)")
    List<String> dns;

    @Option(name = "--dns-search", multiValued = true,
            description = "DNS search domain for the sandbox's resolv.conf, as docker run --dns-search "
                    + "(repeatable), e.g. example.com")
    List<String> dnsSearch;

    @Option(name = "--dns-option", multiValued = true,
            description = "Resolver option for the sandbox's resolv.conf, as docker run --dns-option (repeatable), "
                    + "e.g. ndots:2 or edns0")
    List<String> dnsOptions;

    @Option(name = "--link", multiValued = true,
            description = "Legacy link NAME[:ALIAS] to another sandbox on the default bridge network, as docker run "
                    + "--link (repeatable): its address goes into this sandbox's hosts file under its name and ALIAS")
    @Completion(SandboxNames.class)
    List<String> links;

    @Argument(index = 0, name = "name", required = true, description = "Name of the sandbox")
    String name;

    @Override
    void run(PrintStream out) {
        OptionValues.NetworkArg first = OptionValues.network(network, ip, ip6, aliases, publish, gwPriority,
                macAddress, driverOpts);
        Path namespace = netns == null ? null : OptionValues.absolutePath("--netns", netns);
        DnsSettings dnsSettings = new DnsSettings(OptionValues.dnsServers("--dns", dns),
                OptionValues.orEmpty(dnsSearch), OptionValues.orEmpty(dnsOptions));
        List<SandboxLink> sandboxLinks = OptionValues.links(links);
        if (hostname != null && (hostname.isBlank() || hostname.chars().anyMatch(Character::isWhitespace))) {
            throw OptionValues.invalid("--hostname", hostname, "expected a name without spaces, e.g. web1");
        }
        SandboxSpec spec = new SandboxSpec(name, first.network(), first.endpoint(), namespace, hostname, dnsSettings,
                sandboxLinks);
        SandboxInfo created = controller.createSandbox(spec);
        out.println(created.id());
    }
}
