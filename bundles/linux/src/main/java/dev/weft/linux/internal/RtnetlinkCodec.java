package dev.weft.linux.internal;

import static dev.weft.linux.internal.Rtnl.*;

import dev.weft.linux.AddressInfo;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.MacvlanMode;
import dev.weft.linux.Route;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import dev.weft.linux.FdbEntry;
import dev.weft.linux.Neighbour;
import dev.weft.linux.VxlanSettings;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.function.ToIntFunction;

/**
 * Encodes rtnetlink requests into a {@link NlMessageBuilder} and decodes the kernel's answers.
 * No I/O here: unit tests compare the bytes against fixed arrays.
 */
public final class RtnetlinkCodec {
    private RtnetlinkCodec() {}

    private static final int CREATE = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE
            | Netlink.NLM_F_EXCL;
    private static final int CHANGE = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    private static void ifinfomsg(NlMessageBuilder b, int family, int index, int flags, int change) {
        b.u8(family).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    /**
     * RTM_NEWLINK creating {@code spec}. {@code nsFd} turns a namespace into an open descriptor the
     * caller closes after the send; {@code masterIndex} resolves the master's name (0 = none).
     */
    public static void newLink(NlMessageBuilder b, LinkSpec spec, ToIntFunction<NetNamespace> nsFd, int masterIndex) {
        b.begin(RTM_NEWLINK, CREATE, NlMessageBuilder.Expect.ACK);
        int up = spec.isUp() ? IFF_UP : 0;
        ifinfomsg(b, AF_UNSPEC, 0, up, up);
        b.attrString(IFLA_IFNAME, spec.name());
        if (spec.mtuValue() != null) {
            b.attrU32(IFLA_MTU, spec.mtuValue());
        }
        if (spec.macValue() != null) {
            b.attr(IFLA_ADDRESS, spec.macValue().bytes());
        }
        if (spec.lowerIndex() > 0) {
            b.attrU32(IFLA_LINK, spec.lowerIndex());
        }
        if (masterIndex > 0) {
            b.attrU32(IFLA_MASTER, masterIndex);
        }
        if (spec.groupValue() != null) {
            b.attrU32(IFLA_GROUP, spec.groupValue());
        }
        if (spec.namespace() != null) {
            b.attrU32(IFLA_NET_NS_FD, nsFd.applyAsInt(spec.namespace()));
        }
        LinkSpec.Peer peer = spec.peer();
        if (peer != null) {
            oneQueue(b);
        }
        int info = b.nest(IFLA_LINKINFO);
        b.attrString(IFLA_INFO_KIND, spec.kind());
        if (peer != null) {
            int data = b.nest(IFLA_INFO_DATA);
            int p = b.nest(VETH_INFO_PEER);
            // No IFF_UP for the peer: the kernel opens it before the pair is linked (ENOTCONN).
            // Bring it up with a request in its namespace.
            ifinfomsg(b, AF_UNSPEC, 0, 0, 0);
            b.attrString(IFLA_IFNAME, peer.name());
            if (peer.mtuValue() != null) {
                b.attrU32(IFLA_MTU, peer.mtuValue());
            }
            if (peer.macValue() != null) {
                b.attr(IFLA_ADDRESS, peer.macValue().bytes());
            }
            if (peer.namespace() != null) {
                b.attrU32(IFLA_NET_NS_FD, nsFd.applyAsInt(peer.namespace()));
            }
            oneQueue(b);
            b.endNest(p);
            b.endNest(data);
        } else if (spec.macvlanModeValue() != null) {
            int data = b.nest(IFLA_INFO_DATA);
            b.attrU32(IFLA_MACVLAN_MODE, spec.macvlanModeValue().value());
            b.endNest(data);
        } else if (spec.vlanIdValue() != null) {
            int data = b.nest(IFLA_INFO_DATA);
            b.attrU16(IFLA_VLAN_ID, spec.vlanIdValue());
            b.endNest(data);
        } else if (spec.vxlanValue() != null) {
            VxlanSettings v = spec.vxlanValue();
            int data = b.nest(IFLA_INFO_DATA);
            b.attrU32(IFLA_VXLAN_ID, v.vni());
            if (v.local() != null) {
                b.attrAddress(v.local() instanceof Inet6Address ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL, v.local());
            }
            if (v.lowerIndex() > 0) {
                b.attrU32(IFLA_VXLAN_LINK, v.lowerIndex());
            }
            b.attrU8(IFLA_VXLAN_LEARNING, v.learning() ? 1 : 0);
            b.attrU8(IFLA_VXLAN_PROXY, v.proxy() ? 1 : 0);
            b.attrBe16(IFLA_VXLAN_PORT, v.port()); // network byte order, unlike every other number here
            b.endNest(data);
        }
        b.endNest(info);
        // The alias cannot be given at creation (rtnl_newlink ignores IFLA_IFALIAS there): set it after.
        if (spec.aliasValue() != null && spec.namespace() == null) {
            b.begin(RTM_NEWLINK, CHANGE, NlMessageBuilder.Expect.ACK);
            ifinfomsg(b, AF_UNSPEC, 0, 0, 0);
            b.attrString(IFLA_IFNAME, spec.name());
            b.attrString(IFLA_IFALIAS, spec.aliasValue());
        }
    }

    /**
     * One tx and one rx queue, given explicitly. A veth made without them gets one queue per
     * possible CPU, and the kernel then cuts the real number down to one on the registered device,
     * which waits for an RCU grace period per end under the configuration lock (10–20 ms each on a
     * busy VM, seen with perf: {@code netif_set_real_num_tx_queues < veth_init_queues}). The
     * result is the same one real queue per end as the default, without the waits.
     */
    private static void oneQueue(NlMessageBuilder b) {
        b.attrU32(IFLA_NUM_TX_QUEUES, 1);
        b.attrU32(IFLA_NUM_RX_QUEUES, 1);
    }

    /** RTM_NEWLINK changing an existing link (and a second message for hairpin, if asked). */
    public static void setLink(NlMessageBuilder b, LinkChange c, int masterIndex) {
        setLink(b, c, masterIndex, ns -> {
            throw new IllegalArgumentException("moving link " + c.target() + " to namespace " + ns.path()
                    + " needs a namespace descriptor");
        });
    }

    /**
     * As {@link #setLink(NlMessageBuilder, LinkChange, int)}; {@code nsFd} turns the namespace of
     * {@link LinkChange#moveTo} into an open descriptor the caller closes after the send. The kernel
     * moves the link first, under IFLA_IFNAME as its name there, then applies the rest.
     */
    public static void setLink(NlMessageBuilder b, LinkChange c, int masterIndex, ToIntFunction<NetNamespace> nsFd) {
        if (c.namespaceValue() != null && c.index() == 0) {
            throw new IllegalArgumentException("cannot move link \"" + c.name() + "\" by name: address the link by "
                    + "its index (LinkChange.of(index))");
        }
        // The kernel finds a link given without an index by IFLA_IFNAME, so that attribute cannot
        // also carry a new name: the rename would be dropped without an error.
        if (c.index() == 0 && c.newName() != null) {
            throw new IllegalArgumentException("cannot rename link \"" + c.name() + "\" to \"" + c.newName()
                    + "\" by name: address the link by its index (LinkChange.of(index))");
        }
        if (c.noIpv6LinkLocalValue()) {
            // its own message, before the one that may bring the link up: the kernel applies
            // IFLA_AF_SPEC after the flags within one message, too late to prevent the address
            b.begin(RTM_NEWLINK, CHANGE, NlMessageBuilder.Expect.ACK);
            ifinfomsg(b, AF_UNSPEC, c.index(), 0, 0);
            if (c.index() == 0) {
                b.attrString(IFLA_IFNAME, c.name());
            }
            int spec = b.nest(IFLA_AF_SPEC);
            int inet6 = b.nest(AF_INET6);
            b.attrU8(IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
            b.endNest(inet6);
            b.endNest(spec);
        }
        b.begin(RTM_NEWLINK, CHANGE, NlMessageBuilder.Expect.ACK);
        int flags = 0, change = 0;
        if (c.upValue() != null) {
            change = IFF_UP;
            flags = c.upValue() ? IFF_UP : 0;
        }
        ifinfomsg(b, AF_UNSPEC, c.index(), flags, change);
        if (c.index() == 0) {
            b.attrString(IFLA_IFNAME, c.name());
        } else if (c.newName() != null) {
            b.attrString(IFLA_IFNAME, c.newName());
        }
        if (c.namespaceValue() != null) {
            b.attrU32(IFLA_NET_NS_FD, nsFd.applyAsInt(c.namespaceValue()));
        }
        if (c.mtuValue() != null) {
            b.attrU32(IFLA_MTU, c.mtuValue());
        }
        if (c.macValue() != null) {
            b.attr(IFLA_ADDRESS, c.macValue().bytes());
        }
        if (masterIndex >= 0) {
            b.attrU32(IFLA_MASTER, masterIndex);
        }
        if (c.aliasValue() != null) {
            b.attrString(IFLA_IFALIAS, c.aliasValue());
        }
        if (c.groupValue() != null) {
            b.attrU32(IFLA_GROUP, c.groupValue());
        }
        if (c.hairpinValue() != null) {
            b.begin(RTM_NEWLINK, CHANGE, NlMessageBuilder.Expect.ACK);
            ifinfomsg(b, AF_UNSPEC, c.index(), 0, 0);
            if (c.index() == 0) {
                b.attrString(IFLA_IFNAME, c.newName() != null ? c.newName() : c.name());
            }
            int info = b.nest(IFLA_LINKINFO);
            b.attrString(IFLA_INFO_SLAVE_KIND, "bridge");
            int data = b.nest(IFLA_INFO_SLAVE_DATA);
            b.attrU8(IFLA_BRPORT_MODE, c.hairpinValue() ? 1 : 0);
            b.endNest(data);
            b.endNest(info);
        }
    }

    /** RTM_DELLINK by name (index 0) or by index. */
    public static void delLink(NlMessageBuilder b, String name, int index) {
        b.begin(RTM_DELLINK, CHANGE, NlMessageBuilder.Expect.ACK);
        ifinfomsg(b, AF_UNSPEC, index, 0, 0);
        if (index == 0) {
            b.attrString(IFLA_IFNAME, name);
        }
    }

    /** RTM_GETLINK for one link by name (index 0) or index. */
    public static void getLink(NlMessageBuilder b, String name, int index) {
        b.begin(RTM_GETLINK, Netlink.NLM_F_REQUEST, NlMessageBuilder.Expect.REPLY);
        ifinfomsg(b, AF_UNSPEC, index, 0, 0);
        if (index == 0) {
            b.attrString(IFLA_IFNAME, name);
        }
    }

    public static void dumpLinks(NlMessageBuilder b) {
        b.begin(RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, NlMessageBuilder.Expect.DUMP);
        ifinfomsg(b, AF_UNSPEC, 0, 0, 0);
    }

    /** RTM_NEWADDR / RTM_DELADDR. IPv6 addresses are added without duplicate address detection. */
    public static void address(NlMessageBuilder b, boolean add, int index, InterfaceAddress a) {
        b.begin(add ? RTM_NEWADDR : RTM_DELADDR, add ? CREATE : CHANGE, NlMessageBuilder.Expect.ACK);
        boolean v4 = a.isIpv4();
        int flags = v4 ? 0 : IFA_F_NODAD;
        b.u8(v4 ? AF_INET : AF_INET6).u8(a.prefixLength()).u8(flags).u8(RT_SCOPE_UNIVERSE).u32(index);
        b.attrAddress(IFA_LOCAL, a.address());
        b.attrAddress(IFA_ADDRESS, a.address());
        if (add && !v4) {
            b.attrU32(IFA_FLAGS, flags);
        }
    }

    public static void dumpAddresses(NlMessageBuilder b, int family) {
        b.begin(RTM_GETADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, NlMessageBuilder.Expect.DUMP);
        b.u8(family).u8(0).u8(0).u8(0).u32(0);
    }

    /** RTM_NEWROUTE / RTM_DELROUTE in the main table. A delete matches any scope (RT_SCOPE_NOWHERE), as iproute2's. */
    public static void route(NlMessageBuilder b, boolean add, Route r) {
        b.begin(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? CREATE : CHANGE, NlMessageBuilder.Expect.ACK);
        int family = r.isIpv4() ? AF_INET : AF_INET6;
        int scope = r.gateway() == null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        b.u8(family).u8(r.destination().length()).u8(0).u8(0)
                .u8(RT_TABLE_MAIN).u8(add ? RTPROT_BOOT : 0).u8(add ? scope : RT_SCOPE_NOWHERE).u8(add ? RTN_UNICAST : 0)
                .u32(r.onLink() ? RTNH_F_ONLINK : 0);
        if (!r.destination().isDefault()) {
            b.attrAddress(RTA_DST, r.destination().address());
        }
        if (r.gateway() != null) {
            b.attrAddress(RTA_GATEWAY, r.gateway());
        }
        if (r.device() > 0) {
            b.attrU32(RTA_OIF, r.device());
        }
        if (r.metric() != 0) { // unsigned: a metric above 2147483647 is a negative int
            b.attrU32(RTA_PRIORITY, r.metric());
        }
    }

    public static void dumpRoutes(NlMessageBuilder b, int family) {
        b.begin(RTM_GETROUTE, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, NlMessageBuilder.Expect.DUMP);
        b.u8(family).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    }

    private static final int REPLACE = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE
            | Netlink.NLM_F_REPLACE;

    private static void ndmsg(NlMessageBuilder b, int family, int index, int state, int flags) {
        b.u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(0);
    }

    /** RTM_NEWNEIGH (create or replace) / RTM_DELNEIGH of an ARP/NDP entry. */
    public static void neighbour(NlMessageBuilder b, boolean replace, Neighbour n) {
        b.begin(replace ? RTM_NEWNEIGH : RTM_DELNEIGH, replace ? REPLACE : CHANGE, NlMessageBuilder.Expect.ACK);
        ndmsg(b, n.address() instanceof Inet6Address ? AF_INET6 : AF_INET, n.linkIndex(), replace ? n.state() : 0, 0);
        b.attrAddress(NDA_DST, n.address());
        if (replace && n.mac() != null) {
            b.attr(NDA_LLADDR, n.mac().bytes());
        }
    }

    /**
     * RTM_NEWNEIGH (create or replace) / RTM_DELNEIGH of a forwarding entry (family AF_BRIDGE). A
     * delete with a {@code dst} removes only that remote of the MAC's entry, without one the whole entry.
     */
    public static void fdb(NlMessageBuilder b, boolean replace, FdbEntry e) {
        b.begin(replace ? RTM_NEWNEIGH : RTM_DELNEIGH, replace ? REPLACE : CHANGE, NlMessageBuilder.Expect.ACK);
        ndmsg(b, AF_BRIDGE, e.linkIndex(), replace ? e.state() : 0, e.flags());
        b.attr(NDA_LLADDR, e.mac().bytes());
        if (e.dst() != null) {
            b.attrAddress(NDA_DST, e.dst());
        }
    }

    /**
     * RTM_GETNEIGH dump of a family: AF_INET or AF_INET6 (neighbours) or AF_BRIDGE (forwarding
     * entries of every link). The header is a bare ndmsg, shorter than an ifinfomsg, so the kernel
     * applies no filter to a bridge dump.
     */
    public static void dumpNeighbours(NlMessageBuilder b, int family) {
        b.begin(RTM_GETNEIGH, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, NlMessageBuilder.Expect.DUMP);
        ndmsg(b, family, 0, 0, 0);
    }

    /** Decodes an RTM_NEWNEIGH of family AF_INET/AF_INET6; null for another family or an entry without an address. */
    public static Neighbour decodeNeighbour(NlMessage m) {
        ByteBuffer p = m.payload();
        int family = Byte.toUnsignedInt(p.get(0));
        if (family != AF_INET && family != AF_INET6) {
            return null;
        }
        NlAttrs a = m.attrs(NDMSG_LEN);
        InetAddress dst = a.address(NDA_DST);
        if (dst == null) {
            return null;
        }
        byte[] mac = a.bytes(NDA_LLADDR);
        return new Neighbour(p.getInt(4), dst, mac != null && mac.length == 6 ? MacAddress.of(mac) : null,
                Short.toUnsignedInt(p.getShort(8)));
    }

    /** Decodes an RTM_NEWNEIGH of family AF_BRIDGE; null for another family or one without a MAC. */
    public static FdbEntry decodeFdb(NlMessage m) {
        ByteBuffer p = m.payload();
        if (Byte.toUnsignedInt(p.get(0)) != AF_BRIDGE) {
            return null;
        }
        NlAttrs a = m.attrs(NDMSG_LEN);
        byte[] mac = a.bytes(NDA_LLADDR);
        if (mac == null || mac.length != 6) {
            return null;
        }
        return new FdbEntry(p.getInt(4), MacAddress.of(mac), a.address(NDA_DST), Short.toUnsignedInt(p.getShort(8)),
                Byte.toUnsignedInt(p.get(10)));
    }

    /** Decodes an RTM_NEWLINK message. */
    public static Link decodeLink(NlMessage m) {
        ByteBuffer p = m.payload();
        int index = p.getInt(4);
        int flags = p.getInt(8);
        NlAttrs a = m.attrs(IFINFOMSG_LEN);
        NlAttrs info = a.nested(IFLA_LINKINFO);
        byte[] mac = a.bytes(IFLA_ADDRESS);
        String kind = info.string(IFLA_INFO_KIND);
        MacvlanMode mode = null;
        if ("macvlan".equals(kind)) {
            mode = MacvlanMode.of(info.nested(IFLA_INFO_DATA).u32(IFLA_MACVLAN_MODE, 0));
        }
        VxlanSettings vxlan = null;
        if ("vxlan".equals(kind)) {
            NlAttrs d = info.nested(IFLA_INFO_DATA);
            InetAddress local = d.has(IFLA_VXLAN_LOCAL) ? d.address(IFLA_VXLAN_LOCAL) : d.address(IFLA_VXLAN_LOCAL6);
            vxlan = new VxlanSettings(d.u32(IFLA_VXLAN_ID, 0), local, d.be16(IFLA_VXLAN_PORT, 0),
                    d.u8(IFLA_VXLAN_LEARNING, 0) != 0, d.u8(IFLA_VXLAN_PROXY, 0) != 0, d.u32(IFLA_VXLAN_LINK, 0));
        }
        return new Link(index, a.string(IFLA_IFNAME), kind, flags, a.u32(IFLA_MTU, 0),
                mac != null && mac.length == 6 ? MacAddress.of(mac) : null, a.u32(IFLA_MASTER, 0),
                a.string(IFLA_IFALIAS), a.u32(IFLA_GROUP, 0), a.u32(IFLA_LINK, 0),
                a.u32(IFLA_LINK_NETNSID, -1), info.string(IFLA_INFO_SLAVE_KIND), mode, vxlan);
    }

    /** Decodes an RTM_NEWADDR message. */
    public static AddressInfo decodeAddress(NlMessage m) {
        ByteBuffer p = m.payload();
        int prefix = Byte.toUnsignedInt(p.get(1));
        int flags = Byte.toUnsignedInt(p.get(2));
        int scope = Byte.toUnsignedInt(p.get(3));
        int index = p.getInt(4);
        NlAttrs a = m.attrs(IFADDRMSG_LEN);
        InetAddress addr = a.has(IFA_LOCAL) ? a.address(IFA_LOCAL) : a.address(IFA_ADDRESS);
        flags = a.u32(IFA_FLAGS, flags);
        return new AddressInfo(index, new InterfaceAddress(addr, prefix), flags, scope);
    }

    /** Decodes an RTM_NEWROUTE message; null for routes outside the main table or not unicast. */
    public static Route decodeRoute(NlMessage m) {
        ByteBuffer p = m.payload();
        int family = Byte.toUnsignedInt(p.get(0));
        int dstLen = Byte.toUnsignedInt(p.get(1));
        int table = Byte.toUnsignedInt(p.get(4));
        int type = Byte.toUnsignedInt(p.get(7));
        int rflags = p.getInt(8);
        NlAttrs a = m.attrs(RTMSG_LEN);
        table = a.u32(RTA_TABLE, table);
        if (table != RT_TABLE_MAIN || type != RTN_UNICAST) {
            return null;
        }
        InetAddress dst = a.address(RTA_DST);
        IpPrefix prefix = dst != null ? new IpPrefix(dst, dstLen) : IpPrefix.defaultRoute(family == AF_INET6);
        return new Route(prefix, a.address(RTA_GATEWAY), a.u32(RTA_OIF, 0), (rflags & RTNH_F_ONLINK) != 0,
                a.u32(RTA_PRIORITY, 0));
    }
}
