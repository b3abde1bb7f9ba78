package dev.weft.api;

import java.net.InetAddress;
import java.util.List;

/**
 * How a sandbox joins a network ({@code network:connect}, or the first network of {@code sandbox:create}).
 *
 * @param ipv4       a static IPv4 address in the network's subnet, or null for the next free one; refused
 *                   for an IPv6-only network ({@link NetworkSpec#ipv4()} false), whose endpoints get none
 * @param ipv6       a static IPv6 address, or null
 * @param aliases    extra names of the sandbox on this network (name resolution)
 * @param ports      ports to publish through this network's driver
 * @param gwPriority Docker's {@code gw-priority}: of a sandbox's endpoints that have a gateway, the one
 *                   with the highest priority gives the sandbox its default route, IPv4 and IPv6 chosen
 *                   separately; on a tie the one connected first keeps it. Default 0; negative values
 *                   rank below the default.
 * @since 0.6.0 (gwPriority)
 */
public record EndpointSpec(InetAddress ipv4, InetAddress ipv6, List<String> aliases, List<PortSpec> ports,
                           int gwPriority) {

    public EndpointSpec {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** A request with gateway priority 0 (the form before 0.6.0). */
    public EndpointSpec(InetAddress ipv4, InetAddress ipv6, List<String> aliases, List<PortSpec> ports) {
        this(ipv4, ipv6, aliases, ports, 0);
    }

    public static EndpointSpec defaults() {
        return new EndpointSpec(null, null, List.of(), List.of(), 0);
    }

    /** The same request with another gateway priority. */
    public EndpointSpec withGwPriority(int priority) {
        return new EndpointSpec(ipv4, ipv6, aliases, ports, priority);
    }
}
