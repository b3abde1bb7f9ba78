package dev.weft.linux.internal;

import static dev.weft.linux.internal.Hex.assertBytes;
import static dev.weft.linux.internal.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.linux.LinkChange;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.MacvlanMode;
import dev.weft.linux.Route;
import dev.weft.linux.internal.NlMessageBuilder.Expect;
import dev.weft.linux.internal.NlMessageBuilder.Message;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rtnetlink requests, byte for byte, against arrays written by hand from the uapi headers
 * (little-endian host):
 * <ul>
 * <li>struct ifinfomsg {u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change} (16 bytes)
 * <li>struct ifaddrmsg {u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index} (8 bytes)
 * <li>struct rtmsg {u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags} (12)
 * </ul>
 * Types: RTM_NEWLINK 16 (0x10), DELLINK 17, GETLINK 18, NEWADDR 20 (0x14), DELADDR 21, GETADDR 22,
 * NEWROUTE 24 (0x18), DELROUTE 25, GETROUTE 26. Flags: REQUEST 0x1, ACK 0x4, EXCL 0x200,
 * CREATE 0x400, DUMP 0x300. IFLA_ADDRESS 1, IFNAME 3, MTU 4, MASTER 10 (0x0a), LINKINFO 18 (0x12),
 * IFALIAS 20 (0x14), GROUP 27 (0x1b), NET_NS_FD 28 (0x1c); IFLA_INFO_KIND 1, DATA 2, SLAVE_KIND 4,
 * SLAVE_DATA 5; VETH_INFO_PEER 1; IFLA_BRPORT_MODE 4. IFA_ADDRESS 1, LOCAL 2, FLAGS 8, IFA_F_NODAD 2.
 * RTA_DST 1, OIF 4, GATEWAY 5, PRIORITY 6; RT_TABLE_MAIN 254, RTPROT_BOOT 3, RT_SCOPE_LINK 253,
 * RT_SCOPE_NOWHERE 255, RTN_UNICAST 1, RTNH_F_ONLINK 4.
 */
class RtnetlinkCodecTest {

    private static final NetNamespace SANDBOX =
            new NetNamespace("sbx", Path.of("/run/netns/sbx"), 4, 4026532999L);
    private static final MacAddress MAC = MacAddress.parse("02:42:0a:01:00:02");
    private static final ToIntFunction<NetNamespace> NO_NAMESPACE = ns -> fail("no namespace expected, got " + ns);

    @BeforeAll
    static void littleEndianHost() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "these fixed arrays assume x86-64");
    }

    private static byte[] encode(java.util.function.Consumer<NlMessageBuilder> c) {
        NlMessageBuilder b = new NlMessageBuilder();
        c.accept(b);
        return b.toByteArray();
    }

    // ---- RTM_NEWLINK: create ----

    @Test
    void newBridgeUpWithMtu() {
        LinkSpec spec = LinkSpec.bridge("br0").mtu(1500).up();
        assertBytes(bytes(""
                + "40 00 00 00"        // nlmsg_len 64
                + "10 00"              // RTM_NEWLINK
                + "05 06"              // REQUEST | ACK | EXCL | CREATE = 0x0605
                + "01 00 00 00"        // seq 1
                + "00 00 00 00"        // pid 0
                + "00 00 00 00"        // ifinfomsg: family AF_UNSPEC, pad, type 0
                + "00 00 00 00"        //   index 0 (new)
                + "01 00 00 00"        //   flags  IFF_UP
                + "01 00 00 00"        //   change IFF_UP
                + "08 00 03 00  62 72 30 00"    // IFLA_IFNAME "br0\0"
                + "08 00 04 00  dc 05 00 00"    // IFLA_MTU 1500
                + "10 00 12 00"                 // IFLA_LINKINFO len 16
                + "  0b 00 01 00  62 72 69 64  67 65 00 00" // IFLA_INFO_KIND "bridge\0" + 1 pad
        ), encode(b -> RtnetlinkCodec.newLink(b, spec, NO_NAMESPACE, 0)));
    }

    @Test
    void newVethWithPeerInAnotherNamespace() {
        LinkSpec spec = LinkSpec.veth("vethab12", "eth0", SANDBOX).mtu(1500).up();
        spec.peer().mac(MAC);
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.newLink(b, spec, ns -> {
            assertSame(SANDBOX, ns);
            return 7;
        }, 5);
        assertBytes(bytes(""
                + "b0 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 176, RTM_NEWLINK, CREATE|EXCL|ACK
                + "00 00 00 00  00 00 00 00  01 00 00 00  01 00 00 00" // ifinfomsg: index 0, flags/change IFF_UP
                + "0d 00 03 00  76 65 74 68  61 62 31 32  00 00 00 00" // IFLA_IFNAME "vethab12\0" len 13 + 3 pad
                + "08 00 04 00  dc 05 00 00"                          // IFLA_MTU 1500
                + "08 00 0a 00  05 00 00 00"                          // IFLA_MASTER 5
                + "08 00 1f 00  01 00 00 00"                          // IFLA_NUM_TX_QUEUES 1
                + "08 00 20 00  01 00 00 00"                          // IFLA_NUM_RX_QUEUES 1
                + "60 00 12 00"                                       // IFLA_LINKINFO len 96
                + "  09 00 01 00  76 65 74 68  00 00 00 00"           //   IFLA_INFO_KIND "veth\0" + 3 pad
                + "  50 00 02 00"                                     //   IFLA_INFO_DATA len 80
                + "    4c 00 01 00"                                   //     VETH_INFO_PEER len 76
                + "      00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // peer ifinfomsg: no flags (ENOTCONN)
                + "      09 00 03 00  65 74 68 30  00 00 00 00"       //       IFLA_IFNAME "eth0\0"
                + "      08 00 04 00  dc 05 00 00"                    //       IFLA_MTU 1500 (from the spec)
                + "      0a 00 01 00  02 42 0a 01  00 02 00 00"       //       IFLA_ADDRESS 02:42:0a:01:00:02
                + "      08 00 1c 00  07 00 00 00"                    //       IFLA_NET_NS_FD 7
                + "      08 00 1f 00  01 00 00 00"                    //       IFLA_NUM_TX_QUEUES 1
                + "      08 00 20 00  01 00 00 00"                    //       IFLA_NUM_RX_QUEUES 1
        ), b.toByteArray());
        assertEquals(List.of(new Message(1, Rtnl.RTM_NEWLINK, 0, Expect.ACK)), b.messages());
    }

    @Test
    void vethPeerInTheSameNamespaceHasNoFd() {
        LinkSpec spec = LinkSpec.veth("va", "vb", null);
        spec.peer().mtu(9000);
        assertBytes(bytes(""
                + "80 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 128
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg: not up
                + "07 00 03 00  76 61 00 00"                          // IFLA_IFNAME "va\0" + 1 pad
                + "08 00 1f 00  01 00 00 00"                          // IFLA_NUM_TX_QUEUES 1
                + "08 00 20 00  01 00 00 00"                          // IFLA_NUM_RX_QUEUES 1
                + "48 00 12 00"                                       // IFLA_LINKINFO len 72
                + "  09 00 01 00  76 65 74 68  00 00 00 00"           //   KIND "veth\0"
                + "  38 00 02 00"                                     //   INFO_DATA len 56
                + "    34 00 01 00"                                   //     VETH_INFO_PEER len 52
                + "      00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // peer ifinfomsg: not up
                + "      07 00 03 00  76 62 00 00"                    //       IFLA_IFNAME "vb\0"
                + "      08 00 04 00  28 23 00 00"                    //       IFLA_MTU 9000, no NET_NS_FD
                + "      08 00 1f 00  01 00 00 00"                    //       IFLA_NUM_TX_QUEUES 1
                + "      08 00 20 00  01 00 00 00"                    //       IFLA_NUM_RX_QUEUES 1
        ), encode(b -> RtnetlinkCodec.newLink(b, spec, NO_NAMESPACE, 0)));
    }

    @Test
    void specMtuIsThePeerMtuUnlessSet() {
        LinkSpec spec = LinkSpec.veth("va", "vb", null);
        spec.peer().mtu(9000);
        spec.mtu(1500);
        assertEquals(9000, spec.peer().mtuValue());
        assertEquals(1500, LinkSpec.veth("va", "vb", null).mtu(1500).peer().mtuValue());
    }

    @Test
    void aliasIsSetByASecondMessage() {
        LinkSpec spec = LinkSpec.bridge("br-1a2b").alias("weft-n1");
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.newLink(b, spec, NO_NAMESPACE, 0);
        assertBytes(bytes(""
                // message 1 @0: create, no alias
                + "3c 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 60, seq 1
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg: not up
                + "0c 00 03 00  62 72 2d 31  61 32 62 00"             // IFLA_IFNAME "br-1a2b\0"
                + "10 00 12 00"                                       // IFLA_LINKINFO len 16
                + "  0b 00 01 00  62 72 69 64  67 65 00 00"           //   KIND "bridge\0"
                // message 2 @60: change, found by name
                + "38 00 00 00  10 00  05 00  02 00 00 00  00 00 00 00" // len 56, RTM_NEWLINK REQUEST|ACK, seq 2
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg: index 0
                + "0c 00 03 00  62 72 2d 31  61 32 62 00"             // IFLA_IFNAME "br-1a2b\0"
                + "0c 00 14 00  77 65 66 74  2d 6e 31 00"             // IFLA_IFALIAS "weft-n1\0"
        ), b.toByteArray());
        assertEquals(List.of(new Message(1, Rtnl.RTM_NEWLINK, 0, Expect.ACK),
                new Message(2, Rtnl.RTM_NEWLINK, 60, Expect.ACK)), b.messages());
    }

    @Test
    void noAliasMessageForALinkCreatedInAnotherNamespace() {
        LinkSpec spec = LinkSpec.bridge("br0").alias("x").in(SANDBOX);
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.newLink(b, spec, ns -> 3, 0);
        assertBytes(bytes(""
                + "40 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 64, the only message
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
                + "08 00 03 00  62 72 30 00"                          // IFLA_IFNAME "br0\0"
                + "08 00 1c 00  03 00 00 00"                          // IFLA_NET_NS_FD 3
                + "10 00 12 00  0b 00 01 00  62 72 69 64  67 65 00 00" // LINKINFO { KIND "bridge\0" }
        ), b.toByteArray());
        assertEquals(1, b.messages().size());
    }

    @Test
    void newDummyWithMacGroupAndNamespace() {
        LinkSpec spec = LinkSpec.of("dummy", "dm0").mac(MacAddress.parse("02:00:00:00:00:01")).group(3).in(SANDBOX);
        assertBytes(bytes(""
                + "54 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 84
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg: not up
                + "08 00 03 00  64 6d 30 00"                          // IFLA_IFNAME "dm0\0"
                + "0a 00 01 00  02 00 00 00  00 01 00 00"             // IFLA_ADDRESS 02:00:00:00:00:01 + 2 pad
                + "08 00 1b 00  03 00 00 00"                          // IFLA_GROUP 3
                + "08 00 1c 00  09 00 00 00"                          // IFLA_NET_NS_FD 9
                + "10 00 12 00"                                       // IFLA_LINKINFO len 16
                + "  0a 00 01 00  64 75 6d 6d  79 00 00 00"           //   KIND "dummy\0" + 2 pad
        ), encode(b -> RtnetlinkCodec.newLink(b, spec, ns -> 9, 0)));
    }

    @Test
    void newDummyPlain() {
        assertBytes(bytes(""
                + "38 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 56
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
                + "08 00 03 00  64 6d 30 00"                          // IFLA_IFNAME "dm0\0"
                + "10 00 12 00  0a 00 01 00  64 75 6d 6d  79 00 00 00" // LINKINFO { KIND "dummy\0" }
        ), encode(b -> RtnetlinkCodec.newLink(b, LinkSpec.of("dummy", "dm0"), NO_NAMESPACE, 0)));
    }

    // ---- RTM_NEWLINK: macvlan and vlan (IFLA_LINK 5; IFLA_MACVLAN_MODE 1, MACVLAN_MODE_BRIDGE 4,
    // PRIVATE 1, VEPA 2, PASSTHRU 8; IFLA_VLAN_ID 1, a u16) ----

    @Test
    void newMacvlanBornInTheSandboxOnAParentOfTheHost() {
        LinkSpec spec = LinkSpec.macvlan("eth0", 2, MacvlanMode.BRIDGE).mtu(1500).mac(MAC).in(SANDBOX);
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.newLink(b, spec, ns -> {
            assertSame(SANDBOX, ns);
            return 7;
        }, 0);
        assertBytes(bytes(""
                + "6c 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 108, RTM_NEWLINK, CREATE|EXCL|ACK
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg: not up
                + "09 00 03 00  65 74 68 30  00 00 00 00"             // IFLA_IFNAME "eth0\0" + 3 pad
                + "08 00 04 00  dc 05 00 00"                          // IFLA_MTU 1500
                + "0a 00 01 00  02 42 0a 01  00 02 00 00"             // IFLA_ADDRESS 02:42:0a:01:00:02 + 2 pad
                + "08 00 05 00  02 00 00 00"                          // IFLA_LINK 2: the parent, in the socket's namespace
                + "08 00 1c 00  07 00 00 00"                          // IFLA_NET_NS_FD 7: born in the sandbox
                + "1c 00 12 00"                                       // IFLA_LINKINFO len 28
                + "  0c 00 01 00  6d 61 63 76  6c 61 6e 00"           //   IFLA_INFO_KIND "macvlan\0"
                + "  0c 00 02 00"                                     //   IFLA_INFO_DATA len 12
                + "    08 00 01 00  04 00 00 00"                      //     IFLA_MACVLAN_MODE BRIDGE (4)
        ), b.toByteArray());
        assertEquals(List.of(new Message(1, Rtnl.RTM_NEWLINK, 0, Expect.ACK)), b.messages());
    }

    @Test
    void macvlanModesAreTheKernelsValues() {
        for (MacvlanMode mode : MacvlanMode.values()) {
            byte[] out = encode(b -> RtnetlinkCodec.newLink(b, LinkSpec.macvlan("m", 9, mode), NO_NAMESPACE, 0));
            assertEquals(mode.value(), out[out.length - 4], mode.name());
            assertEquals(mode, MacvlanMode.of(mode.value()));
        }
        assertEquals(List.of(1, 2, 4, 8, 16), java.util.Arrays.stream(MacvlanMode.values()).map(MacvlanMode::value).toList());
        assertEquals(null, MacvlanMode.of(3));
    }

    @Test
    void newVlanTagsItsParent() {
        assertBytes(bytes(""
                + "50 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // len 80
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
                + "0a 00 03 00  70 30 2e 31  30 00 00 00"             // IFLA_IFNAME "p0.10\0" + 2 pad
                + "08 00 05 00  02 00 00 00"                          // IFLA_LINK 2
                + "1c 00 12 00"                                       // IFLA_LINKINFO len 28
                + "  09 00 01 00  76 6c 61 6e  00 00 00 00"           //   IFLA_INFO_KIND "vlan\0" + 3 pad
                + "  0c 00 02 00"                                     //   IFLA_INFO_DATA len 12
                + "    06 00 01 00  0a 00 00 00"                      //     IFLA_VLAN_ID 10 (u16) + 2 pad
        ), encode(b -> RtnetlinkCodec.newLink(b, LinkSpec.vlan("p0.10", 2, 10), NO_NAMESPACE, 0)));
    }

    @Test
    void macvlanAndVlanSpecsRefuseWhatTheKernelWould() {
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.macvlan("m", 0, MacvlanMode.BRIDGE));
        assertThrows(NullPointerException.class, () -> LinkSpec.macvlan("m", 2, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkSpec.vlan("v", 2, 4095));
        assertTrue(e.getMessage().contains("4095") && e.getMessage().contains("1-4094"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.vlan("v", 2, 0));
        LinkSpec copy = LinkSpec.macvlan("m", 3, MacvlanMode.VEPA).alias("a").copyWithoutAlias();
        assertEquals(3, copy.lowerIndex());
        assertEquals(MacvlanMode.VEPA, copy.macvlanModeValue());
    }

    // ---- RTM_NEWLINK: change (masterIndex -1 = leave the master alone) ----

    private static byte[] change(LinkChange c, int masterIndex) {
        return encode(b -> RtnetlinkCodec.setLink(b, c, masterIndex));
    }

    @Test
    void upByName() {
        assertBytes(bytes(""
                + "2c 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 44, RTM_NEWLINK, REQUEST|ACK
                + "00 00 00 00  00 00 00 00"                          // ifinfomsg: family 0, index 0
                + "01 00 00 00  01 00 00 00"                          //   flags IFF_UP, change IFF_UP
                + "0a 00 03 00  76 65 74 68  31 00 00 00"             // IFLA_IFNAME "veth1\0" + 2 pad
        ), change(LinkChange.of("veth1").up(), -1));
    }

    @Test
    void moveToAnotherNamespaceUnderANewName() {
        dev.weft.net.NetNamespace target = new dev.weft.net.NetNamespace(null, java.nio.file.Path.of("/run/netns/x"), 4, 4026532000L);
        assertBytes(bytes(""
                + "34 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 52, RTM_NEWLINK, REQUEST|ACK
                + "00 00 00 00  07 00 00 00"                          // ifinfomsg: index 7
                + "00 00 00 00  00 00 00 00"                          //   flags 0, change 0
                + "09 00 03 00  65 74 68 31  00 00 00 00"             // IFLA_IFNAME "eth1\0" + 3 pad
                + "08 00 1c 00  09 00 00 00"                          // IFLA_NET_NS_FD 9
        ), encode(b -> RtnetlinkCodec.setLink(b, LinkChange.of(7).moveTo(target).rename("eth1"), -1, ns -> 9)));
        assertThrows(IllegalArgumentException.class, () -> encode(b -> RtnetlinkCodec.setLink(b,
                LinkChange.of("veth1").moveTo(target), -1, ns -> 9)));
    }

    @Test
    void downByIndex() {
        assertBytes(bytes(""
                + "20 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 32
                + "00 00 00 00  04 00 00 00"                          // ifinfomsg: index 4
                + "00 00 00 00  01 00 00 00"                          //   flags 0, change IFF_UP
        ), change(LinkChange.of(4).down(), -1));
    }

    @Test
    void mtuByIndex() {
        assertBytes(bytes(""
                + "28 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 40
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00" // index 4, no flag change
                + "08 00 04 00  28 23 00 00"                          // IFLA_MTU 9000
        ), change(LinkChange.of(4).mtu(9000), -1));
    }

    @Test
    void macByIndex() {
        assertBytes(bytes(""
                + "2c 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 44
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00"
                + "0a 00 01 00  02 42 0a 01  00 02 00 00"             // IFLA_ADDRESS + 2 pad
        ), change(LinkChange.of(4).mac(MAC), -1));
    }

    @Test
    void renameByIndex() {
        assertBytes(bytes(""
                + "2c 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 44
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00" // found by index 4
                + "09 00 03 00  65 74 68 31  00 00 00 00"             // IFLA_IFNAME "eth1\0": the new name
        ), change(LinkChange.of(4).rename("eth1"), -1));
    }

    @Test
    void renameByNameIsRefused() {
        // The kernel finds an index-0 link by IFLA_IFNAME, so that attribute cannot also carry the
        // new name: the rename would be silently dropped.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change(LinkChange.of("veth1").rename("eth1"), -1));
        assertTrue(e.getMessage().contains("\"veth1\""), e.getMessage());
        assertTrue(e.getMessage().contains("\"eth1\""), e.getMessage());
        assertTrue(e.getMessage().contains("index"), e.getMessage());
    }

    @Test
    void masterByIndex() {
        assertBytes(bytes(""
                + "28 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 40
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00"
                + "08 00 0a 00  05 00 00 00"                          // IFLA_MASTER 5
        ), change(LinkChange.of(4).master(5), 5));
    }

    @Test
    void noMasterSendsMasterZero() {
        LinkChange c = LinkChange.of(4).noMaster();
        assertEquals(0, c.masterIndex());
        assertBytes(bytes(""
                + "28 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 40
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00"
                + "08 00 0a 00  00 00 00 00"                          // IFLA_MASTER 0: detach
        ), change(c, c.masterIndex()));
    }

    @Test
    void aliasByIndex() {
        assertBytes(bytes(""
                + "2c 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 44
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00"
                + "0b 00 14 00  77 65 66 74  2d 78 00 00"             // IFLA_IFALIAS "weft-x\0" + 1 pad
        ), change(LinkChange.of(4).alias("weft-x"), -1));
    }

    @Test
    void groupByIndex() {
        assertBytes(bytes(""
                + "28 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 40
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00"
                + "08 00 1b 00  07 00 00 00"                          // IFLA_GROUP 7
        ), change(LinkChange.of(4).group(7), -1));
    }

    @Test
    void everyChangeInOneMessage() {
        LinkChange c = LinkChange.of(4).up().mtu(1500).mac(MAC).master(5).alias("a").group(2);
        assertBytes(bytes(""
                + "4c 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 76
                + "00 00 00 00  04 00 00 00  01 00 00 00  01 00 00 00" // index 4, IFF_UP / IFF_UP
                + "08 00 04 00  dc 05 00 00"                          // IFLA_MTU 1500
                + "0a 00 01 00  02 42 0a 01  00 02 00 00"             // IFLA_ADDRESS
                + "08 00 0a 00  05 00 00 00"                          // IFLA_MASTER 5
                + "06 00 14 00  61 00 00 00"                          // IFLA_IFALIAS "a\0" + 2 pad
                + "08 00 1b 00  02 00 00 00"                          // IFLA_GROUP 2
        ), change(c, 5));
    }

    @Test
    void hairpinByIndexIsASecondMessage() {
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.setLink(b, LinkChange.of(4).hairpin(true), -1);
        assertBytes(bytes(""
                // message 1 @0: nothing else to change
                + "20 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // len 32, seq 1
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00" // index 4
                // message 2 @32: the bridge port setting
                + "3c 00 00 00  10 00  05 00  02 00 00 00  00 00 00 00" // len 60, seq 2
                + "00 00 00 00  04 00 00 00  00 00 00 00  00 00 00 00" // index 4
                + "1c 00 12 00"                                       // IFLA_LINKINFO len 28
                + "  0b 00 04 00  62 72 69 64  67 65 00 00"           //   IFLA_INFO_SLAVE_KIND "bridge\0"
                + "  0c 00 05 00"                                     //   IFLA_INFO_SLAVE_DATA len 12
                + "    05 00 04 00  01 00 00 00"                      //     IFLA_BRPORT_MODE u8 1 (hairpin)
        ), b.toByteArray());
        assertEquals(List.of(new Message(1, Rtnl.RTM_NEWLINK, 0, Expect.ACK),
                new Message(2, Rtnl.RTM_NEWLINK, 32, Expect.ACK)), b.messages());
    }

    @Test
    void hairpinOffByName() {
        assertBytes(bytes(""
                + "2c 00 00 00  10 00  05 00  01 00 00 00  00 00 00 00" // @0 len 44, seq 1
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
                + "0a 00 03 00  76 65 74 68  31 00 00 00"             // IFLA_IFNAME "veth1\0"
                + "48 00 00 00  10 00  05 00  02 00 00 00  00 00 00 00" // @44 len 72, seq 2
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
                + "0a 00 03 00  76 65 74 68  31 00 00 00"             // IFLA_IFNAME "veth1\0"
                + "1c 00 12 00"                                       // IFLA_LINKINFO len 28
                + "  0b 00 04 00  62 72 69 64  67 65 00 00"           //   SLAVE_KIND "bridge\0"
                + "  0c 00 05 00"                                     //   SLAVE_DATA len 12
                + "    05 00 04 00  00 00 00 00"                      //     IFLA_BRPORT_MODE 0
        ), change(LinkChange.of("veth1").hairpin(false), -1));
    }

    // ---- RTM_DELLINK, RTM_GETLINK ----

    @Test
    void deleteLinkByName() {
        assertBytes(bytes(""
                + "2c 00 00 00  11 00  05 00  01 00 00 00  00 00 00 00" // len 44, RTM_DELLINK, REQUEST|ACK
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg: index 0
                + "0a 00 03 00  76 65 74 68  31 00 00 00"             // IFLA_IFNAME "veth1\0"
        ), encode(b -> RtnetlinkCodec.delLink(b, "veth1", 0)));
    }

    @Test
    void deleteLinkByIndex() {
        assertBytes(bytes(""
                + "20 00 00 00  11 00  05 00  01 00 00 00  00 00 00 00" // len 32, RTM_DELLINK
                + "00 00 00 00  09 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg: index 9
        ), encode(b -> RtnetlinkCodec.delLink(b, null, 9)));
    }

    @Test
    void getLinkByName() {
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.getLink(b, "br0", 0);
        assertBytes(bytes(""
                + "28 00 00 00  12 00  01 00  01 00 00 00  00 00 00 00" // len 40, RTM_GETLINK, REQUEST only
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
                + "08 00 03 00  62 72 30 00"                          // IFLA_IFNAME "br0\0"
        ), b.toByteArray());
        assertEquals(Expect.REPLY, b.messages().get(0).expect());
    }

    @Test
    void dumpLinks() {
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.dumpLinks(b);
        assertBytes(bytes(""
                + "20 00 00 00  12 00  01 03  01 00 00 00  00 00 00 00" // len 32, RTM_GETLINK, REQUEST|DUMP
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00" // ifinfomsg all zero
        ), b.toByteArray());
        assertEquals(Expect.DUMP, b.messages().get(0).expect());
    }

    // ---- RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR ----

    @Test
    void addIpv4Address() {
        assertBytes(bytes(""
                + "28 00 00 00  14 00  05 06  01 00 00 00  00 00 00 00" // len 40, RTM_NEWADDR, CREATE|EXCL|ACK
                + "02 18 00 00"                                       // ifaddrmsg: AF_INET, /24, flags 0, scope 0
                + "04 00 00 00"                                       //   index 4
                + "08 00 02 00  0a 01 00 02"                          // IFA_LOCAL   10.1.0.2
                + "08 00 01 00  0a 01 00 02"                          // IFA_ADDRESS 10.1.0.2
        ), encode(b -> RtnetlinkCodec.address(b, true, 4, InterfaceAddress.parse("10.1.0.2/24"))));
    }

    @Test
    void addIpv6AddressWithoutDad() {
        assertBytes(bytes(""
                + "48 00 00 00  14 00  05 06  01 00 00 00  00 00 00 00" // len 72, RTM_NEWADDR
                + "0a 40 02 00"                                       // AF_INET6, /64, IFA_F_NODAD, scope 0
                + "04 00 00 00"                                       //   index 4
                + "14 00 02 00  fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 02" // IFA_LOCAL fd00:1::2
                + "14 00 01 00  fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 02" // IFA_ADDRESS
                + "08 00 08 00  02 00 00 00"                          // IFA_FLAGS IFA_F_NODAD (u32)
        ), encode(b -> RtnetlinkCodec.address(b, true, 4, InterfaceAddress.parse("fd00:1::2/64"))));
    }

    @Test
    void deleteAddresses() {
        assertBytes(bytes(""
                + "28 00 00 00  15 00  05 00  01 00 00 00  00 00 00 00" // len 40, RTM_DELADDR, REQUEST|ACK
                + "02 18 00 00  04 00 00 00"
                + "08 00 02 00  0a 01 00 02"                          // IFA_LOCAL
                + "08 00 01 00  0a 01 00 02"                          // IFA_ADDRESS
        ), encode(b -> RtnetlinkCodec.address(b, false, 4, InterfaceAddress.parse("10.1.0.2/24"))));
        assertBytes(bytes(""
                + "40 00 00 00  15 00  05 00  01 00 00 00  00 00 00 00" // len 64, RTM_DELADDR
                + "0a 40 02 00  04 00 00 00"
                + "14 00 02 00  fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 02"
                + "14 00 01 00  fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 02" // no IFA_FLAGS
        ), encode(b -> RtnetlinkCodec.address(b, false, 4, InterfaceAddress.parse("fd00:1::2/64"))));
    }

    @Test
    void dumpAddresses() {
        assertBytes(bytes(""
                + "18 00 00 00  16 00  01 03  01 00 00 00  00 00 00 00" // len 24, RTM_GETADDR, REQUEST|DUMP
                + "02 00 00 00  00 00 00 00"                          // ifaddrmsg: AF_INET, rest 0
        ), encode(b -> RtnetlinkCodec.dumpAddresses(b, Rtnl.AF_INET)));
    }

    // ---- RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE ----

    private static byte[] route(boolean add, Route r) {
        return encode(b -> RtnetlinkCodec.route(b, add, r));
    }

    @Test
    void ipv4DefaultViaGateway() {
        assertBytes(bytes(""
                + "24 00 00 00  18 00  05 06  01 00 00 00  00 00 00 00" // len 36, RTM_NEWROUTE, CREATE|EXCL|ACK
                + "02 00 00 00"            // rtmsg: AF_INET, dst_len 0, src_len 0, tos 0
                + "fe 03 00 01"            //   table MAIN, proto BOOT, scope UNIVERSE, type UNICAST
                + "00 00 00 00"            //   rtm_flags 0
                + "08 00 05 00  0a 01 00 01" // RTA_GATEWAY 10.1.0.1 (no RTA_DST for /0)
        ), route(true, Route.defaultVia(IpAddresses.parse("10.1.0.1"))));
    }

    @Test
    void prefixViaGatewayWithDeviceAndMetric() {
        Route r = new Route(IpPrefix.parse("10.2.0.0/16"), IpAddresses.parse("10.1.0.1"), 4, false, 100);
        assertBytes(bytes(""
                + "3c 00 00 00  18 00  05 06  01 00 00 00  00 00 00 00" // len 60
                + "02 10 00 00  fe 03 00 01  00 00 00 00"            // AF_INET, /16, MAIN, BOOT, UNIVERSE, UNICAST
                + "08 00 01 00  0a 02 00 00"                          // RTA_DST 10.2.0.0
                + "08 00 05 00  0a 01 00 01"                          // RTA_GATEWAY 10.1.0.1
                + "08 00 04 00  04 00 00 00"                          // RTA_OIF 4
                + "08 00 06 00  64 00 00 00"                          // RTA_PRIORITY 100
        ), route(true, r));
    }

    @Test
    void metricIsAnUnsigned32BitNumber() {
        Route r = Route.via(IpPrefix.parse("10.2.0.0/16"), IpAddresses.parse("10.1.0.1")).withMetric(4294967295L);
        assertEquals(-1, r.metric());
        assertEquals("10.2.0.0/16 via 10.1.0.1 metric 4294967295", r.toString());
        assertBytes(bytes(""
                + "34 00 00 00  18 00  05 06  01 00 00 00  00 00 00 00" // len 52
                + "02 10 00 00  fe 03 00 01  00 00 00 00"            // AF_INET, /16, MAIN, BOOT, UNIVERSE, UNICAST
                + "08 00 01 00  0a 02 00 00"                          // RTA_DST 10.2.0.0
                + "08 00 05 00  0a 01 00 01"                          // RTA_GATEWAY 10.1.0.1
                + "08 00 06 00  ff ff ff ff"                          // RTA_PRIORITY 4294967295
        ), route(true, r));
        assertThrows(IllegalArgumentException.class, () -> r.withMetric(4294967296L));
        assertThrows(IllegalArgumentException.class, () -> r.withMetric(-1L));
    }

    @Test
    void onLinkGateway() {
        assertBytes(bytes(""
                + "2c 00 00 00  18 00  05 06  01 00 00 00  00 00 00 00" // len 44
                + "02 00 00 00  fe 03 00 01"
                + "04 00 00 00"                                       // rtm_flags RTNH_F_ONLINK
                + "08 00 05 00  0a 01 00 01"                          // RTA_GATEWAY
                + "08 00 04 00  04 00 00 00"                          // RTA_OIF 4
        ), route(true, Route.defaultVia(IpAddresses.parse("10.1.0.1")).onLink(4)));
    }

    @Test
    void directLinkScopeRoute() {
        assertBytes(bytes(""
                + "2c 00 00 00  18 00  05 06  01 00 00 00  00 00 00 00" // len 44
                + "02 18 00 00"                                       // AF_INET, /24
                + "fe 03 fd 01"                                       // MAIN, BOOT, scope LINK (253), UNICAST
                + "00 00 00 00"
                + "08 00 01 00  0a 01 00 00"                          // RTA_DST 10.1.0.0
                + "08 00 04 00  04 00 00 00"                          // RTA_OIF 4
        ), route(true, Route.direct(IpPrefix.parse("10.1.0.0/24"), 4)));
    }

    @Test
    void ipv6DefaultViaGateway() {
        assertBytes(bytes(""
                + "30 00 00 00  18 00  05 06  01 00 00 00  00 00 00 00" // len 48
                + "0a 00 00 00  fe 03 00 01  00 00 00 00"            // AF_INET6, /0, MAIN, BOOT, UNIVERSE, UNICAST
                + "14 00 05 00  fd 00 00 01  00 00 00 00  00 00 00 00  00 00 00 01" // RTA_GATEWAY fd00:1::1
        ), route(true, Route.defaultVia(IpAddresses.parse("fd00:1::1"))));
    }

    @Test
    void deleteRoutesMatchAnyScope() {
        // rtm_scope RT_SCOPE_NOWHERE (255) on delete, as iproute2 sends: fib_table_delete matches
        // only routes of the given scope otherwise, and a direct route has scope link.
        assertBytes(bytes(""
                + "2c 00 00 00  19 00  05 00  01 00 00 00  00 00 00 00" // len 44, RTM_DELROUTE, REQUEST|ACK
                + "02 18 00 00"                                       // AF_INET, /24
                + "fe 00 ff 00"                                       // MAIN, proto 0, scope NOWHERE, type 0
                + "00 00 00 00"
                + "08 00 01 00  0a 01 00 00"                          // RTA_DST 10.1.0.0
                + "08 00 04 00  04 00 00 00"                          // RTA_OIF 4
        ), route(false, Route.direct(IpPrefix.parse("10.1.0.0/24"), 4)));
        assertBytes(bytes(""
                + "24 00 00 00  19 00  05 00  01 00 00 00  00 00 00 00" // len 36, RTM_DELROUTE
                + "02 00 00 00  fe 00 ff 00  00 00 00 00"
                + "08 00 05 00  0a 01 00 01"                          // RTA_GATEWAY 10.1.0.1
        ), route(false, Route.defaultVia(IpAddresses.parse("10.1.0.1"))));
    }

    @Test
    void dumpRoutes() {
        assertBytes(bytes(""
                + "1c 00 00 00  1a 00  01 03  01 00 00 00  00 00 00 00" // len 28, RTM_GETROUTE, REQUEST|DUMP
                + "0a 00 00 00  00 00 00 00  00 00 00 00"            // rtmsg: AF_INET6, rest 0
        ), encode(b -> RtnetlinkCodec.dumpRoutes(b, Rtnl.AF_INET6)));
    }
}
