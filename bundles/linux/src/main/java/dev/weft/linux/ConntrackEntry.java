package dev.weft.linux;

import java.util.Objects;

/**
 * One conntrack entry of the host namespace, as the kernel dumped it.
 *
 * @param family   address family: {@link #AF_INET} or {@link #AF_INET6}
 * @param protocol IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …)
 * @param original the tuple of the packets that opened the flow, before NAT
 * @param reply    the tuple the answers carry; differs from the inverted original when NATed
 *                 (e.g. its source is the DNAT target)
 * @param zone     the conntrack zone in the original direction, 0 for the default zone
 * @param mark     the connection mark, 0 when none (or the kernel has no mark support)
 * @param status   the {@code IPS_*} status bits, 0 when the kernel did not send them
 */
public record ConntrackEntry(int family, int protocol, ConntrackTuple original, ConntrackTuple reply, int zone,
        int mark, int status) {

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    /** IPS_SEEN_REPLY: packets went both ways. */
    public static final int STATUS_SEEN_REPLY = 1 << 1;
    /** IPS_ASSURED: the entry is not dropped early when the table is full. */
    public static final int STATUS_ASSURED = 1 << 2;
    /** IPS_SRC_NAT: the source was rewritten (masquerade, SNAT). */
    public static final int STATUS_SRC_NAT = 1 << 4;
    /** IPS_DST_NAT: the destination was rewritten (DNAT of a published port). */
    public static final int STATUS_DST_NAT = 1 << 5;

    public ConntrackEntry {
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("conntrack family " + family + " is not supported: use "
                    + AF_INET + " (IPv4) or " + AF_INET6 + " (IPv6)");
        }
        ConntrackTuple.checkRange("protocol", protocol, 0xff);
        ConntrackTuple.checkRange("zone", zone, 0xffff);
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(reply, "reply");
    }

    public boolean isDestinationNat() {
        return (status & STATUS_DST_NAT) != 0;
    }

    public boolean isSourceNat() {
        return (status & STATUS_SRC_NAT) != 0;
    }

    /** Protocol name as conntrack tools print it ("udp", "tcp", "icmpv6", …) or "proto N". */
    public String protocolName() {
        return protocolName(protocol);
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 33 -> "dccp";
            case 47 -> "gre";
            case 58 -> "icmpv6";
            case 132 -> "sctp";
            case 136 -> "udplite";
            default -> "proto " + protocol;
        };
    }

    /** E.g. {@code udp 10.0.0.2:40000 -> 192.168.7.1:5353 [reply 10.1.0.2:53 -> 10.0.0.2:40000]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(protocolName()).append(' ').append(original)
                .append(" [reply ").append(reply).append(']');
        if (zone != 0) {
            sb.append(" zone ").append(zone);
        }
        if (mark != 0) {
            sb.append(" mark 0x").append(Integer.toHexString(mark));
        }
        return sb.toString();
    }
}
