package dev.weft.driver.bridge;

import dev.weft.api.WeftException;
import dev.weft.driver.bridge.BridgeOptions.GatewayMode;
import dev.weft.net.IpAddresses;
import dev.weft.spi.NetworkConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the gateway modes and the options that go with them ({@code trusted_host_interfaces},
 * {@code outbound_addr4/6}) need of the network they are given for: checked in
 * {@link BridgeDriver#validate}, before anything is made, each refusal naming the option, the value
 * and what would work.
 */
final class ModeRules {
    private ModeRules() {}

    /**
     * @param hostAddresses the addresses of the host namespace (read only when an outbound address is given)
     */
    static void check(NetworkConfig network, BridgeOptions o, Supplier<List<InetAddress>> hostAddresses) {
        String name = "network \"" + network.name() + "\": ";
        for (boolean v6 : new boolean[] {false, true}) {
            String key = v6 ? BridgeOptions.GATEWAY_MODE_IPV6 : BridgeOptions.GATEWAY_MODE_IPV4;
            GatewayMode mode = o.gatewayMode(v6);
            if (mode == GatewayMode.ISOLATED && !network.internal()) {
                throw new WeftException.InvalidRequest(name + key + "=isolated needs --internal: an isolated network "
                        + "gives the host no address on it, so nothing can be routed in or out; add --internal, or "
                        + "choose nat, nat-unprotected or routed");
            }
        }
        if (!network.ipv4()) {
            refuseWithoutIpv4(name, BridgeOptions.GATEWAY_MODE_IPV4, o.gatewayMode4() == GatewayMode.NAT ? null
                    : o.gatewayMode4().value());
            refuseWithoutIpv4(name, BridgeOptions.OUTBOUND_ADDR4, o.outboundAddr4() == null ? null
                    : IpAddresses.format(o.outboundAddr4()));
            refuseWithoutIpv4(name, BridgeOptions.HOST_BINDING_IPV4, o.hostBindingIpv4() == null ? null
                    : IpAddresses.format(o.hostBindingIpv4()));
        }
        if (!network.ipv6()) {
            refuseWithoutIpv6(name, BridgeOptions.GATEWAY_MODE_IPV6, o.gatewayMode6() == GatewayMode.NAT ? null
                    : o.gatewayMode6().value());
            refuseWithoutIpv6(name, BridgeOptions.OUTBOUND_ADDR6, o.outboundAddr6() == null ? null
                    : IpAddresses.format(o.outboundAddr6()));
        }
        if (network.internal() && !o.trustedHostInterfaces().isEmpty()) {
            throw new WeftException.InvalidRequest(name + BridgeOptions.TRUSTED_HOST_INTERFACES + "="
                    + String.join(":", o.trustedHostInterfaces()) + " has no effect on an internal network (it "
                    + "publishes no ports); drop it, or drop --internal");
        }
        for (boolean v6 : new boolean[] {false, true}) {
            InetAddress source = v6 ? o.outboundAddr6() : o.outboundAddr4();
            if (source == null) {
                continue;
            }
            String option = (v6 ? BridgeOptions.OUTBOUND_ADDR6 : BridgeOptions.OUTBOUND_ADDR4) + "="
                    + IpAddresses.format(source);
            if (network.internal()) {
                throw new WeftException.InvalidRequest(name + option + " has no effect on an internal network (no "
                        + "traffic leaves it); drop it, or drop --internal");
            }
            if (!o.gatewayMode(v6).translated()) {
                throw new WeftException.InvalidRequest(name + option + " needs a NAT gateway mode, but "
                        + (v6 ? BridgeOptions.GATEWAY_MODE_IPV6 : BridgeOptions.GATEWAY_MODE_IPV4) + "="
                        + o.gatewayMode(v6).value() + " translates nothing; choose nat or nat-unprotected, or drop it");
            }
            if (!o.masquerade()) {
                throw new WeftException.InvalidRequest(name + option + " contradicts "
                        + BridgeOptions.ENABLE_IP_MASQUERADE + "=false (it is the address outbound traffic is "
                        + "translated to); drop one of them");
            }
            if (!hostAddresses.get().contains(source)) {
                throw new WeftException.InvalidRequest(name + option + " is not an address of the host: replies to "
                        + "traffic sent from it would never come back; give one of the host's addresses (ip -br addr)");
            }
        }
    }

    private static void refuseWithoutIpv4(String name, String key, String value) {
        if (value != null) {
            throw new WeftException.InvalidRequest(name + key + "=" + value + " applies to IPv4, and the network is "
                    + "IPv6-only (--ipv4=false); drop the option, or drop --ipv4=false");
        }
    }

    private static void refuseWithoutIpv6(String name, String key, String value) {
        if (value != null) {
            throw new WeftException.InvalidRequest(name + key + "=" + value + " applies to IPv6, and the network has "
                    + "none; add --ipv6, or drop the option");
        }
    }
}
