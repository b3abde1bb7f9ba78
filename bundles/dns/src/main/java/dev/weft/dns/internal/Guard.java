package dev.weft.dns.internal;

import dev.weft.linux.ElementBatch;
import dev.weft.linux.Kernel;
import dev.weft.linux.NftFamily;
import dev.weft.linux.SetKey;
import dev.weft.linux.SetRef;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Keeps the server from being an open resolver for the LAN. With Linux's weak-host model a packet
 * to a gateway address is accepted on any interface, so a LAN host routing to 10.1.0.1 reaches
 * port 53 there. This table drops DNS (UDP and TCP port 53) to a served gateway address unless it
 * came in on that network's bridge. Its own table ({@code inet <nftTable>_dns}): structure written
 * once, each network's addresses added and removed as set elements in one batch; nothing else is
 * matched, so traffic between sandboxes, to the internet and to published ports is untouched.
 */
public final class Guard implements AutoCloseable {
    private final Kernel kernel;
    private final String table;

    public Guard(Kernel kernel, String table) {
        this.kernel = kernel;
        this.table = table;
    }

    /** The table's name, {@code <nftTable>_dns}. */
    public static String tableName(String nftTable) {
        return nftTable + "_dns";
    }

    /** The table's structure; an old one of the same name (a killed process's) is replaced. */
    public static String script(String table) {
        return "table inet " + table + " {}\n"
                + "delete table inet " + table + "\n"
                + "table inet " + table + " {\n"
                + "\tset gw4 { type ipv4_addr; }\n"
                + "\tset gw4_if { type ipv4_addr . ifname; }\n"
                + "\tset gw6 { type ipv6_addr; }\n"
                + "\tset gw6_if { type ipv6_addr . ifname; }\n"
                + "\tchain input {\n"
                + "\t\ttype filter hook input priority filter - 1; policy accept;\n"
                + "\t\tmeta l4proto { tcp, udp } th dport 53 ip daddr @gw4 ip daddr . iifname != @gw4_if drop\n"
                + "\t\tmeta l4proto { tcp, udp } th dport 53 ip6 daddr @gw6 ip6 daddr . iifname != @gw6_if drop\n"
                + "\t}\n"
                + "}\n";
    }

    public void install() {
        kernel.nftables().apply(script(table));
    }

    /** Lets DNS to {@code addresses} in only through {@code bridge}. */
    public void add(List<InetAddress> addresses, String bridge) {
        ElementBatch b = kernel.nftables().elements();
        for (InetAddress a : addresses) {
            boolean v4 = a instanceof Inet4Address;
            b.add(set(v4 ? "gw4" : "gw6"), SetKey.of().address(a));
            b.add(set(v4 ? "gw4_if" : "gw6_if"), SetKey.of().address(a).ifname(bridge));
        }
        b.commit();
    }

    public void remove(List<InetAddress> addresses, String bridge) {
        ElementBatch b = kernel.nftables().elements();
        for (InetAddress a : addresses) {
            boolean v4 = a instanceof Inet4Address;
            b.destroy(set(v4 ? "gw4" : "gw6"), SetKey.of().address(a));
            b.destroy(set(v4 ? "gw4_if" : "gw6_if"), SetKey.of().address(a).ifname(bridge));
        }
        b.commit();
    }

    private SetRef set(String name) {
        return SetRef.of(NftFamily.INET, table, name);
    }

    @Override
    public void close() {
        kernel.nftables().deleteTable(NftFamily.INET, table);
    }
}
