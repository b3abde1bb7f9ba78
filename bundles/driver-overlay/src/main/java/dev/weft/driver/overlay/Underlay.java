package dev.weft.driver.overlay;

import dev.weft.api.WeftException;
import dev.weft.linux.AddressInfo;
import dev.weft.linux.Kernel;
import dev.weft.linux.Link;
import dev.weft.net.IpAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The host's link to the other hosts of the cluster: the interface of the host namespace that
 * holds the advertise address (the VTEP). Its MTU bounds the overlay's: a VXLAN packet carries the
 * frame plus 50 bytes over IPv4 (outer IPv4 20, UDP 8, VXLAN 8, inner Ethernet 14), 70 over IPv6.
 *
 * @param device the interface's name
 * @param mtu    its MTU
 * @param vtep   the advertise address
 */
record Underlay(String device, int mtu, InetAddress vtep) {
    static final int OVERHEAD_IPV4 = 50;
    static final int OVERHEAD_IPV6 = 70;

    /** Finds the interface holding {@code vtep} in the host namespace, or refuses naming what is missing. */
    static Underlay of(Kernel kernel, InetAddress vtep) {
        for (AddressInfo a : kernel.host().addresses(vtep instanceof Inet6Address ? 10 : 2)) {
            if (a.address().address().equals(vtep)) {
                Link link = kernel.host().link(a.linkIndex()).orElse(null);
                if (link != null) {
                    return new Underlay(link.name(), link.mtu(), vtep);
                }
            }
        }
        throw new WeftException.InvalidRequest("this host's cluster advertise address " + IpAddresses.format(vtep)
                + " (weft.cluster.advertise) is on no interface of the host namespace " + kernel.hostNamespace().path()
                + ": overlay tunnels start there; set it to an address of this host's interface towards the others");
    }

    /** The largest overlay MTU: the underlay's less the VXLAN overhead. */
    int maxOverlayMtu() {
        return mtu - (vtep instanceof Inet6Address ? OVERHEAD_IPV6 : OVERHEAD_IPV4);
    }
}
