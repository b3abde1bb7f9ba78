package dev.weft.linux.internal;

import dev.weft.linux.ConntrackEntry;
import dev.weft.linux.ConntrackFilter;
import dev.weft.linux.ConntrackTuple;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * ctnetlink messages (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_CTNETLINK; uapi
 * linux/netfilter/nfnetlink_conntrack.h): the dump request, the delete of one entry by its
 * original tuple, and the decoding of the entries a dump returns. Every message starts with a
 * {@code struct nfgenmsg} (family u8, version u8 = NFNETLINK_V0, res_id be16 = 0).
 */
public final class CtnetlinkCodec {
    private CtnetlinkCodec() {
    }

    public static final int NFNL_SUBSYS_CTNETLINK = 1;
    public static final int IPCTNL_MSG_CT_NEW = 0;
    public static final int IPCTNL_MSG_CT_GET = 1;
    public static final int IPCTNL_MSG_CT_DELETE = 2;
    public static final int NFGENMSG_LEN = 4;

    // enum ctattr_type
    public static final int CTA_TUPLE_ORIG = 1;
    public static final int CTA_TUPLE_REPLY = 2;
    public static final int CTA_STATUS = 3;
    public static final int CTA_MARK = 8;
    public static final int CTA_ID = 12;
    public static final int CTA_ZONE = 18;
    public static final int CTA_FILTER = 25;
    // enum ctattr_tuple
    public static final int CTA_TUPLE_IP = 1;
    public static final int CTA_TUPLE_PROTO = 2;
    public static final int CTA_TUPLE_ZONE = 3;
    // enum ctattr_ip
    public static final int CTA_IP_V4_SRC = 1;
    public static final int CTA_IP_V4_DST = 2;
    public static final int CTA_IP_V6_SRC = 3;
    public static final int CTA_IP_V6_DST = 4;
    // enum ctattr_l4proto
    public static final int CTA_PROTO_NUM = 1;
    public static final int CTA_PROTO_SRC_PORT = 2;
    public static final int CTA_PROTO_DST_PORT = 3;
    public static final int CTA_PROTO_ICMP_ID = 4;
    public static final int CTA_PROTO_ICMP_TYPE = 5;
    public static final int CTA_PROTO_ICMP_CODE = 6;
    public static final int CTA_PROTO_ICMPV6_ID = 7;
    public static final int CTA_PROTO_ICMPV6_TYPE = 8;
    public static final int CTA_PROTO_ICMPV6_CODE = 9;
    // enum ctattr_filter
    public static final int CTA_FILTER_ORIG_FLAGS = 1;
    public static final int CTA_FILTER_REPLY_FLAGS = 2;
    // CTA_FILTER_F_* (kernel net/netfilter/nf_internals.h, not in the uapi header)
    public static final int CTA_FILTER_F_PROTO_NUM = 1 << 3;
    public static final int CTA_FILTER_F_PROTO_SRC_PORT = 1 << 4;
    public static final int CTA_FILTER_F_PROTO_DST_PORT = 1 << 5;

    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_ICMPV6 = 58;

    public static int type(int msg) {
        return (NFNL_SUBSYS_CTNETLINK << 8) | msg;
    }

    /**
     * A dump of one family's entries. When {@code filter} names a protocol, the parts of it the
     * kernel can check are sent as CTA_FILTER (protocol; for TCP and UDP also the original
     * destination port and the reply source port), so the kernel skips the rest. The kernel's
     * filter only narrows: the caller still matches every entry with {@link ConntrackFilter#matches}.
     * Addresses are never sent: the filter's address matches any of four, which CTA_FILTER cannot
     * say, and some kernels compare IPv6 filter addresses inverted.
     */
    public static void dumpRequest(NlMessageBuilder b, int family, ConntrackFilter filter) {
        b.begin(type(IPCTNL_MSG_CT_GET), Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, NlMessageBuilder.Expect.DUMP);
        nfgenmsg(b, family);
        if (filter == null || filter.protocol().isEmpty()) {
            return;
        }
        int protocol = filter.protocol().getAsInt();
        boolean ports = protocol == IPPROTO_TCP || protocol == IPPROTO_UDP; // the kernel filter checks ports of these only
        int origFlags = CTA_FILTER_F_PROTO_NUM;
        int origPort = ports ? filter.originalDestinationPort().orElse(0) : 0;
        int replyPort = ports && filter.replySource().isPresent() ? filter.replySource().get().getPort() : 0;
        int tuple = b.nest(CTA_TUPLE_ORIG | Netlink.NLA_F_NESTED);
        int proto = b.nest(CTA_TUPLE_PROTO | Netlink.NLA_F_NESTED);
        b.attrU8(CTA_PROTO_NUM, protocol);
        if (origPort != 0) {
            b.attrBe16(CTA_PROTO_DST_PORT, origPort);
            origFlags |= CTA_FILTER_F_PROTO_DST_PORT;
        }
        b.endNest(proto);
        b.endNest(tuple);
        if (replyPort != 0) {
            tuple = b.nest(CTA_TUPLE_REPLY | Netlink.NLA_F_NESTED);
            proto = b.nest(CTA_TUPLE_PROTO | Netlink.NLA_F_NESTED);
            b.attrU8(CTA_PROTO_NUM, protocol);
            b.attrBe16(CTA_PROTO_SRC_PORT, replyPort);
            b.endNest(proto);
            b.endNest(tuple);
        }
        int nest = b.nest(CTA_FILTER | Netlink.NLA_F_NESTED);
        b.attrU32(CTA_FILTER_ORIG_FLAGS, origFlags);
        if (replyPort != 0) {
            b.attrU32(CTA_FILTER_REPLY_FLAGS, CTA_FILTER_F_PROTO_NUM | CTA_FILTER_F_PROTO_SRC_PORT);
        }
        b.endNest(nest);
    }

    /**
     * Deletes one entry, found by its original tuple (and its zone, when not the default one),
     * with an ack. The kernel answers ENOENT when the entry is gone already.
     */
    public static void deleteRequest(NlMessageBuilder b, ConntrackEntry e) {
        b.begin(type(IPCTNL_MSG_CT_DELETE), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, NlMessageBuilder.Expect.ACK);
        nfgenmsg(b, e.family());
        tuple(b, CTA_TUPLE_ORIG, e.family(), e.protocol(), e.original());
        if (e.zone() != 0) {
            b.attrBe16(CTA_ZONE, e.zone());
        }
    }

    private static void nfgenmsg(NlMessageBuilder b, int family) {
        b.u8(family).u8(0).be16(0); // family, NFNETLINK_V0, res_id
    }

    private static void tuple(NlMessageBuilder b, int type, int family, int protocol, ConntrackTuple t) {
        boolean v6 = family == ConntrackEntry.AF_INET6;
        int tuple = b.nest(type | Netlink.NLA_F_NESTED);
        int ip = b.nest(CTA_TUPLE_IP | Netlink.NLA_F_NESTED);
        b.attr(v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, addressBytes(family, t.source()));
        b.attr(v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, addressBytes(family, t.destination()));
        b.endNest(ip);
        int proto = b.nest(CTA_TUPLE_PROTO | Netlink.NLA_F_NESTED);
        b.attrU8(CTA_PROTO_NUM, protocol);
        if (t.icmp() != null) {
            // The kernel needs all three to rebuild an ICMP tuple.
            b.attrBe16(v6 ? CTA_PROTO_ICMPV6_ID : CTA_PROTO_ICMP_ID, t.icmp().id());
            b.attrU8(v6 ? CTA_PROTO_ICMPV6_TYPE : CTA_PROTO_ICMP_TYPE, t.icmp().type());
            b.attrU8(v6 ? CTA_PROTO_ICMPV6_CODE : CTA_PROTO_ICMP_CODE, t.icmp().code());
        } else {
            // Protocols without ports in the kernel (generic) ignore these.
            b.attrBe16(CTA_PROTO_SRC_PORT, t.sourcePort());
            b.attrBe16(CTA_PROTO_DST_PORT, t.destinationPort());
        }
        b.endNest(proto);
        b.endNest(tuple);
    }

    private static byte[] addressBytes(int family, InetAddress a) {
        byte[] raw = a.getAddress();
        if (family == ConntrackEntry.AF_INET && raw.length != 4) {
            throw new IllegalArgumentException("IPv4 conntrack entry with IPv6 address " + a);
        }
        if (family == ConntrackEntry.AF_INET6 && raw.length == 4) { // an IPv4-mapped IPv6 address
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
            return mapped;
        }
        return raw;
    }

    /**
     * The entry in a message of a conntrack dump, or null when the message is no entry of family
     * IPv4 or IPv6 (or lacks a tuple). Dumps answer with IPCTNL_MSG_CT_NEW on older kernels and
     * with the request's type (GET) on newer ones: both are accepted.
     */
    public static ConntrackEntry decode(NlMessage m) {
        if ((m.type() >> 8) != NFNL_SUBSYS_CTNETLINK || m.payload().limit() < NFGENMSG_LEN) {
            return null;
        }
        int family = Byte.toUnsignedInt(m.payload().get(0));
        if (family != ConntrackEntry.AF_INET && family != ConntrackEntry.AF_INET6) {
            return null;
        }
        NlAttrs attrs = m.attrs(NFGENMSG_LEN);
        NlAttrs orig = attrs.nested(CTA_TUPLE_ORIG);
        NlAttrs reply = attrs.nested(CTA_TUPLE_REPLY);
        int protocol = orig.nested(CTA_TUPLE_PROTO).u8(CTA_PROTO_NUM, -1);
        ConntrackTuple original = decodeTuple(orig, family);
        ConntrackTuple replied = decodeTuple(reply, family);
        if (protocol < 0 || original == null || replied == null) {
            return null;
        }
        // A zone for both directions comes as CTA_ZONE; one for the original direction only, in the tuple.
        int zone = attrs.be16(CTA_ZONE, orig.be16(CTA_TUPLE_ZONE, 0));
        return new ConntrackEntry(family, protocol, original, replied, zone, attrs.be32(CTA_MARK, 0),
                attrs.be32(CTA_STATUS, 0));
    }

    private static ConntrackTuple decodeTuple(NlAttrs tuple, int family) {
        boolean v6 = family == ConntrackEntry.AF_INET6;
        NlAttrs ip = tuple.nested(CTA_TUPLE_IP);
        InetAddress src = address(ip.bytes(v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC));
        InetAddress dst = address(ip.bytes(v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST));
        if (src == null || dst == null) {
            return null;
        }
        NlAttrs proto = tuple.nested(CTA_TUPLE_PROTO);
        int num = proto.u8(CTA_PROTO_NUM, -1);
        if (num == IPPROTO_ICMP || num == IPPROTO_ICMPV6) {
            boolean icmp6 = num == IPPROTO_ICMPV6;
            ConntrackTuple.Icmp icmp = new ConntrackTuple.Icmp(
                    proto.u8(icmp6 ? CTA_PROTO_ICMPV6_TYPE : CTA_PROTO_ICMP_TYPE, 0),
                    proto.u8(icmp6 ? CTA_PROTO_ICMPV6_CODE : CTA_PROTO_ICMP_CODE, 0),
                    proto.be16(icmp6 ? CTA_PROTO_ICMPV6_ID : CTA_PROTO_ICMP_ID, 0));
            return new ConntrackTuple(src, dst, 0, 0, icmp);
        }
        return new ConntrackTuple(src, dst, proto.be16(CTA_PROTO_SRC_PORT, 0), proto.be16(CTA_PROTO_DST_PORT, 0), null);
    }

    /** IPv6 stays IPv6 (also when IPv4-mapped), so a decoded entry encodes back to the same bytes. */
    private static InetAddress address(byte[] raw) {
        if (raw == null || (raw.length != 4 && raw.length != 16)) {
            return null;
        }
        try {
            return raw.length == 4 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, excluded above
        }
    }
}
