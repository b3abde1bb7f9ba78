package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BridgeOptionsTest {

    @Test
    void dockersNamesAreParsed() {
        BridgeOptions o = BridgeOptions.parse(Map.of(BridgeOptions.BRIDGE_NAME, "weft0", BridgeOptions.ENABLE_ICC, "false",
                BridgeOptions.ENABLE_IP_MASQUERADE, "true", BridgeOptions.HOST_BINDING_IPV4, "127.0.0.1",
                BridgeOptions.GATEWAY_MODE_IPV4, "routed", BridgeOptions.MTU, "1400"));
        assertEquals("weft0", o.bridgeName());
        assertFalse(o.icc());
        assertEquals("127.0.0.1", o.hostBindingIpv4().getHostAddress());
        assertEquals(BridgeOptions.GatewayMode.ROUTED, o.gatewayMode4());
        assertFalse(o.masqueraded());
        assertEquals(1400, o.mtu());
        assertEquals(BridgeOptions.defaults(), BridgeOptions.parse(Map.of()));
        assertNull(BridgeOptions.parse(Map.of(BridgeOptions.HOST_BINDING_IPV4, "0.0.0.0")).hostBindingIpv4());
    }

    @Test
    void gatewayModesTrustedInterfacesAndNetavarksOptionsAreParsed() {
        BridgeOptions o = BridgeOptions.parse(Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "nat-unprotected",
                BridgeOptions.GATEWAY_MODE_IPV6, "ISOLATED", BridgeOptions.TRUSTED_HOST_INTERFACES, "eth1:vpn0:eth1",
                BridgeOptions.ISOLATE, "strict", BridgeOptions.OUTBOUND_ADDR4, "192.0.2.10",
                BridgeOptions.OUTBOUND_ADDR6, "2001:db8::10"));
        assertEquals(BridgeOptions.GatewayMode.NAT_UNPROTECTED, o.gatewayMode4());
        assertTrue(o.masqueraded(), "nat-unprotected still masquerades");
        assertEquals(BridgeOptions.GatewayMode.ISOLATED, o.gatewayMode6());
        assertTrue(o.hasGateway(false));
        assertFalse(o.hasGateway(true), "isolated: no gateway");
        assertEquals(java.util.List.of("eth1", "vpn0"), o.trustedHostInterfaces());
        assertEquals(BridgeOptions.Isolation.STRICT, o.isolation());
        assertEquals("192.0.2.10", o.outboundAddr4().getHostAddress());
        assertEquals(java.util.List.of(), BridgeOptions.parse(Map.of(BridgeOptions.TRUSTED_HOST_INTERFACES, ""))
                .trustedHostInterfaces());
        assertEquals(BridgeOptions.Isolation.OPEN, BridgeOptions.parse(Map.of(BridgeOptions.ISOLATE, "false")).isolation());
    }

    @Test
    void badInputIsRefusedNamingKeyValueAndWhatIsAccepted() {
        assertMessage(Map.of("com.docker.network.bridge.colour", "x"), "has no option \"com.docker.network.bridge.colour\"");
        assertMessage(Map.of(BridgeOptions.HOST_BINDING_IPV4, "::1"), "expected an IPv4 address");
        assertMessage(Map.of(BridgeOptions.HOST_BINDING_IPV4, "example"), "host_binding_ipv4=\"example\"");
        assertMessage(Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "bridge"), "gateway_mode_ipv4=\"bridge\" is not valid: "
                + "expected nat, nat-unprotected, routed or isolated");
        assertMessage(Map.of(BridgeOptions.GATEWAY_MODE_IPV6, "nat6"), "gateway_mode_ipv6=\"nat6\"");
        assertMessage(Map.of(BridgeOptions.TRUSTED_HOST_INTERFACES, "eth0:bad/name"), "trusted_host_interfaces="
                + "\"bad/name\" is not valid: expected a link name");
        assertMessage(Map.of(BridgeOptions.TRUSTED_HOST_INTERFACES, "eth0::eth1"), "trusted_host_interfaces=\"\"");
        assertMessage(Map.of(BridgeOptions.ISOLATE, "yes-please"), "isolate=\"yes-please\" is not valid: expected true, "
                + "false or strict");
        assertMessage(Map.of(BridgeOptions.OUTBOUND_ADDR4, "2001:db8::1"), "outbound_addr4=\"2001:db8::1\" is not valid: "
                + "expected an IPv4 address");
        assertMessage(Map.of(BridgeOptions.OUTBOUND_ADDR6, "192.0.2.1"), "expected an IPv6 address");
        assertMessage(Map.of(BridgeOptions.OUTBOUND_ADDR4, "0.0.0.0"), "not unspecified, loopback or multicast");
        assertMessage(Map.of(BridgeOptions.ENABLE_ICC, "maybe"), "expected true or false");
        assertMessage(Map.of(BridgeOptions.BRIDGE_NAME, "a-name-that-is-too-long"), "1 to 15");
        assertMessage(Map.of(BridgeOptions.MTU, "70000"), "from 68 to 65535");
    }

    @Test
    void netavarksRoutingOptionsAreParsedUnderItsNames() {
        BridgeOptions o = BridgeOptions.parse(Map.of("metric", "4294967295", "no_default_route", "true", "vrf", "blue",
                "route", "10.9.0.0/24,10.1.0.254; fd00:9::/64,fd00:1::fe,20"));
        RoutingOptions r = o.routing();
        assertEquals(4294967295L, r.metric());
        assertTrue(r.noDefaultRoute());
        assertEquals("blue", r.vrf());
        assertEquals(List.of(new StaticRoute(IpPrefix.parse("10.9.0.0/24"), IpAddresses.parse("10.1.0.254"), 0),
                new StaticRoute(IpPrefix.parse("fd00:9::/64"), IpAddresses.parse("fd00:1::fe"), 20)), r.routes());
        assertEquals("fd00:9::/64,fd00:1::fe,20", r.routes().get(1).toString());
        assertEquals(-1, r.defaultRoute(IpAddresses.parse("10.1.0.1"), 3).metric(), "a u32 in an int's bits");
        assertEquals(RoutingOptions.DEFAULTS, BridgeOptions.parse(Map.of()).routing());
        assertFalse(BridgeOptions.parse(Map.of("no_default_route", "false")).routing().noDefaultRoute());
        assertTrue(BridgeOptions.KEYS.containsAll(List.of("metric", "route", "no_default_route", "vrf")));
    }

    @Test
    void badRoutingOptionsAreRefusedNamingKeyValueAndWhatIsAccepted() {
        String metric = "driver \"bridge\": option metric=\"%s\" is not valid: expected a whole number from 0 to "
                + "4294967295 (the default route's metric; 0 or none for the kernel's default)";
        for (String bad : List.of("-1", "4294967296", "12345678901", "ten", "", "1.5")) {
            assertExactly(Map.of("metric", bad), String.format(metric, bad));
        }
        String route = "driver \"bridge\": option route=\"%s\" is not valid: expected DEST,GATEWAY[,METRIC] with DEST a "
                + "prefix like 10.9.0.0/16 or fd00:9::/64, GATEWAY an address of its family in one of the network's "
                + "subnets, METRIC a whole number from 0 to 4294967295, several separated by ; (%s)";
        assertExactly(Map.of("route", "10.9.0.0/24"), String.format(route, "10.9.0.0/24", "\"10.9.0.0/24\" has 1 part, not 2 or 3"));
        assertExactly(Map.of("route", "10.9.0.0/24,10.1.0.1,5,6"),
                String.format(route, "10.9.0.0/24,10.1.0.1,5,6", "\"10.9.0.0/24,10.1.0.1,5,6\" has 4 parts, not 2 or 3"));
        assertExactly(Map.of("route", "10.9.0.0/24,gw"), String.format(route, "10.9.0.0/24,gw",
                "gateway \"gw\" is not an IP address"));
        assertExactly(Map.of("route", "10.9.0.0/24,fd00::1"), String.format(route, "10.9.0.0/24,fd00::1",
                "gateway fd00::1 is not of the family of 10.9.0.0/24"));
        assertExactly(Map.of("route", "10.9.0.0/24,10.1.0.1,x"), String.format(route, "10.9.0.0/24,10.1.0.1,x",
                "metric \"x\" is not a whole number from 0 to 4294967295"));
        assertMessage(Map.of("route", "10.9.0.1/24,10.1.0.1"), "destination \"10.9.0.1/24\"");
        assertMessage(Map.of("route", "10.9.0.1/24,10.1.0.1"), "did you mean 10.9.0.0/24?");
        assertMessage(Map.of("route", "10.9.0.0/24,10.1.0.1;"), "\"\" has 1 part, not 2 or 3");
        assertExactly(Map.of("route", "10.9.0.0/24,10.1.0.1;10.9.0.0/24,10.1.0.2"), "driver \"bridge\": option "
                + "route=\"10.9.0.0/24,10.1.0.1;10.9.0.0/24,10.1.0.2\" is not valid: expected one route per destination "
                + "and metric (10.9.0.0/24 is given twice)");
        BridgeOptions.parse(Map.of("route", "10.9.0.0/24,10.1.0.1;10.9.0.0/24,10.1.0.2,10")); // another metric: fine
        assertExactly(Map.of("no_default_route", "sometimes"),
                "driver \"bridge\": option no_default_route=\"sometimes\" is not valid: expected true or false");
        assertExactly(Map.of("vrf", "a/b"), "driver \"bridge\": option vrf=\"a/b\" is not valid: expected a link name "
                + "of 1 to 15 printable characters without space, '/' or ':'");
        assertMessage(Map.of("vrf", ""), "option vrf=\"\" is not valid");
        assertMessage(Map.of("vrf", "a-vrf-name-too-long"), "1 to 15");
    }

    private static void assertExactly(Map<String, String> options, String message) {
        var e = assertThrows(WeftException.InvalidRequest.class, () -> BridgeOptions.parse(options));
        assertEquals(message, e.getMessage());
    }

    private static void assertMessage(Map<String, String> options, String part) {
        var e = assertThrows(WeftException.InvalidRequest.class, () -> BridgeOptions.parse(options));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
