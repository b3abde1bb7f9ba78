package dev.weft.api;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sandbox's attachment to a network.
 *
 * @param id            the endpoint's id (64 hex characters)
 * @param network       the network's name
 * @param networkId     the network's id
 * @param sandbox       the sandbox's name
 * @param sandboxId     the sandbox's id
 * @param interfaceName the interface inside the sandbox (eth0, eth1, …), or null for drivers without one
 * @param mac           its MAC address, or null
 * @param ipv4          its IPv4 address with prefix length, or null
 * @param ipv6          its IPv6 address, or null
 * @param aliases       extra names on this network
 * @param ports         published ports in force
 * @param gwPriority    its gateway priority ({@link EndpointSpec#gwPriority()})
 * @param defaultRoute4 it gives the sandbox its IPv4 default route (through the network's gateway)
 * @param defaultRoute6 it gives the sandbox its IPv6 default route
 * @param driverOptions the driver options it was connected with ({@link EndpointSpec#driverOptions()})
 * @param dnsNames      the names other sandboxes of the network resolve it by, Docker's {@code DNSNames}:
 *                      the sandbox's name, its aliases here, its id's first 12 characters and its
 *                      hostname; empty on networks without names (predefined ones, e.g. {@code bridge})
 * @param driverInfo    what its driver knows of it at run time (libnetwork's {@code EndpointOperInfo}, a
 *                      Docker plugin's answer), by key, values as text (JSON text for a plugin's values
 *                      that are not strings); filled only by {@code Controller.sandbox(name)}, for drivers
 *                      with {@link dev.weft.spi.EndpointOperationalInfo}; empty everywhere else (listings,
 *                      network views, events) and when the driver knows nothing, is away or fails
 * @since 0.6.0 (gwPriority, defaultRoute4, defaultRoute6), 0.7.0 (driverOptions), 0.9.0 (dnsNames),
 *        0.10.0 (driverInfo)
 */
public record EndpointInfo(String id, String network, String networkId, String sandbox, String sandboxId,
                           String interfaceName, MacAddress mac, InterfaceAddress ipv4, InterfaceAddress ipv6,
                           List<String> aliases, List<PortBinding> ports, int gwPriority, boolean defaultRoute4,
                           boolean defaultRoute6, Map<String, String> driverOptions, List<String> dnsNames,
                           Map<String, String> driverInfo) {
    public EndpointInfo {
        driverInfo = driverInfo == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(driverInfo));
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
        driverOptions = driverOptions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(driverOptions));
    }

    /** An endpoint without driver info (the form before 0.10.0). */
    public EndpointInfo(String id, String network, String networkId, String sandbox, String sandboxId,
                        String interfaceName, MacAddress mac, InterfaceAddress ipv4, InterfaceAddress ipv6,
                        List<String> aliases, List<PortBinding> ports, int gwPriority, boolean defaultRoute4,
                        boolean defaultRoute6, Map<String, String> driverOptions, List<String> dnsNames) {
        this(id, network, networkId, sandbox, sandboxId, interfaceName, mac, ipv4, ipv6, aliases, ports, gwPriority,
                defaultRoute4, defaultRoute6, driverOptions, dnsNames, Map.of());
    }

    /** The same endpoint with this driver info. */
    public EndpointInfo withDriverInfo(Map<String, String> info) {
        return new EndpointInfo(id, network, networkId, sandbox, sandboxId, interfaceName, mac, ipv4, ipv6, aliases,
                ports, gwPriority, defaultRoute4, defaultRoute6, driverOptions, dnsNames, info);
    }

    /** An endpoint without DNS names (the form before 0.9.0). */
    public EndpointInfo(String id, String network, String networkId, String sandbox, String sandboxId,
                        String interfaceName, MacAddress mac, InterfaceAddress ipv4, InterfaceAddress ipv6,
                        List<String> aliases, List<PortBinding> ports, int gwPriority, boolean defaultRoute4,
                        boolean defaultRoute6, Map<String, String> driverOptions) {
        this(id, network, networkId, sandbox, sandboxId, interfaceName, mac, ipv4, ipv6, aliases, ports, gwPriority,
                defaultRoute4, defaultRoute6, driverOptions, List.of());
    }

    /** The same endpoint with these DNS names. */
    public EndpointInfo withDnsNames(List<String> names) {
        return new EndpointInfo(id, network, networkId, sandbox, sandboxId, interfaceName, mac, ipv4, ipv6, aliases,
                ports, gwPriority, defaultRoute4, defaultRoute6, driverOptions, names, driverInfo);
    }

    /** An endpoint without driver options (the form before 0.7.0). */
    public EndpointInfo(String id, String network, String networkId, String sandbox, String sandboxId,
                        String interfaceName, MacAddress mac, InterfaceAddress ipv4, InterfaceAddress ipv6,
                        List<String> aliases, List<PortBinding> ports, int gwPriority, boolean defaultRoute4,
                        boolean defaultRoute6) {
        this(id, network, networkId, sandbox, sandboxId, interfaceName, mac, ipv4, ipv6, aliases, ports, gwPriority,
                defaultRoute4, defaultRoute6, Map.of());
    }

    /** An endpoint with gateway priority 0 that gives no default route (the form before 0.6.0). */
    public EndpointInfo(String id, String network, String networkId, String sandbox, String sandboxId,
                        String interfaceName, MacAddress mac, InterfaceAddress ipv4, InterfaceAddress ipv6,
                        List<String> aliases, List<PortBinding> ports) {
        this(id, network, networkId, sandbox, sandboxId, interfaceName, mac, ipv4, ipv6, aliases, ports, 0, false, false);
    }
}
