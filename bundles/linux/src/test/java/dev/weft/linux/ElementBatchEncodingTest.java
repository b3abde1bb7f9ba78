package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.internal.ElementBatchEncoder;
import dev.weft.linux.internal.NfTablesCodec;
import dev.weft.linux.internal.NfTablesCodec.AckMode;
import dev.weft.linux.internal.NlMessage;
import dev.weft.linux.internal.NlMessageBuilder;
import dev.weft.linux.internal.NlReplies;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Element batches against the bytes verified on kernel 6.18 (research/nftables-netlink-elements.md
 * §2.1, §2.2: the kernel accepted them and they match what nft sends). The research batches put
 * NLM_F_ACK on every member (nft's way, {@link AckMode#EVERY_MESSAGE}); Weft's default acks only
 * BATCH_END ({@link AckMode#END_ONLY}), which differs in exactly those flag bytes.
 */
class ElementBatchEncodingTest {
    static final SetRef PUB_ANY = SetRef.of(NftFamily.INET, "weft", "pub_any");
    static final SetRef PUB_ADDR = SetRef.of(NftFamily.INET, "weft", "pub_addr");
    static final SetRef PUB6_ANY = SetRef.of(NftFamily.INET, "weft", "pub6_any");
    static final SetRef ICC_OFF = SetRef.of(NftFamily.INET, "weft", "icc_off_ports");

    /** §2.1: tcp . 8080 : 10.1.0.2 . 80 into inet weft pub_any, seq 1..3 (124 bytes). */
    static final byte[] ONE_ELEMENT = NftHex.bytes("""
            14000000 1000 0100 01000000 00000000 0000000a
            54000000 0c0a 0504 02000000 00000000 01000000
            09000100 77656674 00000000
            0c000200 7075625f 616e7900
            28000380 24000180 10000180 0c000100 06000000 1f900000 10000280 0c000100 0a010002 00500000
            14000000 1100 0100 03000000 00000000 0000000a
            """);

    /** §2.2: five elements in four sets, seq 1000..1005 (436 bytes). */
    static final byte[] MULTI_SET = NftHex.bytes("""
            1400000010000100e8030000000000000000000a780000000c0a0504e9030000
            00000000010000000900010077656674000000000c0002007075625f616e7900
            4c00038024000180100001800c000100060000001f900000100002800c000100
            0a0100020050000024000180100001800c0001001100000014e9000010000280
            0c0001000a010003003500005c0000000c0a0504ea0300000000000001000000
            0900010077656674000000000d0002007075625f61646472000000002c000380
            2800018014000180100001007f0000010600000046a10000100002800c000100
            0a0100021f900000640000000c0a0504eb030000000000000100000009000100
            77656674000000000d000200707562365f616e79000000003400038030000180
            100001800c0001000600000020fb00001c00028018000100fd00000100000000
            000000000000000201bb0000540000000c0a0504ec0300000000000001000000
            090001007765667400000000120002006963635f6f66665f706f727473000000
            200003801c000180180001801400010076657468316132623363000000000000
            1400000011000100ed030000000000000000000a
            """);

    /** §2.3: ENOENT for a missing set, seq 1011, NLMSGERR_ATTR_OFFS 32 (NFTA_SET_ELEM_LIST_SET). */
    static final byte[] ENOENT_REPLY = NftHex.bytes("""
            2c000000 0200 0003 f3030000 78450000
            feffffff
            54000000 0c0a0504 f3030000 00000000
            08000200 20000000
            """);

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static SetKey tcp8080() {
        return SetKey.of().tcp().port(8080);
    }

    static SetKey to(String address, int port) {
        return SetKey.of().address(ip(address)).port(port);
    }

    @Test
    void oneElementBatchMatchesTheVerifiedBytes() {
        ElementBatch batch = new ElementBatch(null).add(PUB_ANY, tcp8080(), to("10.1.0.2", 80));
        byte[] bytes = batch.encode(1, AckMode.EVERY_MESSAGE).toByteArray();
        assertEquals(124, bytes.length);
        assertEquals(NftHex.text(ONE_ELEMENT), NftHex.text(bytes));
    }

    @Test
    void defaultAckModeAcksOnlyBatchEnd() {
        ElementBatch batch = new ElementBatch(null).add(PUB_ANY, tcp8080(), to("10.1.0.2", 80));
        byte[] expected = ONE_ELEMENT.clone();
        expected[0x1a] = 0x01; // NEWSETELEM: REQUEST|CREATE (0x0401), no ACK
        expected[0x6e] = 0x05; // BATCH_END: REQUEST|ACK
        ElementBatchEncoder enc = batch.encode(1, AckMode.END_ONLY);
        assertEquals(NftHex.text(expected), NftHex.text(enc.toByteArray()));
        List<NlMessageBuilder.Message> msgs = enc.builder().messages();
        assertEquals(List.of(NlMessageBuilder.Expect.ERRORS_ONLY, NlMessageBuilder.Expect.ERRORS_ONLY,
                NlMessageBuilder.Expect.ACK), msgs.stream().map(NlMessageBuilder.Message::expect).toList());
        assertTrue(enc.builder().isBatch());
    }

    @Test
    void multiSetBatchMatchesTheVerifiedBytes() {
        ElementBatch batch = new ElementBatch(null)
                .add(PUB_ANY, tcp8080(), to("10.1.0.2", 80))
                .add(PUB_ANY, SetKey.of().udp().port(5353), to("10.1.0.3", 53))
                .add(PUB_ADDR, SetKey.of().address(ip("127.0.0.1")).tcp().port(18081), to("10.1.0.2", 8080))
                .add(PUB6_ANY, SetKey.of().tcp().port(8443), to("fd00:1::2", 443))
                .add(ICC_OFF, SetKey.of().ifname("veth1a2b3c"));
        byte[] bytes = batch.encode(1000, AckMode.EVERY_MESSAGE).toByteArray();
        assertEquals(436, bytes.length);
        assertEquals(NftHex.text(MULTI_SET), NftHex.text(bytes));
        assertEquals(5, batch.size());
    }

    @Test
    void deleteAndDestroyCarryTheKeyOnly() {
        String begin = "14000000 1000 0100 01000000 00000000 0000000a";
        String body = "00000000 01000000 09000100 77656674 00000000 0c000200 7075625f 616e7900"
                + " 18000380 14000180 10000180 0c000100 06000000 1f900000";
        String end = "14000000 1100 0500 03000000 00000000 0000000a";
        byte[] delete = new ElementBatch(null).delete(PUB_ANY, tcp8080()).encode(1, AckMode.END_ONLY).toByteArray();
        assertEquals(NftHex.text(NftHex.bytes(begin + "44000000 0e0a 0100 02000000" + body + end)), NftHex.text(delete));
        byte[] destroy = new ElementBatch(null).destroy(PUB_ANY, tcp8080()).encode(1, AckMode.END_ONLY).toByteArray();
        assertEquals(NftHex.text(NftHex.bytes(begin + "44000000 1e0a 0100 02000000" + body + end)), NftHex.text(destroy));
    }

    @Test
    void replaceIsDestroyThenAddInOneBatch() {
        ElementBatch batch = new ElementBatch(null)
                .replace(PUB_ANY, tcp8080(), to("10.1.0.9", 80))
                .replace(PUB_ANY, SetKey.of().udp().port(53), to("10.1.0.9", 53));
        assertEquals(2, batch.size());
        List<List<NftElement>> messages = elementsPerMessage(batch.encode(1, AckMode.END_ONLY));
        assertEquals(List.of("0x0a1e", "0x0a0c"), types(batch.encode(1, AckMode.END_ONLY)));
        assertEquals(List.of(NftElement.of(tcp8080()), NftElement.of(SetKey.of().udp().port(53))), messages.get(0));
        assertEquals(List.of(NftElement.of(tcp8080(), to("10.1.0.9", 80)),
                NftElement.of(SetKey.of().udp().port(53), to("10.1.0.9", 53))), messages.get(1));
    }

    @Test
    void changesOfOneKeyKeepTheirOrder() {
        ElementBatch batch = new ElementBatch(null)
                .add(PUB_ANY, tcp8080(), to("10.1.0.2", 80))
                .add(PUB_ADDR, SetKey.of().address(ip("127.0.0.1")).tcp().port(1), to("10.1.0.2", 1))
                .destroy(PUB_ANY, tcp8080())
                .add(PUB_ANY, tcp8080(), to("10.1.0.3", 80))
                .add(PUB_ANY, SetKey.of().udp().port(1), to("10.1.0.3", 1));
        // The second add of tcp . 8080 may not join the first (the destroy in between touches its key);
        // udp . 1 is independent of the destroy and joins the latest add message of pub_any.
        assertEquals(List.of("0x0a0c", "0x0a0c", "0x0a1e", "0x0a0c"), types(batch.encode(1, AckMode.END_ONLY)));
        List<List<NftElement>> messages = elementsPerMessage(batch.encode(1, AckMode.END_ONLY));
        assertEquals(List.of(NftElement.of(tcp8080(), to("10.1.0.3", 80)),
                NftElement.of(SetKey.of().udp().port(1), to("10.1.0.3", 1))), messages.get(3));
    }

    @Test
    void largeGroupsAreSplitBeforeTheNestLengthWraps() {
        ElementBatch batch = new ElementBatch(null);
        for (int port = 1; port <= 2000; port++) {
            batch.add(PUB_ANY, SetKey.of().tcp().port(port), to("10.1.0.2", port));
        }
        ElementBatchEncoder enc = batch.encode(1, AckMode.END_ONLY);
        byte[] bytes = enc.toByteArray();
        List<NlMessageBuilder.Message> msgs = enc.builder().messages();
        assertEquals(4, msgs.size(), "BEGIN, two NEWSETELEM, END");
        List<List<NftElement>> messages = elementsPerMessage(enc);
        // 36 bytes per element: (65535 - 4) / 36 = 1820 fit in one ELEMENTS nest
        assertEquals(1820, messages.get(0).size());
        assertEquals(180, messages.get(1).size());
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        for (NlMessageBuilder.Message m : msgs.subList(1, 3)) {
            int elementsNest = Short.toUnsignedInt(buf.getShort(m.offset() + 44));
            assertEquals(0x8003, Short.toUnsignedInt(buf.getShort(m.offset() + 46)));
            assertTrue(elementsNest <= 0xffff && elementsNest > 0, "nest length " + elementsNest);
            assertEquals(buf.getInt(m.offset()) - 44, elementsNest, "the nest fills the message");
        }
        List<NftElement> all = new ArrayList<>(messages.get(0));
        all.addAll(messages.get(1));
        for (int i = 0; i < 2000; i++) {
            assertEquals(NftElement.of(SetKey.of().tcp().port(i + 1), to("10.1.0.2", i + 1)), all.get(i));
        }
    }

    @Test
    void errorReplyOnTheSetNamesTheSet() {
        ElementBatchEncoder enc = new ElementBatch(null).add(PUB_ANY, tcp8080(), to("10.1.0.2", 80))
                .encode(1010, AckMode.EVERY_MESSAGE);
        NftElementException e = enc.failure(answer(ENOENT_REPLY));
        assertEquals("cannot add element tcp . 8080 : 10.1.0.2 . 80 to map inet weft pub_any: ENOENT (No such file "
                + "or directory): no set \"inet weft pub_any\"", e.getMessage());
        assertTrue(e.isNotFound());
    }

    @Test
    void errorReplyOnTheTableNamesTheTable() {
        ElementBatchEncoder enc = new ElementBatch(null).add(ICC_OFF, SetKey.of().ifname("veth0"))
                .add(ICC_OFF, SetKey.of().ifname("veth1")).encode(1, AckMode.END_ONLY);
        NftElementException e = enc.failure(answer(errorReply(2, 2, 20)));
        assertEquals("cannot add elements \"veth0\" and 1 more to set inet weft icc_off_ports: ENOENT (No such file "
                + "or directory): no table \"inet weft\"", e.getMessage());
    }

    @Test
    void errorReplyOnAnElementNamesTheElement() {
        ElementBatchEncoder enc = new ElementBatch(null)
                .add(PUB_ANY, SetKey.of().udp().port(53), to("10.1.0.2", 53))
                .add(PUB_ANY, tcp8080(), to("10.1.0.2", 80))
                .encode(1, AckMode.END_ONLY);
        // LIST_ELEM of the second element: 48 + 36; an offset inside it (its KEY nest) maps the same way.
        assertEquals("cannot add element tcp . 8080 : 10.1.0.2 . 80 to map inet weft pub_any: EEXIST (File exists)",
                enc.failure(answer(errorReply(17, 2, 84))).getMessage());
        assertEquals("cannot add element tcp . 8080 : 10.1.0.2 . 80 to map inet weft pub_any: EEXIST (File exists)",
                enc.failure(answer(errorReply(17, 2, 88))).getMessage());
        assertEquals("cannot add element udp . 53 : 10.1.0.2 . 53 to map inet weft pub_any: EINVAL (Invalid argument): "
                        + "the key has 8 bytes and the data 8; they must match the set's key and data lengths and types",
                enc.failure(answer(errorReply(22, 2, 48))).getMessage());
    }

    @Test
    void errorInASplitMessageNamesTheRightElement() {
        ElementBatch batch = new ElementBatch(null);
        for (int port = 1; port <= 2000; port++) {
            batch.add(PUB_ANY, SetKey.of().tcp().port(port), to("10.1.0.2", 80));
        }
        for (int port = 1; port <= 2000; port++) {
            batch.delete(PUB_ADDR, SetKey.of().address(ip("10.0.0.1")).tcp().port(port));
        }
        ElementBatchEncoder enc = batch.encode(1, AckMode.END_ONLY);
        // BEGIN, pub_any adds 1..1820 (seq 2), 1821..2000 (seq 3), pub_addr deletes (24 bytes each: one message), END
        assertEquals(5, enc.builder().messages().size());
        assertEquals("cannot add element tcp . 1825 : 10.1.0.2 . 80 to map inet weft pub_any: EEXIST (File exists)",
                enc.failure(answer(errorReply(17, 3, 48 + 4 * 36))).getMessage());
        // "pub_addr" takes 16 bytes, so the first LIST_ELEM is at 52
        assertEquals("cannot delete element 10.0.0.1 . tcp . 3 from set inet weft pub_addr: ENOENT (No such file or "
                + "directory)", enc.failure(answer(errorReply(2, 4, 52 + 2 * 24))).getMessage());
    }

    @Test
    void batchLevelErrorsNameTheBatch() {
        ElementBatchEncoder enc = new ElementBatch(null).destroy(PUB_ANY, tcp8080()).replace(PUB_ANY, tcp8080(),
                to("10.1.0.2", 80)).encode(1, AckMode.END_ONLY);
        assertEquals("cannot commit nftables element batch: EOPNOTSUPP (Operation not supported)",
                enc.failure(answer(errorReply(95, 1, -1))).getMessage());
        // the add half of a replace reads as a replace
        assertEquals("cannot replace element tcp . 8080 : 10.1.0.2 . 80 in map inet weft pub_any: EEXIST (File exists)",
                enc.failure(answer(errorReply(17, 3, 48))).getMessage());
    }

    @Test
    void aCommittedBatchCannotBeChanged() {
        ElementBatch batch = new ElementBatch(null);
        assertTrue(batch.isEmpty());
        batch.commit(); // empty: sends nothing
        assertThrows(IllegalStateException.class, () -> batch.add(PUB_ANY, tcp8080()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ElementBatch(null).add(PUB_ANY, SetKey.of(), SetKey.of().port(1)));
        assertEquals("empty key for inet weft pub_any: add at least one field", e.getMessage());
    }

    // ---- helpers

    /** An NLMSG_ERROR as the kernel sends it with CAP_ACK and EXT_ACK (OFFS omitted when offset < 0). */
    static byte[] errorReply(int errno, int seq, int offset) {
        NlMessageBuilder b = new NlMessageBuilder(seq);
        b.begin(2, offset >= 0 ? 0x300 : 0x100, NlMessageBuilder.Expect.ACK);
        b.u32(-errno);
        b.u32(84).u16(0x0a0c).u16(0x0401).u32(seq).u32(0);
        if (offset >= 0) {
            b.attrU32(2, offset);
        }
        return b.toByteArray();
    }

    static NlReplies.Answer answer(byte[] reply) {
        NlMessage m = NlReplies.split(ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder()), reply.length).get(0);
        NlReplies.Answer a = new NlReplies().answer(m.seq());
        NlReplies.readError(m, a);
        return a;
    }

    static List<NlMessage> split(ElementBatchEncoder enc) {
        byte[] bytes = enc.toByteArray();
        return NlReplies.split(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), bytes.length);
    }

    static List<String> types(ElementBatchEncoder enc) {
        List<NlMessage> msgs = split(enc);
        return msgs.subList(1, msgs.size() - 1).stream().map(m -> String.format("0x%04x", m.type())).toList();
    }

    /** The elements of each member message, decoded with the dump parser (which reads the same layout). */
    static List<List<NftElement>> elementsPerMessage(ElementBatchEncoder enc) {
        List<NlMessage> msgs = split(enc);
        List<List<NftElement>> out = new ArrayList<>();
        for (NlMessage m : msgs.subList(1, msgs.size() - 1)) {
            // The dump parser only reads NEWSETELEM; present removals as such to reuse it.
            NlMessage asNew = new NlMessage(0x0a0c, m.flags(), m.seq(), m.payload());
            out.add(NfTablesCodec.parseElements(asNew));
        }
        return out;
    }
}
