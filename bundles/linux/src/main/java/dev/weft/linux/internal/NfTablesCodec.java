package dev.weft.linux.internal;

import dev.weft.linux.NftChain;
import dev.weft.linux.NftElement;
import dev.weft.linux.NftFamily;
import dev.weft.linux.NftSet;
import dev.weft.linux.SetKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Encodes nf_tables requests (batch framing, table/chain/set/element queries, table removal)
 * and decodes the kernel's answers. Message layout: nlmsghdr (host order), then nfgenmsg
 * {family, version 0, res_id big-endian}, then attributes. Element batches are built by
 * {@link ElementBatchEncoder}.
 */
public final class NfTablesCodec {
    private NfTablesCodec() {}

    /** Who gets NLM_F_ACK in a batch. */
    public enum AckMode {
        /**
         * Only BATCH_END: one ack means committed, any error means nothing was applied (observed on
         * kernel 6.18: a failing batch returns only its errors and no END ack).
         */
        END_ONLY,
        /**
         * Every member message and not END (what nft sends): for kernels that ignore NLM_F_ACK on
         * BATCH_END; the batch is committed when no error came back.
         */
        EVERY_MESSAGE
    }

    /** Starts an nf_tables message: header and nfgenmsg. */
    public static void header(NlMessageBuilder b, int msg, int flags, int family, NlMessageBuilder.Expect expect) {
        b.begin(NfTables.type(msg), flags, expect);
        b.u8(family).u8(NfTables.NFNETLINK_V0).be16(0);
    }

    /** BATCH_BEGIN: family 0, res_id NFNL_SUBSYS_NFTABLES big-endian; never acked (its seq carries batch-level errors). */
    public static void beginBatch(NlMessageBuilder b) {
        b.batch();
        b.begin(NfTables.NFNL_MSG_BATCH_BEGIN, Netlink.NLM_F_REQUEST, NlMessageBuilder.Expect.ERRORS_ONLY);
        b.u8(0).u8(NfTables.NFNETLINK_V0).be16(NfTables.NFNL_SUBSYS_NFTABLES);
    }

    /** BATCH_END; without it the kernel silently aborts the batch. */
    public static void endBatch(NlMessageBuilder b, AckMode ack) {
        boolean acked = ack == AckMode.END_ONLY;
        b.begin(NfTables.NFNL_MSG_BATCH_END, Netlink.NLM_F_REQUEST | (acked ? Netlink.NLM_F_ACK : 0),
                acked ? NlMessageBuilder.Expect.ACK : NlMessageBuilder.Expect.ERRORS_ONLY);
        b.u8(0).u8(NfTables.NFNETLINK_V0).be16(NfTables.NFNL_SUBSYS_NFTABLES);
    }

    /** Flags and expectation of a batch member message. */
    public static int memberFlags(AckMode ack, int extra) {
        return Netlink.NLM_F_REQUEST | extra | (ack == AckMode.EVERY_MESSAGE ? Netlink.NLM_F_ACK : 0);
    }

    public static NlMessageBuilder.Expect memberExpect(AckMode ack) {
        return ack == AckMode.EVERY_MESSAGE ? NlMessageBuilder.Expect.ACK : NlMessageBuilder.Expect.ERRORS_ONLY;
    }

    /** One batch removing a table with everything in it; a missing table is no error (DESTROYTABLE, 6.3+). */
    public static NlMessageBuilder destroyTable(int firstSeq, NftFamily family, String table, AckMode ack) {
        NlMessageBuilder b = new NlMessageBuilder(firstSeq);
        beginBatch(b);
        header(b, NfTables.NFT_MSG_DESTROYTABLE, memberFlags(ack, 0), family.nfproto(), memberExpect(ack));
        b.attrString(NfTables.NFTA_TABLE_NAME, table);
        endBatch(b, ack);
        return b;
    }

    /** GETTABLE for one table: answered by one NEWTABLE message, or ENOENT. */
    public static NlMessageBuilder getTable(int firstSeq, NftFamily family, String table) {
        NlMessageBuilder b = new NlMessageBuilder(firstSeq);
        header(b, NfTables.NFT_MSG_GETTABLE, Netlink.NLM_F_REQUEST, family.nfproto(), NlMessageBuilder.Expect.REPLY);
        b.attrString(NfTables.NFTA_TABLE_NAME, table);
        return b;
    }

    /** GETCHAIN dump of the family; the kernel may ignore the table filter, so callers filter again. */
    public static NlMessageBuilder dumpChains(int firstSeq, NftFamily family, String table) {
        return dump(firstSeq, NfTables.NFT_MSG_GETCHAIN, family, NfTables.NFTA_CHAIN_TABLE, table);
    }

    /** GETSET dump of one table's sets (the kernel filters on NFTA_SET_TABLE). */
    public static NlMessageBuilder dumpSets(int firstSeq, NftFamily family, String table) {
        return dump(firstSeq, NfTables.NFT_MSG_GETSET, family, NfTables.NFTA_SET_TABLE, table);
    }

    /** GETSETELEM dump of one set's elements. */
    public static NlMessageBuilder dumpElements(int firstSeq, NftFamily family, String table, String set) {
        NlMessageBuilder b = dump(firstSeq, NfTables.NFT_MSG_GETSETELEM, family, NfTables.NFTA_SET_ELEM_LIST_TABLE, table);
        b.attrString(NfTables.NFTA_SET_ELEM_LIST_SET, set);
        return b;
    }

    /** GETGEN: answered by NEWGEN carrying the ruleset generation id. */
    public static NlMessageBuilder getGeneration(int firstSeq) {
        NlMessageBuilder b = new NlMessageBuilder(firstSeq);
        header(b, NfTables.NFT_MSG_GETGEN, Netlink.NLM_F_REQUEST, 0, NlMessageBuilder.Expect.REPLY);
        return b;
    }

    private static NlMessageBuilder dump(int firstSeq, int msg, NftFamily family, int tableAttr, String table) {
        NlMessageBuilder b = new NlMessageBuilder(firstSeq);
        header(b, msg, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, family.nfproto(), NlMessageBuilder.Expect.DUMP);
        b.attrString(tableAttr, table);
        return b;
    }

    // ---- decoding. Unknown attributes are ignored; a message of another type yields nothing.

    /** A decoded NEWTABLE. */
    public record TableInfo(int family, String name, int flags) {}

    /** A decoded NEWCHAIN, with the table it belongs to. */
    public record ChainInfo(String table, NftChain chain) {}

    /** A decoded NEWSET (without elements), with the table it belongs to. */
    public record SetInfo(String table, NftSet set) {}

    public static Optional<TableInfo> parseTable(NlMessage m) {
        if (NfTables.msg(m.type()) != NfTables.NFT_MSG_NEWTABLE || m.payload().limit() < NfTables.NFGENMSG_LEN) {
            return Optional.empty();
        }
        NlAttrs a = m.attrs(NfTables.NFGENMSG_LEN);
        String name = a.string(NfTables.NFTA_TABLE_NAME);
        return name == null ? Optional.empty()
                : Optional.of(new TableInfo(family(m), name, a.be32(NfTables.NFTA_TABLE_FLAGS, 0)));
    }

    public static Optional<ChainInfo> parseChain(NlMessage m) {
        if (NfTables.msg(m.type()) != NfTables.NFT_MSG_NEWCHAIN || m.payload().limit() < NfTables.NFGENMSG_LEN) {
            return Optional.empty();
        }
        NlAttrs a = m.attrs(NfTables.NFGENMSG_LEN);
        String table = a.string(NfTables.NFTA_CHAIN_TABLE);
        String name = a.string(NfTables.NFTA_CHAIN_NAME);
        if (table == null || name == null) {
            return Optional.empty();
        }
        Optional<NftChain.Hook> hook = Optional.empty();
        if (a.has(NfTables.NFTA_CHAIN_HOOK)) {
            NlAttrs h = a.nested(NfTables.NFTA_CHAIN_HOOK);
            int hooknum = h.be32(NfTables.NFTA_HOOK_HOOKNUM, -1);
            NftFamily family = familyOrNull(m);
            String hookName = family == null ? "hook " + hooknum : family.hookName(hooknum);
            int policy = a.be32(NfTables.NFTA_CHAIN_POLICY, NfTables.NF_ACCEPT);
            hook = Optional.of(new NftChain.Hook(a.string(NfTables.NFTA_CHAIN_TYPE), hookName,
                    h.be32(NfTables.NFTA_HOOK_PRIORITY, 0), policyName(policy)));
        }
        return Optional.of(new ChainInfo(table, new NftChain(name, hook)));
    }

    public static Optional<SetInfo> parseSet(NlMessage m) {
        if (NfTables.msg(m.type()) != NfTables.NFT_MSG_NEWSET || m.payload().limit() < NfTables.NFGENMSG_LEN) {
            return Optional.empty();
        }
        NlAttrs a = m.attrs(NfTables.NFGENMSG_LEN);
        String table = a.string(NfTables.NFTA_SET_TABLE);
        String name = a.string(NfTables.NFTA_SET_NAME);
        if (table == null || name == null) {
            return Optional.empty();
        }
        return Optional.of(new SetInfo(table, new NftSet(name, a.be32(NfTables.NFTA_SET_FLAGS, 0),
                a.be32(NfTables.NFTA_SET_KEY_TYPE, 0), a.be32(NfTables.NFTA_SET_KEY_LEN, 0),
                a.be32(NfTables.NFTA_SET_DATA_TYPE, 0), a.be32(NfTables.NFTA_SET_DATA_LEN, 0), List.of())));
    }

    /** The elements of one NEWSETELEM message of a GETSETELEM dump (empty for any other message). */
    public static List<NftElement> parseElements(NlMessage m) {
        List<NftElement> out = new ArrayList<>();
        if (NfTables.msg(m.type()) != NfTables.NFT_MSG_NEWSETELEM || m.payload().limit() < NfTables.NFGENMSG_LEN) {
            return out;
        }
        NlAttrs list = m.attrs(NfTables.NFGENMSG_LEN).nested(NfTables.NFTA_SET_ELEM_LIST_ELEMENTS);
        for (NlAttrs.Attr elem : list.all(NfTables.NFTA_LIST_ELEM)) {
            NlAttrs e = elem.nested();
            byte[] key = e.nested(NfTables.NFTA_SET_ELEM_KEY).bytes(NfTables.NFTA_DATA_VALUE);
            if (key == null) {
                continue; // e.g. the catch-all element of a set: no key
            }
            byte[] data = e.nested(NfTables.NFTA_SET_ELEM_DATA).bytes(NfTables.NFTA_DATA_VALUE);
            out.add(new NftElement(SetKey.raw(key), Optional.ofNullable(data).map(SetKey::raw)));
        }
        return out;
    }

    /** The generation id of a NEWGEN message, or -1. */
    public static long parseGeneration(NlMessage m) {
        if (NfTables.msg(m.type()) != NfTables.NFT_MSG_NEWGEN || m.payload().limit() < NfTables.NFGENMSG_LEN) {
            return -1;
        }
        return Integer.toUnsignedLong(m.attrs(NfTables.NFGENMSG_LEN).be32(NfTables.NFTA_GEN_ID, -1));
    }

    private static int family(NlMessage m) {
        ByteBuffer p = m.payload();
        return Byte.toUnsignedInt(p.get(0));
    }

    private static NftFamily familyOrNull(NlMessage m) {
        try {
            return NftFamily.ofNfproto(family(m));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String policyName(int verdict) {
        return switch (verdict) {
            case NfTables.NF_ACCEPT -> "accept";
            case NfTables.NF_DROP -> "drop";
            default -> "verdict " + verdict;
        };
    }
}
