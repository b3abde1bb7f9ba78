package dev.weft.api;

import java.net.InetAddress;
import java.util.List;

/**
 * How a sandbox joins a network ({@code network:connect}, or the first network of {@code sandbox:create}).
 *
 * @param ipv4    a static IPv4 address in the network's subnet, or null for the next free one
 * @param ipv6    a static IPv6 address, or null
 * @param aliases extra names of the sandbox on this network (name resolution)
 * @param ports   ports to publish through this network's driver
 */
public record EndpointSpec(InetAddress ipv4, InetAddress ipv6, List<String> aliases, List<PortSpec> ports) {

    public EndpointSpec {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public static EndpointSpec defaults() {
        return new EndpointSpec(null, null, List.of(), List.of());
    }
}
