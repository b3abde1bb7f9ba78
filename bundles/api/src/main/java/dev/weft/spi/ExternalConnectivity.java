package dev.weft.spi;

import dev.weft.api.PortBinding;
import java.net.InetAddress;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to publish ports: the controller finds it with {@code instanceof}, and a
 * network whose driver lacks it refuses published ports before anything is allocated. A driver that
 * publishes nothing implements none of it.
 *
 * <p>The host ports are core's: its allocator reserves them before the driver is called (a socket
 * per tcp/udp port in the host namespace, so no host process can take one meanwhile; a free port
 * picked for port 0; SCTP ports in memory) and releases them after {@link #unpublish} and
 * {@link NetworkDriver#leave}. The driver maps the concrete bindings it is handed: with a mechanism
 * of its own (the bridge's DNAT elements) and with the {@link PortMapper}s core offers by name
 * ({@link DriverContext#portMapper}: {@link PortMapper#RELAY} for what NAT cannot reach, such as
 * {@code [::1]}). Both methods meet {@link PortMapper}'s contract for the mapping as a whole.
 *
 * <h2>Call order</h2>
 * For an endpoint with ports: {@link #defaultHostAddress}; the host ports are reserved and the
 * endpoint's record is written with them (a crash from here on leaves a record that explains what
 * {@code publish} wrote); {@link NetworkDriver#join}; {@link #publish} with all of the endpoint's
 * bindings. On the way out: {@link #unpublish} with all of them, {@link NetworkDriver#leave},
 * the ports released. After a restart the controller does not call {@code publish} again: the
 * driver's {@link Restorable#restore} puts the recorded bindings back in force, its own mapping and
 * core's mappers alike.
 *
 * @param <O> the driver's typed options
 */
@ConsumerType
public interface ExternalConnectivity<O> {

    /**
     * The host address a port publication that names none is bound on, or null (the default) for
     * every host address, IPv4 and IPv6. Called before the controller reserves the host ports; the
     * bindings then handed to {@link #publish} carry this address. Only bindings on every address
     * or on an IPv6 address are reachable at {@code [::1]} (through {@link PortMapper#RELAY}): a
     * driver whose default is an IPv4 address keeps its ports off IPv6. No side effects.
     */
    default InetAddress defaultHostAddress(O options) {
        return null;
    }

    /**
     * Whether the network's bindings are published on host ports (the default). False when they
     * only open the sandbox's own port to traffic routed to it (the bridge's {@code routed} gateway
     * mode for every family the network has, as Docker's {@code routed} port mapper): then core
     * reserves no host port, and hands {@link #publish} (and records, and shows) each binding with
     * host port 0 and no host address; the driver calls no {@link PortMapper} for them. Called
     * before any host port is reserved, also after a restart. No side effects.
     *
     * @since 0.7.0
     */
    default boolean usesHostPorts(NetworkConfig network, O options) {
        return true;
    }

    /**
     * Makes the bindings reachable. Called after {@link NetworkDriver#join}, with all of the
     * endpoint's bindings at once, and again with further bindings if more are added.
     *
     * <ul>
     * <li>On return every binding reaches the endpoint: through the driver's own mechanism, a
     *     {@link PortMapper} of core, or both.</li>
     * <li>All or nothing: when it throws, none of these bindings is in force, neither in the driver's
     *     own mechanism nor in a mapper it called (it unmaps what it mapped before throwing). A
     *     refusal ({@link dev.weft.api.WeftException.InvalidRequest}, e.g. a firewall that cannot
     *     publish) names the network and says what would work.</li>
     * <li>A flow that reached these host ports before (a UDP flow un-NATed, or to an earlier target)
     *     must not keep that path.</li>
     * </ul>
     */
    void publish(NetworkConfig network, O options, EndpointConfig endpoint, List<PortBinding> ports);

    /**
     * Takes the bindings out of force, in every mechanism and mapper {@link #publish} used, and ends
     * their flows (the connection-tracking entries of NATed ones too, so an old UDP flow does not
     * keep reaching the endpoint; this may finish shortly after return). Called before
     * {@link NetworkDriver#leave}. Keeps going past a failed step and throws once naming every
     * failure; succeeds when the bindings are already (partly) gone, also after a restart.
     */
    void unpublish(NetworkConfig network, O options, EndpointConfig endpoint, List<PortBinding> ports);
}
