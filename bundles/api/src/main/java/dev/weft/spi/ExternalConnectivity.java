package dev.weft.spi;

import dev.weft.api.PortBinding;
import java.net.InetAddress;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to publish ports (DNAT from host ports to an endpoint). The controller
 * reserves the host ports itself (binding a socket in the host namespace for each tcp/udp port, so
 * no host process can take it meanwhile, and picking free ones for port 0) and hands the driver
 * concrete bindings. A network whose driver lacks this capability refuses published ports.
 *
 * @param <O> the driver's typed options
 */
@ConsumerType
public interface ExternalConnectivity<O> {

    /**
     * The host address a port publication that names none is bound on, or null (the default) for
     * every host address, IPv4 and IPv6. Called before the controller reserves the host ports; the
     * bindings then handed to {@link #publish} carry this address. Only bindings on every address
     * or on an IPv6 address are reachable at {@code [::1]}: a driver whose default is an IPv4
     * address keeps its ports off IPv6.
     */
    default InetAddress defaultHostAddress(O options) {
        return null;
    }

    /**
     * Makes the bindings reachable. Called after {@link NetworkDriver#join}, with all of the
     * endpoint's bindings at once, and again with further bindings if more are added. On failure
     * it leaves none of these bindings in force.
     */
    void publish(NetworkConfig network, O options, EndpointConfig endpoint, List<PortBinding> ports);

    /**
     * Removes bindings and the connection-tracking entries of their flows (so an old UDP flow does
     * not keep reaching the endpoint). Called before {@link NetworkDriver#leave}. Succeeds when they
     * are already gone.
     */
    void unpublish(NetworkConfig network, O options, EndpointConfig endpoint, List<PortBinding> ports);
}
