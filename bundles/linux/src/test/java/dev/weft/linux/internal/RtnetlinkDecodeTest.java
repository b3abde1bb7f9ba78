package dev.weft.linux.internal;

import static dev.weft.linux.internal.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.AddressInfo;
import dev.weft.linux.Link;
import dev.weft.linux.Route;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decoding what the kernel sends: RTM_NEWLINK (ifinfomsg + IFLA_*), RTM_NEWADDR (ifaddrmsg +
 * IFA_*), RTM_NEWROUTE (rtmsg + RTA_*), written by hand in the layout of uapi rtnetlink.h,
 * if_link.h and if_addr.h (little-endian host). IFLA_TXQLEN 13 (0x0d), OPERSTATE 16 (0x10), LINK 5,
 * LINK_NETNSID 37 (0x25); IFA_LABEL 3, CACHEINFO 6; RTA_PREFSRC 7, TABLE 15 (0x0f).
 */
class RtnetlinkDecodeTest {

    @BeforeAll
    static void littleEndianHost() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "these fixed arrays assume x86-64");
    }

    private static NlMessage one(byte[] datagram) {
        List<NlMessage> ms = NlReplies.split(Hex.buffer(datagram), datagram.length);
        assertEquals(1, ms.size());
        return ms.get(0);
    }

    @Test
    void vethBridgePortWithPeerInAnotherNamespace() {
        NlMessage m = one(bytes(""
                + "94 00 00 00  10 00  02 00  01 00 00 00  39 30 00 00" // len 148, RTM_NEWLINK, MULTI
                + "00 00  01 00"                                      // ifinfomsg: AF_UNSPEC, pad, ARPHRD_ETHER
                + "06 00 00 00"                                       //   index 6
                + "43 10 01 00"                                       //   flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
                + "00 00 00 00"                                       //   change 0
                + "0d 00 03 00  76 65 74 68  61 62 31 32  00 00 00 00" // IFLA_IFNAME "vethab12\0"
                + "08 00 04 00  dc 05 00 00"                          // IFLA_MTU 1500
                + "08 00 0d 00  e8 03 00 00"                          // IFLA_TXQLEN 1000 (ignored)
                + "05 00 10 00  06 00 00 00"                          // IFLA_OPERSTATE u8 IF_OPER_UP (ignored)
                + "0a 00 01 00  02 42 0a 01  00 02 00 00"             // IFLA_ADDRESS 02:42:0a:01:00:02
                + "08 00 0a 00  05 00 00 00"                          // IFLA_MASTER 5
                + "0c 00 14 00  77 65 66 74  2d 6e 31 00"             // IFLA_IFALIAS "weft-n1\0"
                + "08 00 05 00  02 00 00 00"                          // IFLA_LINK 2 (the peer's index)
                + "1c 00 12 00"                                       // IFLA_LINKINFO len 28
                + "  09 00 01 00  76 65 74 68  00 00 00 00"           //   IFLA_INFO_KIND "veth\0"
                + "  0b 00 04 00  62 72 69 64  67 65 00 00"           //   IFLA_INFO_SLAVE_KIND "bridge\0"
                + "08 00 25 00  00 00 00 00"));                       // IFLA_LINK_NETNSID 0
        Link l = RtnetlinkCodec.decodeLink(m);
        assertEquals(new Link(6, "vethab12", "veth", 0x11043, 1500, MacAddress.parse("02:42:0a:01:00:02"), 5,
                "weft-n1", 0, 2, 0, "bridge"), l);
        assertTrue(l.isUp());
        assertTrue(l.hasCarrier());
    }

    @Test
    void macvlanInASandboxWithItsParentInTheHost() {
        NlMessage m = one(bytes(""
                + "60 00 00 00  10 00  02 00  01 00 00 00  39 30 00 00" // len 96, RTM_NEWLINK, MULTI
                + "00 00  01 00  02 00 00 00  43 10 01 00  00 00 00 00" // ARPHRD_ETHER, index 2, UP|…|LOWER_UP
                + "09 00 03 00  65 74 68 30  00 00 00 00"             // IFLA_IFNAME "eth0\0"
                + "08 00 04 00  dc 05 00 00"                          // IFLA_MTU 1500
                + "08 00 05 00  04 00 00 00"                          // IFLA_LINK 4 (the parent's index, in the host)
                + "1c 00 12 00"                                       // IFLA_LINKINFO len 28
                + "  0c 00 01 00  6d 61 63 76  6c 61 6e 00"           //   IFLA_INFO_KIND "macvlan\0"
                + "  0c 00 02 00"                                     //   IFLA_INFO_DATA len 12
                + "    08 00 01 00  02 00 00 00"                      //     IFLA_MACVLAN_MODE VEPA (2)
                + "08 00 25 00  00 00 00 00"));                       // IFLA_LINK_NETNSID 0
        Link l = RtnetlinkCodec.decodeLink(m);
        assertEquals(new Link(2, "eth0", "macvlan", 0x11043, 1500, null, 0, null, 0, 4, 0, null,
                dev.weft.linux.MacvlanMode.VEPA), l);
    }

    @Test
    void loopbackWithoutLinkInfo() {
        NlMessage m = one(bytes(""
                + "44 00 00 00  10 00  00 00  02 00 00 00  00 00 00 00" // len 68, RTM_NEWLINK
                + "00 00  04 03  01 00 00 00  48 00 00 00  00 00 00 00" // ARPHRD_LOOPBACK, index 1, LOOPBACK|RUNNING
                + "07 00 03 00  6c 6f 00 00"                          // IFLA_IFNAME "lo\0"
                + "08 00 04 00  00 00 01 00"                          // IFLA_MTU 65536
                + "0a 00 01 00  00 00 00 00  00 00 00 00"             // IFLA_ADDRESS 00:00:00:00:00:00
                + "08 00 1b 00  00 00 00 00"));                       // IFLA_GROUP 0
        Link l = RtnetlinkCodec.decodeLink(m);
        assertEquals(new Link(1, "lo", null, 0x48, 65536, MacAddress.parse("00:00:00:00:00:00"), 0, null, 0, 0,
                -1, null), l);
        assertFalse(l.isUp());
    }

    @Test
    void nestedFlagOnLinkInfoIsAccepted() {
        NlMessage m = one(bytes(""
                + "38 00 00 00  10 00  00 00  01 00 00 00  00 00 00 00" // len 56
                + "00 00  01 00  03 00 00 00  00 00 00 00  00 00 00 00" // index 3
                + "08 00 03 00  62 72 30 00"                          // IFLA_IFNAME "br0\0"
                + "10 00 12 80"                                       // IFLA_LINKINFO with NLA_F_NESTED
                + "  0b 00 01 00  62 72 69 64  67 65 00 00"));        //   KIND "bridge\0"
        Link l = RtnetlinkCodec.decodeLink(m);
        assertEquals("bridge", l.kind());
        assertEquals(3, l.index());
        assertNull(l.mac());
    }

    @Test
    void ipv4AddressPrefersLocal() {
        NlMessage m = one(bytes(""
                + "3c 00 00 00  14 00  02 00  03 00 00 00  39 30 00 00" // len 60, RTM_NEWADDR, MULTI
                + "02 18 80 00"                                       // AF_INET, /24, IFA_F_PERMANENT, scope 0
                + "04 00 00 00"                                       // index 4
                + "08 00 01 00  0a 01 00 09"                          // IFA_ADDRESS 10.1.0.9 (a peer)
                + "08 00 02 00  0a 01 00 02"                          // IFA_LOCAL   10.1.0.2
                + "09 00 03 00  65 74 68 30  00 00 00 00"             // IFA_LABEL "eth0\0"
                + "08 00 08 00  80 00 00 00"));                       // IFA_FLAGS PERMANENT
        assertEquals(new AddressInfo(4, InterfaceAddress.parse("10.1.0.2/24"), 0x80, 0),
                RtnetlinkCodec.decodeAddress(m));
    }

    @Test
    void ipv6AddressTakesTheU32Flags() {
        NlMessage m = one(bytes(""
                + "48 00 00 00  14 00  02 00  03 00 00 00  39 30 00 00" // len 72
                + "0a 40 c2 00"                                       // AF_INET6, /64, u8 flags 0xc2, scope 0
                + "04 00 00 00"                                       // index 4
                + "14 00 01 00  fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 02" // IFA_ADDRESS fd00:1::2
                + "14 00 06 00  ff ff ff ff  ff ff ff ff  2c 01 00 00  2c 01 00 00" // IFA_CACHEINFO (ignored)
                + "08 00 08 00  c2 02 00 00"));                       // IFA_FLAGS 0x2c2 (NOPREFIXROUTE too)
        AddressInfo a = RtnetlinkCodec.decodeAddress(m);
        assertEquals(new AddressInfo(4, InterfaceAddress.parse("fd00:1::2/64"), 0x2c2, 0), a);
        assertTrue(a.isTentative());
    }

    @Test
    void addressWithoutFlagsAttributeKeepsTheU8() {
        NlMessage m = one(bytes(""
                + "20 00 00 00  14 00  00 00  01 00 00 00  00 00 00 00" // len 32
                + "02 08 80 fe  01 00 00 00"                          // AF_INET /8 PERMANENT scope host, lo
                + "08 00 02 00  7f 00 00 01"));                       // IFA_LOCAL 127.0.0.1
        assertEquals(new AddressInfo(1, InterfaceAddress.parse("127.0.0.1/8"), 0x80, 254),
                RtnetlinkCodec.decodeAddress(m));
    }

    @Test
    void mainTableDefaultRoute() {
        NlMessage m = one(bytes(""
                + "34 00 00 00  18 00  02 00  05 00 00 00  39 30 00 00" // len 52, RTM_NEWROUTE, MULTI
                + "02 00 00 00"                                       // AF_INET, dst_len 0
                + "fe 03 00 01"                                       // MAIN, BOOT, UNIVERSE, UNICAST
                + "00 00 00 00"                                       // rtm_flags
                + "08 00 0f 00  fe 00 00 00"                          // RTA_TABLE 254
                + "08 00 05 00  0a 01 00 01"                          // RTA_GATEWAY 10.1.0.1
                + "08 00 04 00  04 00 00 00"));                       // RTA_OIF 4
        Route r = RtnetlinkCodec.decodeRoute(m);
        assertEquals(new Route(IpPrefix.parse("0.0.0.0/0"), IpAddresses.parse("10.1.0.1"), 4, false, 0), r);
        assertTrue(r.destination().isDefault());
    }

    @Test
    void connectedRoute() {
        NlMessage m = one(bytes(""
                + "3c 00 00 00  18 00  02 00  05 00 00 00  39 30 00 00" // len 60
                + "02 18 00 00  fe 02 fd 01  00 00 00 00"            // /24, MAIN, KERNEL, LINK, UNICAST
                + "08 00 0f 00  fe 00 00 00"                          // RTA_TABLE 254
                + "08 00 01 00  0a 01 00 00"                          // RTA_DST 10.1.0.0
                + "08 00 07 00  0a 01 00 02"                          // RTA_PREFSRC 10.1.0.2 (ignored)
                + "08 00 04 00  04 00 00 00"));                       // RTA_OIF 4
        assertEquals(Route.direct(IpPrefix.parse("10.1.0.0/24"), 4), RtnetlinkCodec.decodeRoute(m));
    }

    @Test
    void onLinkRouteWithMetric() {
        NlMessage m = one(bytes(""
                + "34 00 00 00  18 00  02 00  05 00 00 00  39 30 00 00" // len 52
                + "02 00 00 00  fe 03 00 01  04 00 00 00"            // rtm_flags RTNH_F_ONLINK
                + "08 00 06 00  64 00 00 00"                          // RTA_PRIORITY 100
                + "08 00 05 00  0a 01 00 01"                          // RTA_GATEWAY
                + "08 00 04 00  04 00 00 00"));                       // RTA_OIF
        assertEquals(Route.defaultVia(IpAddresses.parse("10.1.0.1")).onLink(4).withMetric(100),
                RtnetlinkCodec.decodeRoute(m));
    }

    @Test
    void metricAbove2147483647IsReadUnsigned() {
        NlMessage m = one(bytes(""
                + "34 00 00 00  18 00  02 00  05 00 00 00  39 30 00 00" // len 52
                + "02 00 00 00  fe 03 00 01  00 00 00 00"
                + "08 00 06 00  00 00 00 f0"                          // RTA_PRIORITY 4026531840
                + "08 00 05 00  0a 01 00 01"                          // RTA_GATEWAY
                + "08 00 04 00  04 00 00 00"));                       // RTA_OIF
        Route r = RtnetlinkCodec.decodeRoute(m);
        assertEquals(4026531840L, Integer.toUnsignedLong(r.metric()));
        assertEquals(Route.defaultVia(IpAddresses.parse("10.1.0.1"), 4).withMetric(4026531840L), r);
    }

    @Test
    void ipv6DefaultRoute() {
        NlMessage m = one(bytes(""
                + "48 00 00 00  18 00  02 00  05 00 00 00  39 30 00 00" // len 72
                + "0a 00 00 00  fe 03 00 01  00 00 00 00"            // AF_INET6 /0
                + "08 00 0f 00  fe 00 00 00"                          // RTA_TABLE 254
                + "08 00 06 00  00 04 00 00"                          // RTA_PRIORITY 1024
                + "14 00 05 00  fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 01" // RTA_GATEWAY fd00:1::1
                + "08 00 04 00  04 00 00 00"));                       // RTA_OIF 4
        assertEquals(new Route(IpPrefix.parse("::/0"), IpAddresses.parse("fd00:1::1"), 4, false, 1024),
                RtnetlinkCodec.decodeRoute(m));
    }

    @Test
    void localTableRouteIsSkipped() {
        NlMessage m = one(bytes(""
                + "3c 00 00 00  18 00  02 00  05 00 00 00  39 30 00 00" // len 60
                + "02 20 00 00  ff 02 fe 02  00 00 00 00"            // /32, LOCAL table, KERNEL, HOST, RTN_LOCAL
                + "08 00 0f 00  ff 00 00 00"                          // RTA_TABLE 255
                + "08 00 01 00  0a 01 00 02"                          // RTA_DST 10.1.0.2
                + "08 00 07 00  0a 01 00 02"                          // RTA_PREFSRC
                + "08 00 04 00  04 00 00 00"));                       // RTA_OIF
        assertNull(RtnetlinkCodec.decodeRoute(m));
    }

    @Test
    void tableAttributeOverridesTheHeaderByte() {
        // Tables above 255 have rtm_table RT_TABLE_COMPAT (252) and the real id in RTA_TABLE.
        NlMessage other = one(bytes(""
                + "24 00 00 00  18 00  02 00  05 00 00 00  00 00 00 00" // len 36
                + "02 00 00 00  fc 03 00 01  00 00 00 00"            // rtm_table 252
                + "08 00 0f 00  e8 03 00 00"));                       // RTA_TABLE 1000
        assertNull(RtnetlinkCodec.decodeRoute(other));
        NlMessage main = one(bytes(""
                + "24 00 00 00  18 00  02 00  05 00 00 00  00 00 00 00"
                + "02 00 00 00  fc 03 00 01  00 00 00 00"
                + "08 00 0f 00  fe 00 00 00"));                       // RTA_TABLE 254
        assertEquals(new Route(IpPrefix.parse("0.0.0.0/0"), null, 0, false, 0), RtnetlinkCodec.decodeRoute(main));
    }

    @Test
    void unreachableRouteInMainIsSkipped() {
        NlMessage m = one(bytes(""
                + "2c 00 00 00  18 00  02 00  05 00 00 00  00 00 00 00" // len 44
                + "02 10 00 00  fe 03 00 07  00 00 00 00"            // type 7 RTN_UNREACHABLE
                + "08 00 0f 00  fe 00 00 00"
                + "08 00 01 00  0a 09 00 00"));
        assertNull(RtnetlinkCodec.decodeRoute(m));
    }
}
