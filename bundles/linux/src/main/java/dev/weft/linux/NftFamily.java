package dev.weft.linux;

import java.util.Locale;

/**
 * An nf_tables table family: its NFPROTO number (the {@code nfgen_family} of every message about
 * the table) and its nft keyword. A family of {@code ip} and one of {@code inet} are different
 * tables even with the same name.
 */
public enum NftFamily {
    INET(1, "inet"),
    IPV4(2, "ip"),
    ARP(3, "arp"),
    NETDEV(5, "netdev"),
    BRIDGE(7, "bridge"),
    IPV6(10, "ip6");

    private static final String[] INET_HOOKS = {"prerouting", "input", "forward", "output", "postrouting", "ingress"};
    private static final String[] BRIDGE_HOOKS = {"prerouting", "input", "forward", "output", "postrouting"};
    private static final String[] NETDEV_HOOKS = {"ingress", "egress"};
    private static final String[] ARP_HOOKS = {"input", "output", "forward"};

    private final int nfproto;
    private final String keyword;

    NftFamily(int nfproto, String keyword) {
        this.nfproto = nfproto;
        this.keyword = keyword;
    }

    /** The NFPROTO_* number, e.g. 1 for inet. */
    public int nfproto() {
        return nfproto;
    }

    /** The nft keyword, e.g. {@code ip6}. */
    public String keyword() {
        return keyword;
    }

    /** The family with this NFPROTO number. */
    public static NftFamily ofNfproto(int nfproto) {
        for (NftFamily f : values()) {
            if (f.nfproto == nfproto) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown nf_tables family " + nfproto
                + ": accepted are 1 (inet), 2 (ip), 3 (arp), 5 (netdev), 7 (bridge), 10 (ip6)");
    }

    /** The family with this nft keyword ({@code inet}, {@code ip}, {@code ip6}, {@code bridge}, {@code netdev}, {@code arp}). */
    public static NftFamily ofKeyword(String keyword) {
        String k = keyword.toLowerCase(Locale.ROOT);
        for (NftFamily f : values()) {
            if (f.keyword.equals(k)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown nftables family \"" + keyword
                + "\": accepted are inet, ip, ip6, bridge, netdev, arp");
    }

    /**
     * The nft name of hook number {@code hooknum} in this family (NF_INET_*, NF_BR_*, NF_NETDEV_*,
     * NF_ARP_* in uapi/linux/netfilter*.h), or {@code hook N} for one this table does not know.
     */
    public String hookName(int hooknum) {
        String[] names = switch (this) {
            case NETDEV -> NETDEV_HOOKS;
            case ARP -> ARP_HOOKS;
            case BRIDGE -> BRIDGE_HOOKS;
            default -> INET_HOOKS;
        };
        return hooknum >= 0 && hooknum < names.length ? names[hooknum] : "hook " + hooknum;
    }

    @Override
    public String toString() {
        return keyword;
    }
}
