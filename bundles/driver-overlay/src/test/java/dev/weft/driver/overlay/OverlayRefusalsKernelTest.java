package dev.weft.driver.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import dev.weft.driver.overlay.OverlayCluster.Node;
import dev.weft.spi.NetworkConfig;
import dev.weft.testkit.KernelTest;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each refusal says why and what works, and changes nothing: no namespace, no key in the store. */
@ExtendWith(KernelTest.class)
class OverlayRefusalsKernelTest {
    private OverlayCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void assertNothingChanged(Node node, Map<?, ?> storeBefore) {
        assertTrue(node.kernel.namespaces().list().isEmpty(), "no namespace made: " + node.kernel.namespaces().list());
        assertEquals(storeBefore, cluster.data.snapshot(), "the store is as it was");
    }

    @Test
    void everyRefusalLeavesNothingBehind() throws Exception {
        cluster = new OverlayCluster(1);
        Node h1 = cluster.node(1);
        NetworkConfig net = OverlayCluster.network("ov1", "10.0.9.0/24", "10.0.9.1");
        var before = cluster.data.snapshot();

        h1.start(false); // no cluster store configured
        var options = h1.driver.parseOptions(Map.of());
        WeftException.InvalidRequest noCluster = assertThrows(WeftException.InvalidRequest.class,
                () -> h1.driver.validate(net, options));
        assertTrue(noCluster.getMessage().contains("weft.cluster.store") && noCluster.getMessage().contains(
                "weft.cluster.advertise") && noCluster.getMessage().contains("restart Weft"), noCluster.getMessage());
        h1.start(true);

        WeftException.InvalidRequest encrypted = assertThrows(WeftException.InvalidRequest.class,
                () -> h1.driver.parseOptions(Map.of("encrypted", "")));
        assertTrue(encrypted.getMessage().contains("IPsec") && encrypted.getMessage().contains("drop -o encrypted"),
                encrypted.getMessage());

        var tooLarge = h1.driver.parseOptions(Map.of(OverlayOptions.MTU, "1451"));
        WeftException.InvalidRequest mtu = assertThrows(WeftException.InvalidRequest.class,
                () -> h1.driver.validate(net, tooLarge));
        assertTrue(mtu.getMessage().contains("up0") && mtu.getMessage().contains("1500")
                && mtu.getMessage().contains("at most 1450"), mtu.getMessage());
        h1.driver.validate(net, h1.driver.parseOptions(Map.of(OverlayOptions.MTU, "1450"))); // the largest that fits

        var twoVnis = h1.driver.parseOptions(Map.of(OverlayOptions.VXLANID_LIST, "5000,5001"));
        WeftException.InvalidRequest vnis = assertThrows(WeftException.InvalidRequest.class,
                () -> h1.driver.validate(net, twoVnis));
        assertTrue(vnis.getMessage().contains("2 VNIs for 1 subnet"), vnis.getMessage());
        assertNothingChanged(h1, before);

        // a VNI another network holds
        NetworkConfig first = OverlayCluster.network("first", "10.0.8.0/24", "10.0.8.1");
        cluster.create(first, Map.of(OverlayOptions.VXLANID_LIST, "5000"));
        var afterFirst = cluster.data.snapshot();
        var same = h1.driver.parseOptions(Map.of(OverlayOptions.VXLANID_LIST, "5000"));
        h1.driver.validate(net, same);
        WeftException.Conflict taken = assertThrows(WeftException.Conflict.class,
                () -> h1.driver.allocateNetwork(net, same, h1.store));
        assertTrue(taken.getMessage().contains("VNI 5000") && taken.getMessage().contains(first.id()),
                taken.getMessage());
        assertNothingChanged(h1, afterFirst);
    }
}
