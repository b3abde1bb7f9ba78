package dev.weft.core.internal;

import dev.weft.api.WeftException;
import dev.weft.net.MacAddress;
import dev.weft.spi.ClusterAllocation;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.Discovery;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.Peers;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A global-scope driver that touches no kernel (an overlay without VXLAN), for the cluster's logic
 * tests: it claims a "VNI" in the store, and remembers which peers and hosts it was told of.
 */
final class FakeGlobalDriver implements NetworkDriver<Map<String, String>>, Peers<Map<String, String>>,
        ClusterAllocation<Map<String, String>>, Discovery, dev.weft.spi.EgressNetwork<Map<String, String>> {
    static final String VNI = "vni";
    final Map<String, Map<String, Peer>> peers = new ConcurrentHashMap<>();
    final Map<String, Node> nodes = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public Scope scope() {
        return Scope.GLOBAL;
    }

    /** As the overlay: the way out is the egress network's. */
    @Override
    public boolean givesDefaultRoutes(Map<String, String> options) {
        return false;
    }

    @Override
    public Map<String, String> parseOptions(Map<String, String> options) {
        if (options.containsKey("encrypted")) {
            throw new WeftException.InvalidRequest("encrypted is not supported");
        }
        return options;
    }

    @Override
    public void createNetwork(NetworkConfig network, Map<String, String> options) {
        calls.add("createNetwork " + network.name() + " " + options.get(VNI));
    }

    @Override
    public void deleteNetwork(NetworkConfig network, Map<String, String> options) {
        calls.add("deleteNetwork " + network.name());
        peers.remove(network.id());
    }

    @Override
    public JoinInfo join(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint, SandboxConfig sandbox) {
        byte[] a = endpoint.ipv4().address().getAddress();
        return new JoinInfo(endpoint.interfaceName(), MacAddress.parse(String.format("02:42:%02x:%02x:%02x:%02x",
                a[0], a[1], a[2], a[3])));
    }

    @Override
    public void leave(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint, SandboxConfig sandbox) {
    }

    @Override
    public void peersReset(NetworkConfig network, Map<String, String> options, List<Peer> all) {
        Map<String, Peer> m = new ConcurrentHashMap<>();
        all.forEach(p -> m.put(p.endpointId(), p));
        peers.put(network.id(), m);
    }

    @Override
    public void peerJoined(NetworkConfig network, Map<String, String> options, Peer peer) {
        peers.computeIfAbsent(network.id(), k -> new ConcurrentHashMap<>()).put(peer.endpointId(), peer);
    }

    @Override
    public void peerLeft(NetworkConfig network, Map<String, String> options, Peer peer) {
        Map<String, Peer> m = peers.get(network.id());
        if (m != null) {
            m.remove(peer.endpointId());
        }
    }

    @Override
    public Map<String, String> allocateNetwork(NetworkConfig network, Map<String, String> options, ClusterStore store) {
        if (options.containsKey(VNI)) {
            String key = "vni/" + options.get(VNI);
            if (!store.txn(ClusterStore.Txn.createIfAbsent(key, network.id().getBytes(StandardCharsets.UTF_8), false))
                    .succeeded()) {
                throw new WeftException.Conflict("VNI " + options.get(VNI) + " is in use");
            }
            return Map.of();
        }
        for (int v = 4097; ; v++) {
            if (store.txn(ClusterStore.Txn.createIfAbsent("vni/" + v, network.id().getBytes(StandardCharsets.UTF_8), false))
                    .succeeded()) {
                return Map.of(VNI, Integer.toString(v));
            }
        }
    }

    @Override
    public void freeNetwork(NetworkConfig network, Map<String, String> options, ClusterStore store) {
        String key = "vni/" + options.get(VNI);
        store.txn(new ClusterStore.Txn(List.of(ClusterStore.Compare.value(key, network.id().getBytes(StandardCharsets.UTF_8))),
                List.of(ClusterStore.Op.delete(key)), List.of()));
    }

    /** A bridge-like egress network of the test driver {@code fbr} (see {@link FakeDriver}). */
    @Override
    public dev.weft.api.NetworkSpec egressNetwork() {
        return new dev.weft.api.NetworkSpec("docker_gwbridge", "fbr", List.of(), false, false,
                Map.of("icc", "false"), Map.of());
    }

    @Override
    public void nodeJoined(Node node) {
        nodes.put(node.id(), node);
    }

    @Override
    public void nodeLeft(Node node) {
        nodes.remove(node.id());
    }
}
