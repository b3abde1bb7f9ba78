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
    void badInputIsRefusedNamingKeyValueAndWhatIsAccepted() {
        assertMessage(Map.of("com.docker.network.bridge.colour", "x"), "has no option \"com.docker.network.bridge.colour\"");
        assertMessage(Map.of(BridgeOptions.HOST_BINDING_IPV4, "::1"), "expected an IPv4 address");
        assertMessage(Map.of(BridgeOptions.HOST_BINDING_IPV4, "example"), "host_binding_ipv4=\"example\"");
        assertMessage(Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "bridge"), "expected nat or routed");
        assertMessage(Map.of(BridgeOptions.ENABLE_ICC, "maybe"), "expected true or false");
        assertMessage(Map.of(BridgeOptions.BRIDGE_NAME, "a-name-that-is-too-long"), "1 to 15");
        assertMessage(Map.of(BridgeOptions.MTU, "70000"), "from 68 to 65535");
    }

    private static void assertMessage(Map<String, String> options, String part) {
        var e = assertThrows(WeftException.InvalidRequest.class, () -> BridgeOptions.parse(options));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
