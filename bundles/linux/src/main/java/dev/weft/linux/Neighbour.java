package dev.weft.linux;

import dev.weft.net.MacAddress;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A neighbour (ARP or NDP) entry of a link: {@code ip neigh replace IP lladdr MAC dev IF nud permanent}.
 * On a vxlan link with {@code proxy}, the link answers ARP and neighbour solicitations from these.
 *
 * @param linkIndex the link in the namespace of the socket
 * @param address   the IPv4 or IPv6 address ({@code NDA_DST}); its family is the entry's
 * @param mac       its link-layer address ({@code NDA_LLADDR}), or null (an incomplete entry)
 * @param state     {@code NUD_*} state, e.g. {@link #NUD_PERMANENT}
 */
public record Neighbour(int linkIndex, InetAddress address, MacAddress mac, int state) {
    public static final int NUD_PERMANENT = 0x80;

    public Neighbour {
        Objects.requireNonNull(address, "address");
    }

    /** {@code IP lladdr MAC dev IFINDEX nud permanent}. */
    public static Neighbour permanent(int linkIndex, InetAddress address, MacAddress mac) {
        return new Neighbour(linkIndex, address, Objects.requireNonNull(mac, "mac"), NUD_PERMANENT);
    }

    public boolean isPermanent() {
        return (state & NUD_PERMANENT) != 0;
    }
}
