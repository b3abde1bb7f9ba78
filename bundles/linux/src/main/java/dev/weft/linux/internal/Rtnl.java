package dev.weft.linux.internal;

/** rtnetlink constants, transcribed from uapi linux/rtnetlink.h, if_link.h, if_addr.h, veth.h. */
public final class Rtnl {
    private Rtnl() {}

    // rtnetlink.h: message types
    public static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28, RTM_DELNEIGH = 29, RTM_GETNEIGH = 30;

    // socket.h
    public static final int AF_UNSPEC = 0, AF_INET = 2, AF_BRIDGE = 7, AF_INET6 = 10;

    // sizes of the fixed headers
    public static final int IFINFOMSG_LEN = 16, IFADDRMSG_LEN = 8, RTMSG_LEN = 12, NDMSG_LEN = 12;

    // if.h: interface flags
    public static final int IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40,
            IFF_NOARP = 0x80, IFF_PROMISC = 0x100, IFF_MULTICAST = 0x1000, IFF_LOWER_UP = 0x10000;

    // if_link.h: enum IFLA_*
    public static final int IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5,
            IFLA_MASTER = 10, IFLA_PROTINFO = 12, IFLA_TXQLEN = 13, IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18,
            IFLA_NET_NS_PID = 19, IFLA_IFALIAS = 20, IFLA_GROUP = 27, IFLA_NET_NS_FD = 28,
            IFLA_AF_SPEC = 26, IFLA_NUM_TX_QUEUES = 31, IFLA_NUM_RX_QUEUES = 32, IFLA_LINK_NETNSID = 37;
    // if_link.h: IFLA_INET6_* (inside IFLA_AF_SPEC / AF_INET6); IN6_ADDR_GEN_MODE_*
    public static final int IFLA_INET6_ADDR_GEN_MODE = 8, IN6_ADDR_GEN_MODE_NONE = 1;
    // if_link.h: IFLA_INFO_*
    public static final int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, IFLA_INFO_SLAVE_KIND = 4,
            IFLA_INFO_SLAVE_DATA = 5;
    // if_link.h: IFLA_BRPORT_* (bridge port attributes)
    public static final int IFLA_BRPORT_MODE = 4;
    // veth.h
    public static final int VETH_INFO_PEER = 1;
    // if_link.h: IFLA_MACVLAN_* (inside IFLA_INFO_DATA of kind macvlan); IFLA_VLAN_* (kind vlan)
    public static final int IFLA_MACVLAN_MODE = 1, IFLA_VLAN_ID = 1;
    // if_link.h: IFLA_VXLAN_* (inside IFLA_INFO_DATA of kind vxlan)
    public static final int IFLA_VXLAN_ID = 1, IFLA_VXLAN_LINK = 3, IFLA_VXLAN_LOCAL = 4, IFLA_VXLAN_LEARNING = 7,
            IFLA_VXLAN_PROXY = 11, IFLA_VXLAN_PORT = 15, IFLA_VXLAN_LOCAL6 = 17;

    // neighbour.h: struct ndmsg {u8 family; u8 pad1; u16 pad2; s32 ifindex; u16 state; u8 flags; u8 type}
    public static final int NDA_DST = 1, NDA_LLADDR = 2, NDA_MASTER = 9;
    public static final int NTF_SELF = 0x02, NTF_MASTER = 0x04;
    public static final int NUD_NOARP = 0x40, NUD_PERMANENT = 0x80;

    // if_addr.h
    public static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_FLAGS = 8;
    public static final int IFA_F_NODAD = 0x02, IFA_F_TENTATIVE = 0x40, IFA_F_PERMANENT = 0x80;

    // rtnetlink.h: routes
    public static final int RTA_DST = 1, RTA_SRC = 2, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6,
            RTA_PREFSRC = 7, RTA_TABLE = 15;
    public static final int RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255;
    public static final int RTPROT_KERNEL = 2, RTPROT_BOOT = 3, RTPROT_STATIC = 4;
    public static final int RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254, RT_SCOPE_NOWHERE = 255;
    public static final int RTN_UNICAST = 1, RTN_LOCAL = 2;
    public static final int RTNH_F_ONLINK = 4;
}
