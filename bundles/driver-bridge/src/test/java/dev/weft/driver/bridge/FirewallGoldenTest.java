package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.api.PortBinding;
import dev.weft.driver.bridge.BridgeOptions.GatewayMode;
import dev.weft.driver.bridge.BridgeOptions.Isolation;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden documents {@code docs/firewall/*.md}: per scenario, the nft script the driver renders
 * (structure) and the element changes it commits (ports, ICC members), with ids normalised (every
 * bridge is {@code br-<12 digits>} of a fixed fake id). A change in the rendering fails here until
 * the documents are regenerated with {@code -Dweft.golden.update=true}, so they cannot drift.
 */
class FirewallGoldenTest {
    private static final Path DOCS = Path.of("../../docs/firewall");
    private static final String TABLE = "weft";
    private static final String NET1 = "br-0123456789ab";
    private static final String NET2 = "br-fedcba987654";

    /** One scenario: a title, what it shows, networks and element changes. */
    record Scenario(String file, String title, String about, List<FirewallScript.Net> nets, List<String> elements) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Scenario> scenarios() {
        Firewall fw = new Firewall(null, TABLE);
        var v4 = ip("172.18.0.2");
        var v6 = ip("fd00:18::2");
        FirewallScript.Net plain = new FirewallScript.Net(NET1, List.of(p("172.18.0.0/16")), false, true, true);
        FirewallScript.Net routed = mode(GatewayMode.ROUTED, GatewayMode.NAT, List.of(p("172.18.0.0/16")), List.of());
        FirewallScript.Net unprotected = mode(GatewayMode.NAT_UNPROTECTED, GatewayMode.NAT, List.of(p("172.18.0.0/16")),
                List.of());
        FirewallScript.Net trusted = mode(GatewayMode.NAT, GatewayMode.NAT, List.of(p("172.18.0.0/16")),
                List.of("eth1", "vpn0"));
        FirewallScript.Net mixed = mode(GatewayMode.NAT, GatewayMode.ROUTED, List.of(p("172.18.0.0/16"), p("fd00:18::/64")),
                List.of());
        FirewallScript.Net strict = new FirewallScript.Net(NET1, List.of(p("172.18.0.0/16")), false, true, true,
                GatewayMode.NAT, GatewayMode.NAT, List.of(), Isolation.STRICT, null, null);
        FirewallScript.Net outbound = new FirewallScript.Net(NET1, List.of(p("172.18.0.0/16"), p("fd00:18::/64")), false,
                true, true, GatewayMode.NAT, GatewayMode.NAT, List.of(), Isolation.ISOLATED, ip("192.0.2.10"),
                ip("2001:db8::10"));
        return Stream.of(
                new Scenario("default-bridge", "Default bridge network",
                        "The predefined network `bridge` (bridge `weft0`, 172.17.0.0/16): masquerade out, "
                                + "forwarding only for established and DNATed flows, loopback guards.",
                        List.of(new FirewallScript.Net("weft0", List.of(p("172.17.0.0/16")), false, true, true)), List.of()),
                new Scenario("published-ports", "Published ports",
                        "One sandbox (172.18.0.2) with `-p 8080:80 -p 5353:53/udp -p 9000-9001:7000-7001`: "
                                + "elements of `pub_any`, one batch; the rules are those of one network and do not grow.",
                        List.of(plain), adds(fw, v4, null, List.of(tcp(null, 8080, 80), udp(null, 5353, 53),
                                tcp(null, 9000, 7000), tcp(null, 9001, 7001)))),
                new Scenario("loopback-binding", "A port published on 127.0.0.1",
                        "`-p 127.0.0.1:8081:81` and `-p 192.0.2.10:8082:82`: elements of `pub_addr`. "
                                + "`nat_pre` returns for 127.0.0.0/8 (no prerouting DNAT for it) and `raw_pre` drops packets "
                                + "to 127.0.0.0/8 that arrive on any interface but lo; the host reaches it through "
                                + "`nat_out`, `route_localnet=1` on the bridge and the 127.0.0.0/8 masquerade.",
                        List.of(plain), adds(fw, v4, null, List.of(tcp(ip("127.0.0.1"), 8081, 81),
                                tcp(ip("192.0.2.10"), 8082, 82)))),
                new Scenario("sctp", "An SCTP port",
                        "`-p 3868:3868/sctp`: the same map, protocol sctp (this kernel tracks SCTP but has no SCTP "
                                + "sockets, so it is shown here rather than by traffic).",
                        List.of(plain), adds(fw, v4, null, List.of(new PortBinding("sctp", null, 3868, 3868)))),
                new Scenario("internal", "Internal network",
                        "`--internal`: no masquerade, nothing forwarded out of or into the bridge, no published ports.",
                        List.of(new FirewallScript.Net(NET1, List.of(p("172.18.0.0/16")), true, true, true)), List.of()),
                new Scenario("two-networks", "Two isolated networks",
                        "Two user networks: each masqueraded out; new flows into either bridge from the other "
                                + "(or from the LAN) dropped; same-bridge traffic accepted (br_netfilter is on).",
                        List.of(plain, new FirewallScript.Net(NET2, List.of(p("172.19.0.0/16")), false, true, true)),
                        List.of()),
                new Scenario("icc-off", "ICC off",
                        "`-o com.docker.network.bridge.enable_icc=false`: the host-side veths of its sandboxes are "
                                + "elements of `icc_off_ports` in table `bridge weft`; published-port flows carry the "
                                + "DNAT mark and pass.",
                        List.of(new FirewallScript.Net(NET1, List.of(p("172.18.0.0/16")), false, true, false)),
                        List.of(Firewall.describe("add", fw.iccMember("wtv0123456789")),
                                Firewall.describe("add", fw.iccMember("wtv9876543210")))),
                new Scenario("ipv6", "Dual stack",
                        "`--ipv6` with fd00:18::/64 and `-p 8080:80`: IPv6 masquerade and hairpin rules, "
                                + "and a `pub6_any` element beside the IPv4 one.",
                        List.of(new FirewallScript.Net(NET1, List.of(p("172.18.0.0/16"), p("fd00:18::/64")), false, true, true)),
                        adds(fw, v4, v6, List.of(tcp(null, 8080, 80)))),
                new Scenario("routed", "Routed gateway mode",
                        "`-o com.docker.network.bridge.gateway_mode_ipv4=routed` and `-p 8080:80`: no masquerade, no "
                                + "DNAT; the published port opens the sandbox's own port 80 (an element of `pub_direct`; the "
                                + "host port is not used), ICMP passes, every other new flow from outside is dropped.",
                        List.of(routed), adds(fw, v4, null, List.of(tcp(null, 8080, 80)), routed)),
                new Scenario("nat-unprotected", "Gateway mode nat-unprotected",
                        "`-o com.docker.network.bridge.gateway_mode_ipv4=nat-unprotected`: masqueraded as in nat mode, "
                                + "but every port of the sandboxes is reached directly by routing, published or not.",
                        List.of(unprotected), List.of()),
                new Scenario("isolated", "Gateway mode isolated",
                        "`--internal -o com.docker.network.bridge.gateway_mode_ipv4=isolated`: the rules of an internal "
                                + "network; the difference is outside the firewall: the bridge has no address at all "
                                + "(no gateway, not even an IPv6 link-local one), so the host cannot reach the sandboxes.",
                        List.of(new FirewallScript.Net(NET1, List.of(p("172.18.0.0/31")), true, true, true, GatewayMode.ISOLATED,
                                GatewayMode.NAT, List.of(), Isolation.ISOLATED, null, null)), List.of()),
                new Scenario("trusted-interfaces", "Trusted host interfaces",
                        "`-o com.docker.network.bridge.trusted_host_interfaces=eth1:vpn0` and `-p 8080:80` in nat mode: "
                                + "DNAT from the host's port as always, and from eth1 and vpn0 also the sandbox's own "
                                + "address and port 80 (`pub_direct`); from any other interface direct access stays dropped.",
                        List.of(trusted), adds(fw, v4, null, List.of(tcp(null, 8080, 80)), trusted)),
                new Scenario("ipv6-routed", "IPv6 routed, IPv4 NAT",
                        "`--ipv6 -o com.docker.network.bridge.gateway_mode_ipv6=routed` with `-p 8080:80`: IPv4 is "
                                + "masqueraded and DNATed, IPv6 is routed: the port opens the sandbox's own IPv6 address.",
                        List.of(mixed), adds(fw, v4, v6, List.of(tcp(null, 8080, 80)), mixed)),
                new Scenario("isolate-strict", "isolate=strict",
                        "Two networks, the first with `-o isolate=strict`: nothing passes between them in either "
                                + "direction, not even to a port published on the host's addresses.",
                        List.of(strict, new FirewallScript.Net(NET2, List.of(p("172.19.0.0/16")), false, true, true)), List.of()),
                new Scenario("isolate-false", "isolate=false",
                        "Two networks with `-o isolate=false`: their sandboxes reach each other directly through the host.",
                        List.of(open(NET1, "172.18.0.0/16"), open(NET2, "172.19.0.0/16")), List.of()),
                new Scenario("outbound-address", "Outbound addresses",
                        "`--ipv6 -o outbound_addr4=192.0.2.10 -o outbound_addr6=2001:db8::10`: outbound traffic is "
                                + "translated to those addresses (snat) instead of the outgoing interface's (masquerade).",
                        List.of(outbound), List.of()));
    }

    private static FirewallScript.Net open(String bridge, String subnet) {
        return new FirewallScript.Net(bridge, List.of(p(subnet)), false, true, true, GatewayMode.NAT, GatewayMode.NAT,
                List.of(), Isolation.OPEN, null, null);
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void theGoldenDocumentMatchesTheRenderedScript(Scenario s) throws IOException {
        String doc = "# " + s.title() + "\n\n" + s.about() + "\n\n"
                + "Generated by `FirewallGoldenTest` from the driver's own rendering (ids normalised); do not edit.\n"
                + "Structure (one `nft -f` transaction per network change):\n\n```\n"
                + FirewallScript.render(TABLE, s.nets()) + "```\n"
                + (s.elements().isEmpty() ? "" : "\nElements (one netlink batch per operation, shown in nft notation):\n\n```\n"
                        + String.join("\n", s.elements()) + "\n```\n");
        Path file = DOCS.resolve(s.file() + ".md");
        if (Boolean.getBoolean("weft.golden.update")) {
            Files.createDirectories(DOCS);
            Files.writeString(file, doc);
        }
        if (!Files.exists(file)) {
            throw new AssertionError(file + " is missing: generate it with -Dweft.golden.update=true");
        }
        assertEquals(Files.readString(file), doc, file + " differs from the rendering: regenerate with -Dweft.golden.update=true");
    }

    private static List<String> adds(Firewall fw, InetAddress v4, InetAddress v6, List<PortBinding> ports) {
        return adds(fw, v4, v6, ports, null);
    }

    private static List<String> adds(Firewall fw, InetAddress v4, InetAddress v6, List<PortBinding> ports,
                                     FirewallScript.Net net) {
        List<String> out = new ArrayList<>();
        for (PortBinding b : ports) {
            fw.portElements(b, v4, v6, null, net).forEach(e -> out.add(Firewall.describe("add", e)));
        }
        return out;
    }

    private static FirewallScript.Net mode(GatewayMode v4, GatewayMode v6, List<IpPrefix> subnets, List<String> trusted) {
        return new FirewallScript.Net(NET1, subnets, false, true, true, v4, v6, trusted, Isolation.ISOLATED, null, null);
    }

    private static PortBinding tcp(InetAddress host, int hostPort, int port) {
        return new PortBinding("tcp", host, hostPort, port);
    }

    private static PortBinding udp(InetAddress host, int hostPort, int port) {
        return new PortBinding("udp", host, hostPort, port);
    }

    private static InetAddress ip(String text) {
        return IpAddresses.parse(text);
    }

    private static IpPrefix p(String text) {
        return IpPrefix.parse(text);
    }
}
