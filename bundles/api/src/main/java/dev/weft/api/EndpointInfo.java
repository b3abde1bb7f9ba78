package dev.weft.api;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import java.util.List;

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
 */
public record EndpointInfo(String id, String network, String networkId, String sandbox, String sandboxId,
                           String interfaceName, MacAddress mac, InterfaceAddress ipv4, InterfaceAddress ipv6,
                           List<String> aliases, List<PortBinding> ports) {
    public EndpointInfo {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }
}
