package dev.weft.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.NftHex;
import dev.weft.linux.NftChain;
import dev.weft.linux.NftElement;
import dev.weft.linux.NftFamily;
import dev.weft.linux.NftSet;
import dev.weft.linux.SetKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Requests for the read-back, and parsing of dump answers. The answers are built here the way
 * the kernel lays them out (nf_tables_fill_set, nf_tables_fill_setelem, nf_tables_fill_chain_info),
 * with attributes the parser does not know mixed in.
 */
class NfTablesCodecTest {
    private static final int NEWCHAIN = 0x0a03, NEWSET = 0x0a09, NEWSETELEM = 0x0a0c;

    @Test
    void getSetElementDumpRequest() {
        byte[] req = NfTablesCodec.dumpElements(7, NftFamily.INET, "weft", "pub_any").toByteArray();
        assertEquals(NftHex.text(NftHex.bytes("""
                2c000000 0d0a 0103 07000000 00000000 01000000
                09000100 77656674 00000000
                0c000200 7075625f 616e7900
                """)), NftHex.text(req));
    }

    @Test
    void destroyTableIsABatch() {
        byte[] req = NfTablesCodec.destroyTable(1, NftFamily.BRIDGE, "weft", NfTablesCodec.AckMode.END_ONLY).toByteArray();
        assertEquals(NftHex.text(NftHex.bytes("""
                14000000 1000 0100 01000000 00000000 0000000a
                20000000 1a0a 0100 02000000 00000000 07000000 09000100 77656674 00000000
                14000000 1100 0500 03000000 00000000 0000000a
                """)), NftHex.text(req));
    }

    @Test
    void parsesASetAndIgnoresUnknownAttributes() {
        NlMessageBuilder b = new NlMessageBuilder(5);
        b.begin(NEWSET, Netlink.NLM_F_MULTI, NlMessageBuilder.Expect.DUMP).u8(1).u8(0).be16(0x1234);
        b.attrString(NfTables.NFTA_SET_TABLE, "weft");
        b.attrString(NfTables.NFTA_SET_NAME, "pub_any");
        b.attrBe64(NfTables.NFTA_SET_HANDLE, 3);
        b.attrBe32(NfTables.NFTA_SET_FLAGS, NfTables.NFT_SET_MAP | NfTables.NFT_SET_CONCAT);
        b.attrBe32(NfTables.NFTA_SET_KEY_TYPE, (12 << 6) | 13);
        b.attrBe32(NfTables.NFTA_SET_KEY_LEN, 8);
        b.attrBe32(NfTables.NFTA_SET_DATA_TYPE, (7 << 6) | 13);
        b.attrBe32(NfTables.NFTA_SET_DATA_LEN, 8);
        b.attrBe32(8, 0); // NFTA_SET_POLICY
        b.attr(13, new byte[] {0, 4, 1, 2, 3, 4}); // NFTA_SET_USERDATA
        int desc = b.nest(Netlink.NLA_F_NESTED | 9); // NFTA_SET_DESC
        b.attrBe32(1, 0);
        b.endNest(desc);
        b.attr(99, new byte[] {1, 2, 3}); // from a future kernel
        NfTablesCodec.SetInfo info = NfTablesCodec.parseSet(one(b)).orElseThrow();
        assertEquals("weft", info.table());
        NftSet set = info.set();
        assertEquals("pub_any", set.name());
        assertTrue(set.isMap());
        assertEquals(8, set.keyLength());
        assertEquals(8, set.dataLength());
        assertEquals((12 << 6) | 13, set.keyType());
        assertEquals((7 << 6) | 13, set.dataType());
        assertEquals(List.of(), set.elements());
    }

    @Test
    void parsesElementsOfMapsAndPlainSets() {
        NlMessageBuilder b = new NlMessageBuilder(5);
        b.begin(NEWSETELEM, Netlink.NLM_F_MULTI, NlMessageBuilder.Expect.DUMP).u8(1).u8(0).be16(0);
        b.attrString(NfTables.NFTA_SET_ELEM_LIST_TABLE, "weft");
        b.attrString(NfTables.NFTA_SET_ELEM_LIST_SET, "pub_any");
        int list = b.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_SET_ELEM_LIST_ELEMENTS);
        element(b, NftHex.bytes("06000000 1f900000"), NftHex.bytes("0a010002 00500000"), true);
        element(b, NftHex.bytes("11000000 00350000"), NftHex.bytes("0a010003 00350000"), false);
        element(b, NftHex.bytes("76657468 30000000 00000000 00000000"), null, true);
        int catchAll = b.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_LIST_ELEM); // no key: skipped
        b.attrBe32(NfTables.NFTA_SET_ELEM_FLAGS, 2);
        b.endNest(catchAll);
        b.endNest(list);
        List<NftElement> elements = NfTablesCodec.parseElements(one(b));
        assertEquals(List.of(
                NftElement.of(SetKey.of().tcp().port(8080), SetKey.raw(NftHex.bytes("0a010002 00500000"))),
                NftElement.of(SetKey.of().udp().port(53), SetKey.raw(NftHex.bytes("0a010003 00350000"))),
                NftElement.of(SetKey.of().ifname("veth0"))), elements);
    }

    @Test
    void parsesBaseAndRegularChains() {
        NlMessageBuilder b = new NlMessageBuilder(5);
        b.begin(NEWCHAIN, Netlink.NLM_F_MULTI, NlMessageBuilder.Expect.DUMP).u8(1).u8(0).be16(0);
        b.attrString(NfTables.NFTA_CHAIN_TABLE, "weft");
        b.attrBe64(NfTables.NFTA_CHAIN_HANDLE, 2);
        b.attrString(NfTables.NFTA_CHAIN_NAME, "nat_out");
        int hook = b.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_CHAIN_HOOK);
        b.attrBe32(NfTables.NFTA_HOOK_HOOKNUM, 3);
        b.attrBe32(NfTables.NFTA_HOOK_PRIORITY, -100);
        b.endNest(hook);
        b.attrBe32(NfTables.NFTA_CHAIN_POLICY, NfTables.NF_ACCEPT);
        b.attrString(NfTables.NFTA_CHAIN_TYPE, "nat");
        b.attrBe32(NfTables.NFTA_CHAIN_FLAGS, 1);
        b.attrBe32(NfTables.NFTA_CHAIN_USE, 1);
        b.begin(NEWCHAIN, Netlink.NLM_F_MULTI, NlMessageBuilder.Expect.DUMP).u8(7).u8(0).be16(0);
        b.attrString(NfTables.NFTA_CHAIN_TABLE, "weft");
        b.attrString(NfTables.NFTA_CHAIN_NAME, "publish");
        b.attrBe32(NfTables.NFTA_CHAIN_USE, 0);
        List<NlMessage> msgs = all(b);
        assertEquals(new NfTablesCodec.ChainInfo("weft", new NftChain("nat_out",
                Optional.of(new NftChain.Hook("nat", "output", -100, "accept")))),
                NfTablesCodec.parseChain(msgs.get(0)).orElseThrow());
        assertEquals(new NfTablesCodec.ChainInfo("weft", new NftChain("publish", Optional.empty())),
                NfTablesCodec.parseChain(msgs.get(1)).orElseThrow());
        assertEquals(Optional.empty(), NfTablesCodec.parseSet(msgs.get(0)), "a chain is not a set");
    }

    @Test
    void parsesTableAndGeneration() {
        NlMessageBuilder b = new NlMessageBuilder(1);
        b.begin(0x0a00, 0, NlMessageBuilder.Expect.REPLY).u8(7).u8(0).be16(0);
        b.attrString(NfTables.NFTA_TABLE_NAME, "weft");
        b.attrBe32(NfTables.NFTA_TABLE_FLAGS, 0);
        b.attrBe32(NfTables.NFTA_TABLE_USE, 4);
        b.attrBe64(NfTables.NFTA_TABLE_HANDLE, 9);
        b.begin(0x0a0f, 0, NlMessageBuilder.Expect.REPLY).u8(0).u8(0).be16(0);
        b.attrBe32(NfTables.NFTA_GEN_ID, 0xfffffffe);
        b.attrU32(2, 1234); // NFTA_GEN_PROC_PID
        List<NlMessage> msgs = all(b);
        assertEquals(new NfTablesCodec.TableInfo(7, "weft", 0), NfTablesCodec.parseTable(msgs.get(0)).orElseThrow());
        assertEquals(0xfffffffeL, NfTablesCodec.parseGeneration(msgs.get(1)));
    }

    /**
     * Dump answers captured once from kernel 6.18 (x86-64) for
     * {@code table inet weft { map pub_any {…}; set icc { type ifname; }; chain nat_out { type nat hook output priority -100; } }}
     * holding {@code tcp . 8080 : 10.1.0.2 . 80} and {@code "veth1a2b3c"}: payloads after the nlmsghdr. Each set's
     * element dump ends with an extra NEWSETELEM whose ELEMENTS nest is empty; the kernel sets no NLA_F_NESTED.
     */
    @Test
    void parsesCapturedKernelDumps() {
        NftSet pubAny = NfTablesCodec.parseSet(captured(NEWSET, "010000030900010077656674000000000c0002007075625f616e7900"
                + "0c00100000000000000000020800030000000008080004000000030d080005000000000808000600000001cd0800070000000008"
                + "2a000d00000400000000010400000000030800040d0000000100040800040d0000000100060400000000000004000900170013"
                + "0030786666666666666666383235303766343000000800140000000001")).orElseThrow().set();
        assertEquals(new NftSet("pub_any", NfTables.NFT_SET_MAP, (12 << 6) | 13, 8, (7 << 6) | 13, 8, List.of()), pubAny);
        NftSet icc = NfTablesCodec.parseSet(captured(NEWSET, "0100000309000100776566740000000008000200696363000c0010"
                + "000000000000000003080004000000002908000500000000100a000d000004010000000000040009001700130030786666666666"
                + "666666383235303766343000000800140000000001")).orElseThrow().set();
        assertEquals(new NftSet("icc", 0, 41, 16, 0, 0, List.of()), icc);
        assertEquals(List.of(NftElement.of(SetKey.of().tcp().port(8080), SetKey.raw(NftHex.bytes("0a010002 00500000")))),
                NfTablesCodec.parseElements(captured(NEWSETELEM, "010000030900010077656674000000000c0002007075625f616e79"
                        + "002800030024000100100001000c000100060000001f900000100002000c0001000a01000200500000")));
        assertEquals(List.of(), NfTablesCodec.parseElements(captured(NEWSETELEM,
                "010000030900010077656674000000000c0002007075625f616e790004000300")));
        assertEquals(List.of(NftElement.of(SetKey.of().ifname("veth1a2b3c"))), NfTablesCodec.parseElements(captured(
                NEWSETELEM, "010000030900010077656674000000000800020069636300200003001c00010018000100140001007665746831"
                        + "6132623363000000000000")));
        assertEquals(new NfTablesCodec.ChainInfo("weft", new NftChain("nat_out",
                        Optional.of(new NftChain.Hook("nat", "output", -100, "accept")))),
                NfTablesCodec.parseChain(captured(NEWCHAIN, "010000030900010077656674000000000c0003006e61745f6f7574000c00"
                        + "0200000000000000000114000400080001000000000308000200ffffff9c0800050000000001080007006e617400"
                        + "08000a00000000010800060000000000")).orElseThrow());
    }

    private static NlMessage captured(int type, String payloadHex) {
        return new NlMessage(type, Netlink.NLM_F_MULTI, 1, ByteBuffer.wrap(NftHex.bytes(payloadHex)).order(ByteOrder.nativeOrder()));
    }

    private static void element(NlMessageBuilder b, byte[] key, byte[] data, boolean withFlags) {
        int e = b.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_LIST_ELEM);
        int k = b.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_SET_ELEM_KEY);
        b.attr(NfTables.NFTA_DATA_VALUE, key);
        b.endNest(k);
        if (data != null) {
            int d = b.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_SET_ELEM_DATA);
            b.attr(NfTables.NFTA_DATA_VALUE, data);
            b.endNest(d);
        }
        if (withFlags) {
            b.attrBe32(NfTables.NFTA_SET_ELEM_FLAGS, 0);
        }
        b.endNest(e);
    }

    private static NlMessage one(NlMessageBuilder b) {
        return all(b).get(0);
    }

    private static List<NlMessage> all(NlMessageBuilder b) {
        byte[] bytes = b.toByteArray();
        return NlReplies.split(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), bytes.length);
    }
}
