package dev.weft.api;

import dev.weft.net.IpPrefix;
import java.net.InetAddress;
import java.util.Map;

/** A network's subnet as allocated: the subnet, its ip-range, gateway and auxiliary addresses. */
public record SubnetInfo(IpPrefix subnet, IpPrefix ipRange, InetAddress gateway, Map<String, InetAddress> auxAddresses) {
    public SubnetInfo {
        auxAddresses = auxAddresses == null ? Map.of() : Map.copyOf(auxAddresses);
    }
}
