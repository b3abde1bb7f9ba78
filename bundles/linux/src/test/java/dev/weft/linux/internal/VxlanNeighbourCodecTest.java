package dev.weft.linux.internal;

import static dev.weft.linux.internal.Hex.assertBytes;
import static dev.weft.linux.internal.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.FdbEntry;
import dev.weft.linux.Link;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.Neighbour;
import dev.weft.linux.VxlanSettings;
import dev.weft.net.IpAddresses;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * vxlan links, neighbour and forwarding entries, byte for byte against arrays written by hand from
 * the uapi headers (little-endian host): struct ndmsg {u8 family; u8 pad1; u16 pad2; s32 ifindex;
 * u16 state; u8 flags; u8 type} (12 bytes). RTM_NEWNEIGH 28 (0x1c), DELNEIGH 29 (0x1d), GETNEIGH
 * 30 (0x1e); NLM_F_REPLACE 0x100, CREATE 0x400. NDA_DST 1, LLADDR 2, CACHEINFO 3, PROBES 4;
 * NTF_SELF 0x02, NTF_MASTER 0x04; NUD_PERMANENT 0x80. AF_INET 2, AF_BRIDGE 7, AF_INET6 10.
 * IFLA_VXLAN_ID 1, LINK 3, LOCAL 4, LEARNING 7, PROXY 11 (0x0b), PORT 15 (0x0f, big-endian),
 * LOCAL6 17 (0x11).
 */
class VxlanNeighbourCodecTest {
    private static final NetNamespace OVERLAY = new NetNamespace("ov", Path.of("/run/netns/ov"), 4, 4026533000L);
    private static final MacAddress MAC = MacAddress.parse("02:42:0a:00:09:03");

    @BeforeAll
    static void littleEndianHost() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "these fixed arrays assume x86-64");
    }

    private static byte[] encode(Consumer<NlMessageBuilder> c) {
        NlMessageBuilder b = new NlMessageBuilder();
        c.accept(b);
        return b.toByteArray();
    }

    private static NlMessage one(byte[] datagram) {
        List<NlMessage> ms = NlReplies.split(Hex.buffer(datagram), datagram.length);
        assertEquals(1, ms.size());
        return ms.get(0);
    }

    @Test
    void vxlanBornInAnotherNamespaceWithoutLearningWithProxyOnPort4789() {
        LinkSpec spec = LinkSpec.vxlan("vxlan0", 4097, IpAddresses.parse("10.214.0.11"), 4789, false, true).mtu(1450)
                .in(OVERLAY);
        byte[] out = encode(b -> RtnetlinkCodec.newLink(b, spec, ns -> {
            assertSame(OVERLAY, ns);
            return 7;
        }, 0));
        assertBytes(bytes(""
                + "78 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 120, RTM_NEWLINK, CREATE|EXCL|ACK
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg: not up
                + "0b 00 03 00  76 78 6c 61  6e 30 00 00"             // IFLA_IFNAME "vxlan0\0" + 1 pad
                + "08 00 04 00  aa 05 00 00"                          // IFLA_MTU 1450
                + "08 00 1c 00  07 00 00 00"                          // IFLA_NET_NS_FD 7: born there
                + "3c 00 12 00"                                       // IFLA_LINKINFO len 60
                + "  0a 00 01 00  76 78 6c 61  6e 00 00 00"           //   IFLA_INFO_KIND "vxlan\0" + 2 pad
                + "  2c 00 02 00"                                     //   IFLA_INFO_DATA len 44
                + "    08 00 01 00  01 10 00 00"                      //     IFLA_VXLAN_ID 4097
                + "    08 00 04 00  0a d6 00 0b"                      //     IFLA_VXLAN_LOCAL 10.214.0.11
                + "    05 00 07 00  00 00 00 00"                      //     IFLA_VXLAN_LEARNING 0 + 3 pad
                + "    05 00 0b 00  01 00 00 00"                      //     IFLA_VXLAN_PROXY 1 + 3 pad
                + "    06 00 0f 00  12 b5 00 00"                      //     IFLA_VXLAN_PORT 4789 big-endian + 2 pad
        ), out);
    }

    @Test
    void vxlanOverIpv6WithAnUnderlayDevice() {
        LinkSpec spec = LinkSpec.vxlan("vx1", 16777215, IpAddresses.parse("fd00::1"), 4789, true, false).vxlanDevice(3);
        assertBytes(bytes(""
                + "78 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 120
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
                + "08 00 03 00  76 78 31 00"                          // IFLA_IFNAME "vx1\0"
                + "50 00 12 00"                                       // IFLA_LINKINFO len 80
                + "  0a 00 01 00  76 78 6c 61  6e 00 00 00"           //   "vxlan\0"
                + "  40 00 02 00"                                     //   IFLA_INFO_DATA len 64
                + "    08 00 01 00  ff ff ff 00"                      //     IFLA_VXLAN_ID 16777215
                + "    14 00 11 00  fd 00 00 00  00 00 00 00  00 00 00 00  00 00 00 01" // LOCAL6 fd00::1
                + "    08 00 03 00  03 00 00 00"                      //     IFLA_VXLAN_LINK 3
                + "    05 00 07 00  01 00 00 00"                      //     LEARNING 1
                + "    05 00 0b 00  00 00 00 00"                      //     PROXY 0
                + "    06 00 0f 00  12 b5 00 00"                      //     PORT 4789
        ), encode(b -> RtnetlinkCodec.newLink(b, spec, ns -> 0, 0)));
    }

    @Test
    void vxlanSpecsRefuseWhatTheKernelWould() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinkSpec.vxlan("vx", 16777216, null, 4789, false, true));
        assertTrue(e.getMessage().contains("16777216") && e.getMessage().contains("1-16777215"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.vxlan("vx", 0, null, 4789, false, true));
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.vxlan("vx", 1, null, 65536, false, true));
        assertThrows(IllegalStateException.class, () -> LinkSpec.bridge("br0").vxlanDevice(2));
        LinkSpec copy = LinkSpec.vxlan("vx", 9, null, 4789, false, true).alias("a").copyWithoutAlias();
        assertEquals(new VxlanSettings(9, null, 4789, false, true, 0), copy.vxlanValue());
    }

    @Test
    void replaceAPermanentIpv4Neighbour() {
        assertBytes(bytes(""
                + "30 00 00 00  1c 00  05 05  01 00 00 00  00 00 00 00" // len 48, RTM_NEWNEIGH, REQUEST|ACK|REPLACE|CREATE
                + "02 00 00 00  05 00 00 00  80 00 00 00"             // ndmsg: AF_INET, ifindex 5, NUD_PERMANENT, flags 0, type 0
                + "08 00 01 00  0a 00 09 03"                          // NDA_DST 10.0.9.3
                + "0a 00 02 00  02 42 0a 00  09 03 00 00"             // NDA_LLADDR + 2 pad
        ), encode(b -> RtnetlinkCodec.neighbour(b, true,
                Neighbour.permanent(5, IpAddresses.parse("10.0.9.3"), MAC))));
    }

    @Test
    void deleteAnIpv6NeighbourByAddress() {
        assertBytes(bytes(""
                + "30 00 00 00  1d 00  05 00  01 00 00 00  00 00 00 00" // len 48, RTM_DELNEIGH, REQUEST|ACK
                + "0a 00 00 00  05 00 00 00  00 00 00 00"             // ndmsg: AF_INET6, ifindex 5, state 0
                + "14 00 01 00  fd 00 00 09  00 00 00 00  00 00 00 00  00 00 00 03" // NDA_DST fd00:9::3
        ), encode(b -> RtnetlinkCodec.neighbour(b, false,
                Neighbour.permanent(5, IpAddresses.parse("fd00:9::3"), MAC))));
    }

    @Test
    void replaceAForwardingEntryToARemoteVtep() {
        assertBytes(bytes(""
                + "30 00 00 00  1c 00  05 05  01 00 00 00  00 00 00 00" // len 48, RTM_NEWNEIGH, REPLACE|CREATE
                + "07 00 00 00  05 00 00 00  80 00 02 00"             // ndmsg: AF_BRIDGE, ifindex 5, PERMANENT, NTF_SELF
                + "0a 00 02 00  02 42 0a 00  09 03 00 00"             // NDA_LLADDR
                + "08 00 01 00  0a d6 00 0c"                          // NDA_DST 10.214.0.12 (the VTEP)
        ), encode(b -> RtnetlinkCodec.fdb(b, true, FdbEntry.toVtep(5, MAC, IpAddresses.parse("10.214.0.12")))));
    }

    @Test
    void deleteAWholeForwardingEntry() {
        assertBytes(bytes(""
                + "28 00 00 00  1d 00  05 00  01 00 00 00  00 00 00 00" // len 40, RTM_DELNEIGH
                + "07 00 00 00  05 00 00 00  00 00 02 00"             // ndmsg: AF_BRIDGE, ifindex 5, state 0, NTF_SELF
                + "0a 00 02 00  02 42 0a 00  09 03 00 00"             // NDA_LLADDR; no NDA_DST: every remote
        ), encode(b -> RtnetlinkCodec.fdb(b, false, new FdbEntry(5, MAC, null, 0, FdbEntry.NTF_SELF))));
    }

    @Test
    void dumpTheForwardingEntriesOfEveryLink() {
        assertBytes(bytes(""
                + "1c 00 00 00  1e 00  01 03  01 00 00 00  00 00 00 00" // len 28, RTM_GETNEIGH, REQUEST|DUMP
                + "07 00 00 00  00 00 00 00  00 00 00 00"             // a bare ndmsg of AF_BRIDGE: no filter
        ), encode(b -> RtnetlinkCodec.dumpNeighbours(b, Rtnl.AF_BRIDGE)));
    }

    @Test
    void decodeAVxlanForwardingEntry() {
        NlMessage m = one(bytes(""
                + "40 00 00 00  1c 00  02 00  01 00 00 00  39 30 00 00" // len 64, RTM_NEWNEIGH, MULTI
                + "07 00 00 00  05 00 00 00  80 00 02 00"             // AF_BRIDGE, ifindex 5, PERMANENT, SELF
                + "0a 00 02 00  02 42 0a 00  09 03 00 00"             // NDA_LLADDR
                + "08 00 01 00  0a d6 00 0c"                          // NDA_DST 10.214.0.12
                + "14 00 03 00  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00")); // NDA_CACHEINFO (ignored)
        FdbEntry e = RtnetlinkCodec.decodeFdb(m);
        assertEquals(FdbEntry.toVtep(5, MAC, IpAddresses.parse("10.214.0.12")), e);
        assertTrue(e.isSelf() && e.isPermanent());
        assertNull(RtnetlinkCodec.decodeNeighbour(m), "a bridge entry is no neighbour");
    }

    @Test
    void decodeABridgesOwnEntryWithoutDestination() {
        NlMessage m = one(bytes(""
                + "2c 00 00 00  1c 00  02 00  01 00 00 00  39 30 00 00" // len 44
                + "07 00 00 00  06 00 00 00  02 00 04 00"             // AF_BRIDGE, ifindex 6, REACHABLE, NTF_MASTER
                + "0a 00 02 00  02 42 0a 00  09 03 00 00"             // NDA_LLADDR
                + "08 00 09 00  04 00 00 00"));                       // NDA_MASTER 4
        FdbEntry e = RtnetlinkCodec.decodeFdb(m);
        assertEquals(new FdbEntry(6, MAC, null, 2, FdbEntry.NTF_MASTER), e);
        assertTrue(!e.isSelf() && !e.isPermanent());
    }

    @Test
    void decodeAPermanentNeighbour() {
        NlMessage m = one(bytes(""
                + "38 00 00 00  1c 00  02 00  01 00 00 00  39 30 00 00" // len 56
                + "02 00 00 00  05 00 00 00  80 00 00 01"             // AF_INET, ifindex 5, PERMANENT, type RTN_UNICAST
                + "08 00 01 00  0a 00 09 03"                          // NDA_DST
                + "0a 00 02 00  02 42 0a 00  09 03 00 00"             // NDA_LLADDR
                + "08 00 04 00  00 00 00 00"));                       // NDA_PROBES 0 (ignored)
        Neighbour n = RtnetlinkCodec.decodeNeighbour(m);
        assertEquals(Neighbour.permanent(5, IpAddresses.parse("10.0.9.3"), MAC), n);
        assertNull(RtnetlinkCodec.decodeFdb(m), "a neighbour is no bridge entry");
    }

    @Test
    void decodeAVxlanLinkWithItsSocketInAnotherNamespace() {
        NlMessage m = one(bytes(""
                + "80 00 00 00  10 00  02 00  01 00 00 00  39 30 00 00" // len 128, RTM_NEWLINK
                + "00 00  01 00  03 00 00 00  43 10 01 00  00 00 00 00" // index 3, up
                + "0b 00 03 00  76 78 6c 61  6e 30 00 00"             // IFLA_IFNAME "vxlan0"
                + "08 00 04 00  aa 05 00 00"                          // IFLA_MTU 1450
                + "08 00 0a 00  02 00 00 00"                          // IFLA_MASTER 2
                + "3c 00 12 00"                                       // IFLA_LINKINFO len 60
                + "  0a 00 01 00  76 78 6c 61  6e 00 00 00"           //   "vxlan\0"
                + "  2c 00 02 00"                                     //   IFLA_INFO_DATA len 44
                + "    08 00 01 00  01 10 00 00"                      //     ID 4097
                + "    08 00 04 00  0a d6 00 0b"                      //     LOCAL 10.214.0.11
                + "    05 00 07 00  00 00 00 00"                      //     LEARNING 0
                + "    05 00 0b 00  01 00 00 00"                      //     PROXY 1
                + "    06 00 0f 00  12 b5 00 00"                      //     PORT 4789
                + "08 00 25 00  00 00 00 00"));                       // IFLA_LINK_NETNSID 0
        Link l = RtnetlinkCodec.decodeLink(m);
        assertEquals("vxlan", l.kind());
        assertEquals(new VxlanSettings(4097, IpAddresses.parse("10.214.0.11"), 4789, false, true, 0), l.vxlan());
        assertEquals(0, l.peerNetnsId(), "its socket's namespace, seen from here");
        assertEquals(1450, l.mtu());
    }
}
