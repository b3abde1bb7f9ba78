package dev.weft.core.internal.store;

import java.util.List;

/**
 * An endpoint as stored in the runtime directory; its addresses are the IPAM leases rebuilt at start.
 *
 * @param interfaceName inside the sandbox (eth0, …)
 * @param ipv4          address with prefix, or null
 * @param ipv6          address with prefix, or null
 * @param mac           as the driver reported it, or null
 * @param defaultRoute  it gives the sandbox its default routes
 * @param ports         published ports in force
 */
public record EndpointRecord(String id, String network, String sandbox, State state, String interfaceName,
                             String ipv4, String ipv6, String mac, boolean defaultRoute,
                             List<String> aliases, List<PortRecord> ports) {

    public EndpointRecord {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public EndpointRecord withState(State s) {
        return new EndpointRecord(id, network, sandbox, s, interfaceName, ipv4, ipv6, mac, defaultRoute,
                aliases, ports);
    }

    public EndpointRecord joined(String m) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, m, defaultRoute,
                aliases, ports);
    }

    public EndpointRecord withPorts(List<PortRecord> p) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, mac,
                defaultRoute, aliases, p);
    }

    /** A published port: host address (null for all), host port, container port, protocol. */
    public record PortRecord(String protocol, String hostIp, int hostPort, int containerPort) {}
}
