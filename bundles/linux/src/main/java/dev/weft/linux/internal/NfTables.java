package dev.weft.linux.internal;

/**
 * nf_tables netlink constants, transcribed from the kernel UAPI headers. The installed
 * linux-libc-dev headers (6.1) lack the NFT_MSG_DESTROY* types; those values come from the
 * kernel's enum nf_tables_msg_types (6.3+) and were confirmed on 6.18.
 */
public final class NfTables {
    private NfTables() {}

    // ---- uapi/linux/netfilter/nfnetlink.h
    /** struct nfgenmsg { __u8 nfgen_family; __u8 version; __be16 res_id; } */
    public static final int NFGENMSG_LEN = 4;
    public static final int NFNETLINK_V0 = 0;
    public static final int NFNL_SUBSYS_NFTABLES = 10;
    /** NLMSG_MIN_TYPE and NLMSG_MIN_TYPE + 1: raw message types, no subsystem byte. */
    public static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    public static final int NFNL_MSG_BATCH_END = 0x11;
    /** enum nfnl_batch_attributes: optional be32 generation id in BATCH_BEGIN. */
    public static final int NFNL_BATCH_GENID = 1;

    // ---- uapi/linux/netfilter/nf_tables.h: enum nf_tables_msg_types
    public static final int NFT_MSG_NEWTABLE = 0;
    public static final int NFT_MSG_GETTABLE = 1;
    public static final int NFT_MSG_DELTABLE = 2;
    public static final int NFT_MSG_NEWCHAIN = 3;
    public static final int NFT_MSG_GETCHAIN = 4;
    public static final int NFT_MSG_NEWSET = 9;
    public static final int NFT_MSG_GETSET = 10;
    public static final int NFT_MSG_NEWSETELEM = 12;
    public static final int NFT_MSG_GETSETELEM = 13;
    public static final int NFT_MSG_DELSETELEM = 14;
    public static final int NFT_MSG_NEWGEN = 15;
    public static final int NFT_MSG_GETGEN = 16;
    /** Kernel 6.3+: like DELTABLE, but a missing table is no error. */
    public static final int NFT_MSG_DESTROYTABLE = 26;
    /** Kernel 6.3+: like DELSETELEM, but a missing element is no error. */
    public static final int NFT_MSG_DESTROYSETELEM = 30;

    // enum nft_table_attributes
    public static final int NFTA_TABLE_NAME = 1;
    public static final int NFTA_TABLE_FLAGS = 2;
    public static final int NFTA_TABLE_USE = 3;
    public static final int NFTA_TABLE_HANDLE = 4;

    // enum nft_chain_attributes
    public static final int NFTA_CHAIN_TABLE = 1;
    public static final int NFTA_CHAIN_HANDLE = 2;
    public static final int NFTA_CHAIN_NAME = 3;
    public static final int NFTA_CHAIN_HOOK = 4;
    public static final int NFTA_CHAIN_POLICY = 5;
    public static final int NFTA_CHAIN_USE = 6;
    public static final int NFTA_CHAIN_TYPE = 7;
    public static final int NFTA_CHAIN_FLAGS = 10;

    // enum nft_hook_attributes
    public static final int NFTA_HOOK_HOOKNUM = 1;
    public static final int NFTA_HOOK_PRIORITY = 2;
    public static final int NFTA_HOOK_DEV = 3;

    // enum nft_set_attributes
    public static final int NFTA_SET_TABLE = 1;
    public static final int NFTA_SET_NAME = 2;
    public static final int NFTA_SET_FLAGS = 3;
    public static final int NFTA_SET_KEY_TYPE = 4;
    public static final int NFTA_SET_KEY_LEN = 5;
    public static final int NFTA_SET_DATA_TYPE = 6;
    public static final int NFTA_SET_DATA_LEN = 7;
    public static final int NFTA_SET_HANDLE = 16;

    // enum nft_set_flags
    public static final int NFT_SET_ANONYMOUS = 0x1;
    public static final int NFT_SET_CONSTANT = 0x2;
    public static final int NFT_SET_INTERVAL = 0x4;
    public static final int NFT_SET_MAP = 0x8;
    public static final int NFT_SET_TIMEOUT = 0x10;
    public static final int NFT_SET_EVAL = 0x20;
    public static final int NFT_SET_OBJECT = 0x40;
    public static final int NFT_SET_CONCAT = 0x80;

    // enum nft_set_elem_list_attributes
    public static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    public static final int NFTA_SET_ELEM_LIST_SET = 2;
    public static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    public static final int NFTA_SET_ELEM_LIST_SET_ID = 4;

    // enum nft_list_attributes
    public static final int NFTA_LIST_ELEM = 1;

    // enum nft_set_elem_attributes
    public static final int NFTA_SET_ELEM_KEY = 1;
    public static final int NFTA_SET_ELEM_DATA = 2;
    public static final int NFTA_SET_ELEM_FLAGS = 3;

    // enum nft_data_attributes
    public static final int NFTA_DATA_VALUE = 1;
    public static final int NFTA_DATA_VERDICT = 2;

    // enum nft_gen_attributes
    public static final int NFTA_GEN_ID = 1;

    /** NFT_DATA_VALUE_MAXLEN: the longest key or data value (16 registers of 4 bytes). */
    public static final int NFT_DATA_VALUE_MAXLEN = 64;
    /** NFT_NAME_MAXLEN, including the terminating NUL. */
    public static final int NFT_NAME_MAXLEN = 256;
    /** enum nft_data_types: NFT_DATA_VERDICT, the data type of verdict maps. */
    public static final int NFT_DATA_VERDICT = 0xffffff00;

    // uapi/linux/netfilter.h: verdicts used as chain policies
    public static final int NF_DROP = 0;
    public static final int NF_ACCEPT = 1;

    /** The nlmsg_type of an nf_tables message: {@code (NFNL_SUBSYS_NFTABLES << 8) | msg}. */
    public static int type(int msg) {
        return (NFNL_SUBSYS_NFTABLES << 8) | msg;
    }

    /** The nf_tables message number of an nlmsg_type, or -1 for another subsystem. */
    public static int msg(int nlmsgType) {
        return (nlmsgType >> 8) == NFNL_SUBSYS_NFTABLES ? nlmsgType & 0xff : -1;
    }
}
