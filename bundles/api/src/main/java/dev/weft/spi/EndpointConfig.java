package dev.weft.spi;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import java.net.InetAddress;
import java.util.List;

/**
 * One endpoint as the controller allocated it.
 *
 * @param id             64 hex characters
 * @param interfaceName  the name its interface gets inside the sandbox: eth0 for the sandbox's first
 *                       endpoint, eth1, … for further ones
 * @param ipv4           its IPv4 address and prefix length, or null
 * @param ipv6           its IPv6 address, or null
 * @param gateway4       the network's IPv4 gateway, or null
 * @param gateway6       the network's IPv6 gateway, or null
 * @param defaultRoute   this endpoint provides the sandbox's default routes (its first network);
 *                       other endpoints only add the routes of their subnets
 * @param mac            the MAC address recorded for it, or null to let the driver derive one (a
 *                       driver returns what it chose in {@link JoinInfo}, and gets it here on restore)
 * @param aliases        extra names on this network
 */
public record EndpointConfig(String id, String interfaceName, InterfaceAddress ipv4, InterfaceAddress ipv6,
                             InetAddress gateway4, InetAddress gateway6, boolean defaultRoute, MacAddress mac,
                             List<String> aliases) {
    public EndpointConfig {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    /** The first 12 characters of the id. */
    public String shortId() {
        return id.substring(0, 12);
    }
}
