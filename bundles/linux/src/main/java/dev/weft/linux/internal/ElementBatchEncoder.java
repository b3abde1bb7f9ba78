package dev.weft.linux.internal;

import dev.weft.linux.NftElementException;
import dev.weft.linux.SetKey;
import dev.weft.linux.SetRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes element changes into one nf_tables batch: BATCH_BEGIN, one NEWSETELEM / DELSETELEM /
 * DESTROYSETELEM message per group (more when a group's ELEMENTS nest would pass 65,535 bytes,
 * whose u16 length would wrap), BATCH_END. While encoding it records where each message's
 * TABLE and SET attributes and each LIST_ELEM start, so that the kernel's error offset
 * (NLMSGERR_ATTR_OFFS, relative to the failing message) names the element or set at fault.
 */
public final class ElementBatchEncoder {
    /** Largest nla_len. */
    static final int MAX_NEST = 0xffff;

    /** What an element message does. */
    public enum Op {
        ADD(NfTables.NFT_MSG_NEWSETELEM, Netlink.NLM_F_CREATE),
        DELETE(NfTables.NFT_MSG_DELSETELEM, 0),
        DESTROY(NfTables.NFT_MSG_DESTROYSETELEM, 0);

        final int msg;
        final int flags;

        Op(int msg, int flags) {
            this.msg = msg;
            this.flags = flags;
        }
    }

    /**
     * One element change; {@code data} is null for plain sets and for removals. {@code verb}
     * (add, delete, destroy, replace) is what an error message says was attempted.
     */
    public record Change(SetKey key, SetKey data, String verb) {}

    /** Changes of one (set, op), encoded as one message or, when too large, several. */
    public record Group(SetRef set, Op op, List<Change> changes) {}

    /** Where things are in one encoded element message. */
    record MessageMap(SetRef set, Op op, int tableOffset, int setOffset, int[] elementOffsets, List<Change> changes) {}

    private final NlMessageBuilder builder;
    private final Map<Integer, MessageMap> bySeq = new HashMap<>();

    private ElementBatchEncoder(NlMessageBuilder builder) {
        this.builder = builder;
    }

    /** Encodes the groups, in order, into one batch whose first message (BEGIN) has {@code firstSeq}. */
    public static ElementBatchEncoder encode(int firstSeq, List<Group> groups, NfTablesCodec.AckMode ack) {
        NlMessageBuilder b = new NlMessageBuilder(firstSeq);
        ElementBatchEncoder enc = new ElementBatchEncoder(b);
        NfTablesCodec.beginBatch(b);
        for (Group g : groups) {
            enc.encodeGroup(g, ack);
        }
        NfTablesCodec.endBatch(b, ack);
        return enc;
    }

    public NlMessageBuilder builder() {
        return builder;
    }

    public byte[] toByteArray() {
        return builder.toByteArray();
    }

    private void encodeGroup(Group g, NfTablesCodec.AckMode ack) {
        List<Change> changes = g.changes();
        int i = 0;
        while (i < changes.size()) {
            int seq = builder.nextSeq();
            NfTablesCodec.header(builder, g.op().msg, NfTablesCodec.memberFlags(ack, g.op().flags),
                    g.set().family().nfproto(), NfTablesCodec.memberExpect(ack));
            int tableOffset = builder.offsetInMessage();
            builder.attrString(NfTables.NFTA_SET_ELEM_LIST_TABLE, g.set().table());
            int setOffset = builder.offsetInMessage();
            builder.attrString(NfTables.NFTA_SET_ELEM_LIST_SET, g.set().set());
            int list = builder.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_SET_ELEM_LIST_ELEMENTS);
            int nestLength = 4;
            int first = i;
            List<Integer> offsets = new ArrayList<>();
            while (i < changes.size()) {
                Change c = changes.get(i);
                int size = elementSize(c);
                if (nestLength + size > MAX_NEST && i > first) {
                    break; // continue in a new message of the same batch
                }
                offsets.add(builder.offsetInMessage());
                encodeElement(c);
                nestLength += size;
                i++;
            }
            builder.endNest(list);
            bySeq.put(seq, new MessageMap(g.set(), g.op(), tableOffset, setOffset,
                    offsets.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(changes.subList(first, i))));
        }
    }

    /** Encoded size of one LIST_ELEM: header, KEY { DATA_VALUE }, optionally DATA { DATA_VALUE }. */
    static int elementSize(Change c) {
        int size = 4 + 8 + Netlink.align(c.key().length());
        if (c.data() != null) {
            size += 8 + Netlink.align(c.data().length());
        }
        return size;
    }

    private void encodeElement(Change c) {
        int elem = builder.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_LIST_ELEM);
        int key = builder.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_SET_ELEM_KEY);
        builder.attr(NfTables.NFTA_DATA_VALUE, c.key().bytes());
        builder.endNest(key);
        if (c.data() != null) {
            int data = builder.nest(Netlink.NLA_F_NESTED | NfTables.NFTA_SET_ELEM_DATA);
            builder.attr(NfTables.NFTA_DATA_VALUE, c.data().bytes());
            builder.endNest(data);
        }
        builder.endNest(elem);
    }

    /**
     * The exception for a failed batch: the element (or set, or table) the kernel's error points
     * at when the failing message is one of the element messages; otherwise a batch-level error.
     */
    public NftElementException failure(NlReplies.Answer a) {
        MessageMap m = bySeq.get(a.seq);
        if (m == null) {
            return new NftElementException(a.errno, "commit nftables element batch", null, null, a.extack);
        }
        int off = a.errorOffset;
        if (off >= 0 && off == m.tableOffset()) {
            return forAll(a, m, a.errno == Errno.ENOENT ? "no table \"" + m.set().tableName() + "\"" : null);
        }
        if (off >= 0 && off == m.setOffset()) {
            return forAll(a, m, a.errno == Errno.ENOENT ? "no set \"" + m.set() + "\"" : null);
        }
        int index = -1;
        for (int i = 0; i < m.elementOffsets().length && off >= m.elementOffsets()[i]; i++) {
            index = i;
        }
        if (off < 0 || index < 0) {
            return forAll(a, m, null);
        }
        Change c = m.changes().get(index);
        String detail = null;
        if (a.errno == Errno.EINVAL) {
            detail = "the key has " + c.key().length() + " bytes" + (c.data() != null ? " and the data "
                    + c.data().length() : "") + "; they must match the set's key and data lengths and types";
        }
        return new NftElementException(a.errno, c.verb() + " element", describe(c, m), detail, a.extack);
    }

    private NftElementException forAll(NlReplies.Answer a, MessageMap m, String detail) {
        Change c = m.changes().get(0);
        int more = m.changes().size() - 1;
        String what = more == 0 ? describe(c, m)
                : describeElement(c) + " and " + more + " more " + preposition(c, m) + " " + kind(c, m) + " " + m.set();
        return new NftElementException(a.errno, c.verb() + (more == 0 ? " element" : " elements"), what, detail, a.extack);
    }

    private static String describe(Change c, MessageMap m) {
        return describeElement(c) + " " + preposition(c, m) + " " + kind(c, m) + " " + m.set();
    }

    private static String describeElement(Change c) {
        return c.data() == null ? c.key().toString() : c.key() + " : " + c.data();
    }

    private static String preposition(Change c, MessageMap m) {
        if (c.verb().equals("replace")) {
            return "in";
        }
        return m.op() == Op.ADD ? "to" : "from";
    }

    private static String kind(Change c, MessageMap m) {
        return c.data() != null || c.verb().equals("replace") ? "map" : "set";
    }
}
