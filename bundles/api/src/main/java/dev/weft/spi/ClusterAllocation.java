package dev.weft.spi;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A global-scope driver's cluster-wide resources for a network (libnetwork's
 * {@code NetworkAllocate}/{@code NetworkFree}): the overlay driver's VNIs. Allocated once, on the
 * host where the network is created, before the network is written to the store; what it returns
 * is recorded with the network's options, so every host's {@link NetworkDriver#parseOptions} sees
 * it (a VNI chosen here reaches the others as {@code vxlanid_list}).
 *
 * <h2>Contracts</h2>
 * {@link #allocateNetwork} claims in the store with compare-and-set (a resource the user named that
 * is taken is refused, naming it and its owner) and either claims everything or leaves nothing: the
 * controller calls {@link #freeNetwork} when a later step of the creation fails. {@code freeNetwork}
 * releases only what this network holds (compare the owner), succeeds when it holds nothing, and is
 * called once the network is gone from every host. Both may throw {@link ClusterException}.
 *
 * @param <O> the driver's typed options
 */
@ConsumerType
public interface ClusterAllocation<O> {

    /** Claims the network's cluster-wide resources; returns options to record with it (empty for none). */
    Map<String, String> allocateNetwork(NetworkConfig network, O options, ClusterStore store);

    /** Releases them. {@code options} include what {@link #allocateNetwork} returned. */
    void freeNetwork(NetworkConfig network, O options, ClusterStore store);
}
