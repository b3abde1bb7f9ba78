package dev.weft.driver.overlay;

import dev.weft.spi.NetworkConfig;
import dev.weft.spi.Peers.Peer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the driver knows of one overlay network on this host, in memory: its configuration, the
 * VNI, the endpoints that joined here and the remote peers it was told of. Its monitor guards the
 * per-network namespace's life (made at the first local join, deleted after the last leave) and
 * the programming of the peers into it, so they never race.
 */
final class Segment {
    final NetworkConfig network;
    final OverlayOptions options;
    /** Local endpoints (ids) that joined and have not left. */
    final Set<String> local = new LinkedHashSet<>();
    /** Remote endpoints by id, as last announced. */
    final Map<String, Peer> peers = new LinkedHashMap<>();
    /** The MTU of the namespace's links, fixed when it is made (0: not made yet). */
    int mtu;

    Segment(NetworkConfig network, OverlayOptions options) {
        this.network = network;
        this.options = options;
    }

    int vni() {
        return options.vni();
    }
}
