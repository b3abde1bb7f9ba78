package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
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

    private static void assertMessage(Map<String, String> options, String part) {
        var e = assertThrows(WeftException.InvalidRequest.class, () -> BridgeOptions.parse(options));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
