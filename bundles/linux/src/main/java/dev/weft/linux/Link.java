package dev.weft.linux;

import dev.weft.net.MacAddress;
/**
 * A network interface as the kernel reports it.
 *
 * @param index      the interface index in its namespace
 * @param name       the interface name
 * @param kind       the link kind ({@code bridge}, {@code veth}, …) or null for physical/loopback
 * @param flags      IFF_* flags
 * @param mtu        the MTU
 * @param mac        the hardware address, or null
 * @param master     the master's index (e.g. the bridge a port is enslaved to), 0 for none
 * @param alias      the interface alias (Weft's ownership tag), or null
 * @param group      the link group
 * @param peerIndex  IFLA_LINK: for a veth, the peer's index (in the peer's namespace); for a macvlan or
 *                   vlan, its parent's index (in the parent's namespace); else 0
 * @param peerNetnsId the peer's namespace id as seen from here, or -1 when in the same namespace
 * @param slaveKind  the master's kind for a port ({@code bridge}), or null
 * @param macvlanMode for a macvlan link its mode ({@code IFLA_MACVLAN_MODE}), else null
 * @param vxlan      for a vxlan link its settings, else null; its {@code peerNetnsId} is then the
 *                   namespace its UDP socket is in (the one it was created from), -1 when that is here
 */
public record Link(int index, String name, String kind, int flags, int mtu, MacAddress mac, int master,
                   String alias, int group, int peerIndex, int peerNetnsId, String slaveKind,
                   MacvlanMode macvlanMode, VxlanSettings vxlan) {

    /** A link that is not a vxlan. */
    public Link(int index, String name, String kind, int flags, int mtu, MacAddress mac, int master,
                String alias, int group, int peerIndex, int peerNetnsId, String slaveKind, MacvlanMode macvlanMode) {
        this(index, name, kind, flags, mtu, mac, master, alias, group, peerIndex, peerNetnsId, slaveKind, macvlanMode,
                null);
    }

    /** A link that is not a macvlan. */
    public Link(int index, String name, String kind, int flags, int mtu, MacAddress mac, int master,
                String alias, int group, int peerIndex, int peerNetnsId, String slaveKind) {
        this(index, name, kind, flags, mtu, mac, master, alias, group, peerIndex, peerNetnsId, slaveKind, null);
    }

    public static final int IFF_UP = 0x1;
    public static final int IFF_LOWER_UP = 0x10000;

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** Up and with carrier (for a veth: both ends up). */
    public boolean hasCarrier() {
        return (flags & IFF_LOWER_UP) != 0;
    }
}
