package dev.weft.linux;

import dev.weft.net.MacAddress;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A forwarding database entry of a link (family {@code AF_BRIDGE}): on a vxlan link with
 * {@link #NTF_SELF} it sends frames for {@code mac} through the tunnel to {@code dst}, the remote
 * VTEP ({@code bridge fdb replace MAC dev vxlan0 dst VTEP self permanent}).
 *
 * @param linkIndex the link (the vxlan) in the namespace of the socket
 * @param mac       the destination MAC ({@code NDA_LLADDR})
 * @param dst       the remote VTEP ({@code NDA_DST}), or null (a bridge's own entries have none)
 * @param state     {@code NUD_*} state, e.g. {@link #NUD_PERMANENT}
 * @param flags     {@code NTF_*} flags: {@link #NTF_SELF} (the link's own table) or {@link #NTF_MASTER} (its bridge's)
 */
public record FdbEntry(int linkIndex, MacAddress mac, InetAddress dst, int state, int flags) {
    public static final int NTF_SELF = 0x02;
    public static final int NTF_MASTER = 0x04;
    public static final int NUD_PERMANENT = 0x80;

    public FdbEntry {
        Objects.requireNonNull(mac, "mac");
    }

    /** {@code MAC dev IFINDEX dst VTEP self permanent}: what a vxlan link needs per remote MAC. */
    public static FdbEntry toVtep(int linkIndex, MacAddress mac, InetAddress vtep) {
        return new FdbEntry(linkIndex, mac, Objects.requireNonNull(vtep, "vtep"), NUD_PERMANENT, NTF_SELF);
    }

    /** In the link's own table ({@code self}), not its bridge's. */
    public boolean isSelf() {
        return (flags & NTF_SELF) != 0;
    }

    public boolean isPermanent() {
        return (state & NUD_PERMANENT) != 0;
    }
}
