package dev.weft.spi;

import java.net.InetAddress;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to say which gateway addresses of a network are on an interface of the
 * instance's host namespace (the bridge's own addresses): a service bound there in the host
 * namespace, such as the embedded DNS server on port 53, is reachable from every sandbox of the
 * network through its gateway, without a socket inside any sandbox. A driver whose gateway is a
 * router elsewhere (macvlan) or that has none lacks this capability.
 *
 * <h2>When it is called</h2>
 * At any time after {@link NetworkDriver#createNetwork} or {@link Restorable#restore} of the
 * network and before {@link NetworkDriver#deleteNetwork}; concurrently with other calls. No side
 * effects; cheap (from what the driver knows, no kernel round trip needed).
 *
 * @param <O> the driver's typed options
 */
@ConsumerType
public interface HostGateway<O> {

    /**
     * The network's gateway addresses that are configured on an interface of the host namespace
     * and reachable from its sandboxes, IPv4 first; empty when there are none (e.g. no subnet).
     */
    List<InetAddress> hostGatewayAddresses(NetworkConfig network, O options);
}
