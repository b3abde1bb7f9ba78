package dev.weft.driver.bridge;

import dev.weft.driver.bridge.BridgeOptions.GatewayMode;
import dev.weft.driver.bridge.BridgeOptions.Isolation;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;

/**
 * Renders the structure of Weft's two tables ({@code inet <table>} and {@code bridge <table>})
 * for the bridge networks that exist: chains, rules and set/map declarations, never elements.
 * The skeleton is the one verified in {@code research/nft-bridge-ruleset.md} (54 of 54 checks).
 *
 * <p>The script is one nft transaction that can be applied any number of times: it declares the
 * tables, maps and chains (a declaration of something that exists changes nothing, so the
 * elements of the maps survive), flushes the chains and writes their rules again. So a new or
 * removed network is one {@code nft -f}, and so is restoring the tables after another tool flushed
 * them. Per-endpoint and per-port state lives in the maps and sets, changed by element batches
 * ({@link Firewall}): the ruleset grows with networks, never with endpoints or ports.
 *
 * <p>Deterministic (networks sorted by bridge name), so golden documents can compare it.
 */
final class FirewallScript {
    /** The bits {@code mark_pre} sets on DNATed flows, so the bridge table exempts them from ICC-off. */
    static final String DNAT_MARK = "0x00770000";

    /**
     * What the ruleset needs to know of one network.
     *
     * @param masquerade {@code enable_ip_masquerade}: outbound traffic of a NAT family is translated
     * @param mode4      the IPv4 subnets' gateway mode
     * @param mode6      the IPv6 subnets' gateway mode
     * @param trusted    host interfaces whose traffic reaches published ports at the sandbox's own address
     * @param isolation  which other networks may reach this one
     * @param outbound4  the SNAT source of outbound IPv4 traffic instead of masquerading, or null
     * @param outbound6  the same for IPv6, or null
     */
    record Net(String bridge, List<IpPrefix> subnets, boolean internal, boolean masquerade, boolean icc,
               GatewayMode mode4, GatewayMode mode6, List<String> trusted, Isolation isolation,
               InetAddress outbound4, InetAddress outbound6) {
        Net {
            subnets = List.copyOf(subnets);
            trusted = List.copyOf(trusted);
        }

        /** A network in NAT mode for both families, isolated (the defaults) . */
        Net(String bridge, List<IpPrefix> subnets, boolean internal, boolean masquerade, boolean icc) {
            this(bridge, subnets, internal, masquerade, icc, GatewayMode.NAT, GatewayMode.NAT, List.of(),
                    Isolation.ISOLATED, null, null);
        }

        List<IpPrefix> v4() {
            return subnets.stream().filter(IpPrefix::isIpv4).toList();
        }

        List<IpPrefix> v6() {
            return subnets.stream().filter(p -> !p.isIpv4()).toList();
        }

        GatewayMode mode(boolean ipv6) {
            return ipv6 ? mode6 : mode4;
        }

        /**
         * Whether published ports of the family open the sandbox's own address and port
         * (elements of {@code pub_direct}/{@code pub6_direct}): in routed mode for everyone, in
         * NAT mode for the trusted interfaces.
         */
        boolean direct(boolean ipv6) {
            GatewayMode m = mode(ipv6);
            return m == GatewayMode.ROUTED || (m == GatewayMode.NAT && !trusted.isEmpty());
        }
    }

    private FirewallScript() {}

    /** The script for {@code table} with {@code networks}. */
    static String render(String table, List<Net> networks) {
        List<Net> nets = networks.stream().sorted(Comparator.comparing(Net::bridge)).toList();
        StringBuilder s = new StringBuilder();
        s.append("# Weft's tables, written once per network change as one transaction. Elements of the maps and\n")
         .append("# sets are not part of it: the declarations below keep them, the flushes clear rules only.\n");
        inetDeclarations(s, table);
        s.append("flush chain inet ").append(table).append(" raw_pre\n");
        for (String chain : List.of("publish", "nat_pre", "nat_out", "mark_pre", "nat_post", "forward")) {
            s.append("flush chain inet ").append(table).append(' ').append(chain).append('\n');
        }
        inetRules(s, table, nets);
        bridgeTable(s, table);
        return s.toString();
    }

    private static void inetDeclarations(StringBuilder s, String table) {
        s.append("table inet ").append(table).append(" {\n")
         .append("\t# published on one host address: host_addr . proto . host_port : sandbox_addr . sandbox_port\n")
         .append("\tmap pub_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n")
         .append("\t# published on every host address: proto . host_port : sandbox_addr . sandbox_port\n")
         .append("\tmap pub_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n")
         .append("\tmap pub6_addr { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }\n")
         .append("\tmap pub6_any { type inet_proto . inet_service : ipv6_addr . inet_service; }\n")
         .append("\t# published ports at the sandbox's own address (routed mode, trusted interfaces): addr . proto . port\n")
         .append("\tset pub_direct { type ipv4_addr . inet_proto . inet_service; }\n")
         .append("\tset pub6_direct { type ipv6_addr . inet_proto . inet_service; }\n")
         .append("\tchain raw_pre { type filter hook prerouting priority raw; policy accept; }\n")
         .append("\tchain publish { }\n")
         .append("\tchain nat_pre { type nat hook prerouting priority dstnat; policy accept; }\n")
         .append("\t# nft 1.0.6 refuses 'priority dstnat' on the output hook; -100 is the same value\n")
         .append("\tchain nat_out { type nat hook output priority -100; policy accept; }\n")
         .append("\tchain mark_pre { type filter hook prerouting priority dstnat + 1; policy accept; }\n")
         .append("\tchain nat_post { type nat hook postrouting priority srcnat; policy accept; }\n")
         .append("\tchain forward { type filter hook forward priority filter; policy accept; }\n")
         .append("}\n");
    }

    private static void inetRules(StringBuilder s, String table, List<Net> nets) {
        List<Net> open = nets.stream().filter(n -> !n.internal()).toList();
        s.append("table inet ").append(table).append(" {\n");

        s.append("\tchain raw_pre {\n")
         .append("\t\t# loopback destinations only through lo: route_localnet=1 on a bridge would otherwise expose\n")
         .append("\t\t# the host's 127.0.0.1 services, and a prerouting DNAT would expose 127.0.0.1 bindings\n")
         .append("\t\tiifname != \"lo\" ip daddr 127.0.0.0/8 drop\n")
         .append("\t\tiifname != \"lo\" ip6 daddr ::1 drop\n")
         .append("\t}\n");

        s.append("\tchain publish {\n")
         .append("\t\tmeta l4proto != { tcp, udp, sctp } return\n")
         .append("\t\tdnat ip to ip daddr . meta l4proto . th dport map @pub_addr\n")
         .append("\t\tdnat ip to meta l4proto . th dport map @pub_any\n")
         .append("\t\tdnat ip6 to ip6 daddr . meta l4proto . th dport map @pub6_addr\n")
         .append("\t\tdnat ip6 to meta l4proto . th dport map @pub6_any\n")
         .append("\t}\n");

        s.append("\tchain nat_pre {\n")
         .append("\t\t# ports bound to 127.0.0.1 are never DNATed for packets from outside (CVE-2020-8558)\n")
         .append("\t\tip daddr 127.0.0.0/8 return\n")
         .append("\t\tip6 daddr ::1 return\n")
         .append("\t\tfib daddr type local jump publish\n")
         .append("\t}\n");

        s.append("\tchain nat_out {\n")
         .append("\t\t# IPv6 has no route_localnet: a DNATed [::1] packet would leave with source ::1 and be\n")
         .append("\t\t# dropped; [::1] reaches the published port's own socket, the runtime's port proxy\n")
         .append("\t\tip6 daddr ::1 return\n")
         .append("\t\tfib daddr type local jump publish\n")
         .append("\t}\n");

        s.append("\tchain mark_pre {\n")
         .append("\t\t# DNATed (published-port) flows are exempt from ICC-off in table bridge ").append(table).append('\n')
         .append("\t\tct status dnat meta mark set meta mark | ").append(DNAT_MARK).append('\n')
         .append("\t}\n");

        s.append("\tchain nat_post {\n");
        for (Net n : open) {
            for (IpPrefix p : translated(n, false)) {
                s.append("\t\tct status dnat ip saddr ").append(p).append(" ip daddr ").append(p).append(" masquerade\n");
            }
            for (IpPrefix p : translated(n, true)) {
                s.append("\t\tct status dnat ip6 saddr ").append(p).append(" ip6 daddr ").append(p).append(" masquerade\n");
            }
        }
        for (Net n : open) {
            if (!n.masquerade()) {
                continue;
            }
            for (boolean v6 : new boolean[] {false, true}) {
                InetAddress source = v6 ? n.outbound6() : n.outbound4();
                for (IpPrefix p : translated(n, v6)) {
                    s.append("\t\t").append(v6 ? "ip6" : "ip").append(" saddr ").append(p).append(" oifname != ")
                     .append(q(n.bridge()))
                     .append(source == null ? " masquerade" : " snat " + (v6 ? "ip6" : "ip") + " to " + IpAddresses.format(source))
                     .append('\n');
                }
            }
        }
        if (!open.isEmpty()) {
            s.append("\t\t# the host reaching 127.0.0.1:published port (needs route_localnet=1 on the bridge)\n")
             .append("\t\tip saddr 127.0.0.0/8 oifname ").append(names(open)).append(" masquerade\n");
        }
        s.append("\t}\n");

        s.append("\tchain forward {\n")
         .append("\t\tct state established,related accept\n")
         .append("\t\tct state invalid drop\n");
        for (Net n : nets) {
            List<Net> others = nets.stream().filter(o -> o != n).toList();
            if (n.isolation() == Isolation.STRICT && !others.isEmpty()) {
                s.append("\t\t# isolate=strict: nothing to or from another network, not even through a published port\n")
                 .append("\t\tiifname ").append(q(n.bridge())).append(" oifname ").append(names(others)).append(" drop\n")
                 .append("\t\tiifname ").append(names(others)).append(" oifname ").append(q(n.bridge())).append(" drop\n");
            }
        }
        if (!open.isEmpty()) {
            s.append("\t\tct status dnat oifname ").append(names(open)).append(" accept\n");
        }
        for (Net n : nets) {
            s.append("\t\tiifname ").append(q(n.bridge())).append(" oifname ").append(q(n.bridge())).append(" accept\n");
        }
        List<Net> unisolated = open.stream().filter(n -> n.isolation() == Isolation.OPEN).toList();
        if (unisolated.size() > 1) {
            s.append("\t\t# isolate=false networks reach each other\n")
             .append("\t\tiifname ").append(names(unisolated)).append(" oifname ")
             .append(names(unisolated)).append(" accept\n");
        }
        for (Net n : nets) {
            if (n.internal()) {
                s.append("\t\tiifname ").append(q(n.bridge())).append(" drop\n");
            }
        }
        for (Net n : open) {
            inbound(s, n, nets);
        }
        if (!nets.isEmpty()) {
            s.append("\t\t# nothing new into a bridge from elsewhere: not from the LAN, not from another bridge\n")
             .append("\t\toifname ").append(names(nets)).append(" drop\n");
        }
        s.append("\t}\n");
        s.append("}\n");
    }

    /** The family's subnets of a network whose gateway mode translates them (nat, nat-unprotected). */
    private static List<IpPrefix> translated(Net n, boolean v6) {
        return n.mode(v6).translated() ? (v6 ? n.v6() : n.v4()) : List.of();
    }

    /**
     * What may open a connection into a network's subnets from outside its bridge, per gateway
     * mode: nat-unprotected everything, routed the published ports at the sandbox's own address
     * and ICMP, nat with trusted interfaces the published ports from those interfaces. Traffic
     * from other bridges is left to the isolation rules and the final drop.
     */
    private static void inbound(StringBuilder s, Net n, List<Net> nets) {
        String fromOutside = "iifname != " + names(nets) + " oifname " + q(n.bridge());
        for (boolean v6 : new boolean[] {false, true}) {
            List<IpPrefix> prefixes = v6 ? n.v6() : n.v4();
            if (prefixes.isEmpty()) {
                continue;
            }
            String ip = v6 ? "ip6" : "ip";
            String daddr = ip + " daddr " + oneOrSet(prefixes.stream().map(IpPrefix::toString).toList());
            String direct = ip + " daddr . meta l4proto . th dport @" + (v6 ? "pub6_direct" : "pub_direct");
            switch (n.mode(v6)) {
                case NAT_UNPROTECTED -> s.append("\t\t# nat-unprotected: every port reached directly by routing\n")
                        .append("\t\t").append(fromOutside).append(' ').append(daddr).append(" accept\n");
                case ROUTED -> s.append("\t\t# routed: published ports at the sandbox's own address, and ICMP\n")
                        .append("\t\t").append(fromOutside).append(' ').append(daddr).append(' ').append(direct).append(" accept\n")
                        .append("\t\t").append(fromOutside).append(' ').append(daddr).append(" meta l4proto ")
                        .append(v6 ? "ipv6-icmp" : "icmp").append(" accept\n");
                case NAT -> {
                    if (!n.trusted().isEmpty()) {
                        s.append("\t\t# trusted_host_interfaces: published ports at the sandbox's own address\n")
                         .append("\t\tiifname ").append(oneOrSet(n.trusted().stream().map(FirewallScript::q).toList()))
                         .append(" oifname ").append(q(n.bridge()))
                         .append(' ').append(daddr).append(' ').append(direct).append(" accept\n");
                    }
                }
                case ISOLATED -> { } // internal only: dropped above
            }
        }
    }

    private static void bridgeTable(StringBuilder s, String table) {
        s.append("table bridge ").append(table).append(" {\n")
         .append("\t# host-side veth names of sandboxes on networks with ICC off (elements change per endpoint)\n")
         .append("\tset icc_off_ports { type ifname; }\n")
         .append("\tchain forward { type filter hook forward priority filter; policy accept; }\n")
         .append("}\n")
         .append("flush chain bridge ").append(table).append(" forward\n")
         .append("table bridge ").append(table).append(" {\n")
         .append("\tchain forward {\n")
         .append("\t\tmeta mark & ").append(DNAT_MARK).append(" == ").append(DNAT_MARK).append(" accept\n")
         .append("\t\tiifname @icc_off_ports oifname @icc_off_ports meta protocol { ip, ip6 } drop\n")
         .append("\t}\n")
         .append("}\n");
    }

    /** The networks' bridge names, quoted: one as it is, several as an anonymous set. */
    private static String names(List<Net> nets) {
        return oneOrSet(nets.stream().map(n -> q(n.bridge())).toList());
    }

    /** One item as it is, or several as an anonymous set ({@code { a, b }}). */
    private static String oneOrSet(List<String> items) {
        return items.size() == 1 ? items.get(0) : "{ " + String.join(", ", items) + " }";
    }

    private static String q(String name) {
        return "\"" + name + "\"";
    }
}
