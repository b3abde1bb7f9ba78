package dev.weft.core.internal.store;

import java.util.List;

/**
 * An endpoint as stored in the runtime directory; its addresses are the IPAM leases rebuilt at start.
 *
 * @param interfaceName inside the sandbox (eth0, …)
 * @param ipv4          address with prefix, or null
 * @param ipv6          address with prefix, or null
 * @param mac           as the driver reported it, or null
 * @param defaultRoute  it gives the sandbox its IPv4 default route (in records written before gateway
 *                      priorities: its default routes, both families)
 * @param ports         published ports in force
 * @param defaultRoute6 it gives the sandbox its IPv6 default route; absent (null) in records written
 *                      before gateway priorities, where {@code defaultRoute} said it for both families
 * @param gwPriority    its gateway priority (Docker's gw-priority; 0 in records written before)
 */
public record EndpointRecord(String id, String network, String sandbox, State state, String interfaceName,
                             String ipv4, String ipv6, String mac, boolean defaultRoute,
                             List<String> aliases, List<PortRecord> ports, Boolean defaultRoute6, int gwPriority) {

    public EndpointRecord {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
        defaultRoute6 = defaultRoute6 == null ? defaultRoute : defaultRoute6;
    }

    /** An endpoint of priority 0 whose {@code defaultRoute} stands for both families (the form before gw-priority). */
    public EndpointRecord(String id, String network, String sandbox, State state, String interfaceName, String ipv4,
                          String ipv6, String mac, boolean defaultRoute, List<String> aliases, List<PortRecord> ports) {
        this(id, network, sandbox, state, interfaceName, ipv4, ipv6, mac, defaultRoute, aliases, ports, null, 0);
    }

    public EndpointRecord withState(State s) {
        return new EndpointRecord(id, network, sandbox, s, interfaceName, ipv4, ipv6, mac, defaultRoute,
                aliases, ports, defaultRoute6, gwPriority);
    }

    public EndpointRecord joined(String m) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, m, defaultRoute,
                aliases, ports, defaultRoute6, gwPriority);
    }

    public EndpointRecord withPorts(List<PortRecord> p) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, mac,
                defaultRoute, aliases, p, defaultRoute6, gwPriority);
    }

    /** The same endpoint giving the sandbox's IPv4 and IPv6 default routes as said. */
    public EndpointRecord withDefaultRoutes(boolean v4, boolean v6) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, mac, v4, aliases, ports,
                v6, gwPriority);
    }

    /** A published port: host address (null for all), host port, container port, protocol. */
    public record PortRecord(String protocol, String hostIp, int hostPort, int containerPort) {}
}
