package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.PortBinding;
import dev.weft.api.WeftException;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Firewall mode none as a firewaller that does nothing (no kernel: a call that touched one would
 * fail here), except refusing published ports with a message people can act on.
 */
class NoFirewallTest {
    private final NoFirewall none = new NoFirewall();
    private final NetworkConfig network = new NetworkConfig("0123456789ab".repeat(5) + "0123", "blue", false, false,
            List.of(), Map.of(), false);
    private final EndpointConfig endpoint = new EndpointConfig("fedcba987654".repeat(5) + "3210", "eth0",
            InterfaceAddress.parse("10.81.0.2/24"), null, null, null, true, null, List.of());
    private final List<PortBinding> ports = List.of(new PortBinding("tcp", null, 8080, 80));

    @Test
    void publishedPortsAreRefusedNamingTheNetworkAndWhatWouldWork() {
        WeftException.InvalidRequest e = assertThrows(WeftException.InvalidRequest.class,
                () -> none.publish(network, endpoint, ports, null));
        assertEquals("network \"blue\": the firewall mode is none, so ports cannot be published; set the firewall "
                + "mode to nftables or drop -p", e.getMessage());
    }

    @Test
    void everythingElseIsDoneByDoingNothing() {
        none.addNetwork(network.id(), new FirewallScript.Net("br-0123456789ab", List.of(IpPrefix.parse("10.81.0.0/24")),
                false, true, false));
        none.addEndpoint(endpoint, "wtv0123456789", false);
        none.restorePorts(network, endpoint, ports, null);
        none.unpublish(network, endpoint, ports, null);
        none.removeEndpoint(endpoint, "wtv0123456789", false);
        none.removeNetwork(network.id());
        none.reapply();
        assertTrue(none.sweep(List.of(IpPrefix.parse("10.81.0.0/24")), Set.of()).isEmpty());
        assertEquals("", none.script());
    }

    @Test
    void theFirewallModeChoosesTheFirewaller() {
        DriverContext none = new DriverContext() { // only the mode is read
            @Override
            public FirewallMode firewallMode() {
                return FirewallMode.NONE;
            }

            @Override
            public String instance() {
                return "test";
            }

            @Override
            public String linkPrefix() {
                return "wt";
            }

            @Override
            public String nftTable() {
                return "weft";
            }

            @Override
            public int defaultMtu() {
                return 0;
            }

            @Override
            public java.util.Optional<dev.weft.spi.PortMapper> portMapper(String name) {
                return java.util.Optional.empty();
            }

            @Override
            public <K> dev.weft.spi.DeferredWork<K> deferredWork(dev.weft.spi.DeferredPolicy policy,
                                                                 dev.weft.spi.DeferredWork.Task<K> task) {
                throw new UnsupportedOperationException();
            }
        };
        assertTrue(Firewaller.of(none, null, null, null) instanceof NoFirewall);
    }
}
