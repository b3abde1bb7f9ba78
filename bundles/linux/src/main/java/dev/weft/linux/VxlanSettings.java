package dev.weft.linux;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A vxlan link's settings ({@code IFLA_INFO_DATA} of kind {@code vxlan}), as given at creation and
 * as the kernel reports them. The kernel cannot change learning or proxy in place: a link with
 * other flags must be deleted and made again.
 *
 * @param vni        the VXLAN network identifier, 1-16777215 ({@code IFLA_VXLAN_ID}; 0 only as read back)
 * @param local      the source address of the tunnel's packets, its VTEP ({@code IFLA_VXLAN_LOCAL}
 *                   or {@code LOCAL6}), or null
 * @param port       the UDP destination port ({@code IFLA_VXLAN_PORT}, sent in network byte order),
 *                   e.g. 4789
 * @param learning   whether the link learns remote MACs from received packets
 * @param proxy      whether it answers ARP and neighbour solicitations from its own neighbour table
 *                   ({@code proxy}) instead of sending them to the peers
 * @param lowerIndex the underlay link ({@code IFLA_VXLAN_LINK}, iproute2's {@code dev}) by its index
 *                   in the creating socket's namespace, or 0 for none
 */
public record VxlanSettings(int vni, InetAddress local, int port, boolean learning, boolean proxy, int lowerIndex) {
    /** The highest VNI (24 bits). */
    public static final int MAX_VNI = 0xffffff;
    /** The IANA port of VXLAN (RFC 7348). */
    public static final int IANA_PORT = 4789;

    public VxlanSettings {
        if (vni < 0 || vni > MAX_VNI) {
            throw new IllegalArgumentException("VNI " + vni + " is out of range 1-" + MAX_VNI);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("VXLAN port " + port + " is out of range 0-65535");
        }
        if (lowerIndex < 0) {
            throw new IllegalArgumentException("underlay link index " + lowerIndex + " is not valid");
        }
    }

    /** The same settings with the underlay link {@code index}. */
    public VxlanSettings withLowerIndex(int index) {
        return new VxlanSettings(vni, local, port, learning, proxy, index);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VxlanSettings v && vni == v.vni && Objects.equals(local, v.local) && port == v.port
                && learning == v.learning && proxy == v.proxy && lowerIndex == v.lowerIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(vni, local, port, learning, proxy, lowerIndex);
    }
}
