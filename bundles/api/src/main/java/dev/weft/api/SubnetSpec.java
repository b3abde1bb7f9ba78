package dev.weft.api;

import dev.weft.net.IpPrefix;
import java.net.InetAddress;
import java.util.Map;

/**
 * One subnet requested for a network ({@code --subnet}, {@code --ip-range}, {@code --gateway},
 * {@code --aux-address}). Everything but the subnet may be null or empty.
 *
 * @param subnet       the subnet, or null to get a free one from the default pools; a subnet of the
 *                     unspecified address ({@code 0.0.0.0/24}, {@code ::/64}) gets a free one of that
 *                     prefix length from them (Docker 29), and then takes no ip-range, gateway or
 *                     auxiliary address
 * @param ipRange      where endpoints without a static address get theirs; inside the subnet
 * @param gateway      the gateway address; inside the subnet, or for an IPv6 subnet an IPv6
 *                     link-local address ({@code fe80::/10}, as Docker accepts)
 * @param auxAddresses addresses reserved for other hosts on the network, by name; inside the subnet
 */
public record SubnetSpec(IpPrefix subnet, IpPrefix ipRange, InetAddress gateway, Map<String, InetAddress> auxAddresses) {

    public SubnetSpec {
        auxAddresses = auxAddresses == null ? Map.of() : Map.copyOf(auxAddresses);
    }

    public static SubnetSpec of(IpPrefix subnet) {
        return new SubnetSpec(subnet, null, null, Map.of());
    }
}
