package dev.weft.core.internal.store;

import dev.weft.api.PortBinding;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An endpoint as stored in the runtime directory; its addresses are the IPAM leases rebuilt at start.
 * Typed: the values are parsed once, when the record is read ({@link Store}).
 *
 * @param interfaceName inside the sandbox (eth0, …)
 * @param ipv4          address with prefix, or null
 * @param ipv6          address with prefix, or null
 * @param mac           as the driver reported it, or null
 * @param defaultRoute  it gives the sandbox its default routes
 * @param ports         published ports in force; in the file as the API's {@link PortBinding}
 *                      prints them ({@code protocol}, {@code hostIp} (absent for every address),
 *                      {@code hostPort}, {@code containerPort}), so a change to that record changes
 *                      the files ({@code StoreFormatTest} says so)
 */
public record EndpointRecord(String id, String network, String sandbox, State state, String interfaceName,
                             InterfaceAddress ipv4, InterfaceAddress ipv6, MacAddress mac, boolean defaultRoute,
                             List<String> aliases, List<PortBinding> ports) {

    public EndpointRecord {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public EndpointRecord withState(State s) {
        return new EndpointRecord(id, network, sandbox, s, interfaceName, ipv4, ipv6, mac, defaultRoute,
                aliases, ports);
    }

    public EndpointRecord joined(MacAddress m) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, m, defaultRoute,
                aliases, ports);
    }

    public EndpointRecord withPorts(List<PortBinding> p) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, mac,
                defaultRoute, aliases, p);
    }

    /** What its driver is told about it on {@code network}: its addresses with the network's gateways. */
    public EndpointConfig config(NetworkRecord network) {
        return new EndpointConfig(id, interfaceName, ipv4, ipv6, ipv4 == null ? null : network.gateway(true),
                ipv6 == null ? null : network.gateway(false), defaultRoute, mac, aliases);
    }

    /** Its addresses, IPv4 first. */
    public List<InterfaceAddress> addresses() {
        return Stream.of(ipv4, ipv6).filter(Objects::nonNull).toList();
    }

    /** What its driver reported when it joined, as recorded. */
    public JoinInfo joinInfo() {
        return new JoinInfo(interfaceName, mac);
    }
}
