package dev.weft.spi;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A global-scope driver's capability to reach the endpoints that other hosts of the cluster have
 * on its networks (libnetwork overlay's {@code peerAdd}/{@code peerDelete}): the overlay driver
 * programs each as a forwarding entry (MAC to VTEP) and a neighbour entry (address to MAC).
 *
 * <h2>When it is called</h2>
 * By the controller, which publishes every local endpoint of a global network in the
 * {@link ClusterStore} (bound to this host's lease) and follows the others'. Only for endpoints of
 * other hosts. After {@link NetworkDriver#createNetwork} or {@link Restorable#restore} of the
 * network on this host and before its {@link NetworkDriver#deleteNetwork}; {@link #peersReset}
 * first and again whenever the controller resynchronised with the store (a restart, a long
 * outage, a compaction), then {@link #peerJoined}/{@link #peerLeft} for each change. Calls for one
 * network come in order, on one thread; calls for different networks may run concurrently.
 *
 * <h2>What it must do</h2>
 * Be idempotent (a peer may be announced again, with the same or a new VTEP: replace), return
 * promptly (no waiting on other hosts), and after {@code peersReset} forward to exactly the peers
 * given. A peer whose programming fails is logged by the caller and announced again at the next
 * reset. The peers' kernel state needs no endpoint here: a driver may program it lazily when the
 * first local endpoint joins, from what it was told.
 *
 * @param <O> the driver's typed options
 */
@ConsumerType
public interface Peers<O> {

    /**
     * An endpoint on another host.
     *
     * @param endpointId its id (64 hex characters)
     * @param node       the id of its host in the cluster ({@link ClusterStore#nodeId()})
     * @param vtep       its host's underlay address
     * @param addresses  its addresses with the subnets' prefix lengths, IPv4 first
     * @param mac        its interface's MAC
     */
    record Peer(String endpointId, String node, InetAddress vtep, List<InterfaceAddress> addresses, MacAddress mac) {
        public Peer {
            Objects.requireNonNull(endpointId, "endpointId");
            Objects.requireNonNull(vtep, "vtep");
            Objects.requireNonNull(mac, "mac");
            addresses = List.copyOf(addresses);
        }
    }

    /** The network's remote endpoints are exactly {@code peers}: program them, and remove any other. */
    void peersReset(NetworkConfig network, O options, List<Peer> peers);

    /** An endpoint joined on another host (or moved: a new VTEP for the same endpoint). */
    void peerJoined(NetworkConfig network, O options, Peer peer);

    /** An endpoint on another host left (or its host's lease lapsed). */
    void peerLeft(NetworkConfig network, O options, Peer peer);
}
