package dev.weft.core.internal;

import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.linux.IpAddresses;
import dev.weft.linux.IpPrefix;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Map;

/**
 * What makes a requested subnet usable, checked before anything is allocated: its ip-range,
 * gateway and auxiliary addresses lie inside it, except that an IPv6 gateway may be link-local
 * (Docker accepts {@code --gateway fe80::1}; the bridge then carries it beside its own link-local).
 */
final class SubnetRules {
    private SubnetRules() {}

    static void check(String network, SubnetSpec s) {
        IpPrefix subnet = s.subnet();
        if (s.ipRange() != null && (s.ipRange().isIpv4() != subnet.isIpv4() || !subnet.contains(s.ipRange().address())
                || s.ipRange().length() < subnet.length())) {
            throw new WeftException.InvalidRequest("network \"" + network + "\": ip-range " + s.ipRange()
                    + " is not inside subnet " + subnet);
        }
        if (s.gateway() != null && !subnet.contains(s.gateway()) && !isLinkLocalGateway(subnet, s.gateway())) {
            throw new WeftException.InvalidRequest("network \"" + network + "\": gateway "
                    + IpAddresses.format(s.gateway()) + " is not inside subnet " + subnet
                    + (subnet.isIpv4() ? "" : "; an IPv6 gateway may also be link-local (fe80::/10)"));
        }
        for (Map.Entry<String, InetAddress> a : s.auxAddresses().entrySet()) {
            if (!subnet.contains(a.getValue())) {
                throw new WeftException.InvalidRequest("network \"" + network + "\": aux address " + a.getKey() + "="
                        + IpAddresses.format(a.getValue()) + " is not inside subnet " + subnet);
            }
        }
    }

    /**
     * An IPv6 link-local gateway outside its subnet: the bridge carries it (as a /64, the
     * link-local prefix), IPAM does not hand it out, and sandboxes route through it by device.
     */
    static boolean isLinkLocalGateway(IpPrefix subnet, InetAddress gateway) {
        return !subnet.isIpv4() && gateway instanceof Inet6Address && gateway.isLinkLocalAddress()
                && !subnet.contains(gateway);
    }
}
