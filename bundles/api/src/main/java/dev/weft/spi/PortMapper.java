package dev.weft.spi;

import dev.weft.api.PortBinding;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One way of making an endpoint's published host ports reach it: Weft's cut of libnetwork's
 * {@code portmapperapi.PortMapper}, offered by core to the drivers that publish ports
 * ({@link ExternalConnectivity}). Mappers are registered by name; a driver looks the ones it uses up
 * with {@link DriverContext#portMapper} and calls them from its {@link ExternalConnectivity#publish},
 * {@link ExternalConnectivity#unpublish} and {@link Restorable#restore}.
 *
 * <h2>Who does what</h2>
 * The host ports are not a mapper's. Core's host-port allocator, shared by every driver, reserves
 * each binding before the driver is called (a socket per tcp/udp port in the host namespace, so no
 * host process can take it; a free port picked for host port 0; a port already held refused, before
 * any kernel change) and releases it after {@link ExternalConnectivity#unpublish} and
 * {@link NetworkDriver#leave}. A mapper only makes reserved bindings reach an endpoint and stops
 * doing so; unlike moby's, it never picks, changes or releases a host port. The driver's own
 * mapping (the bridge's DNAT) is its {@code publish}/{@code unpublish}, which meet this contract too.
 *
 * <h2>Mappers core offers</h2>
 * <ul>
 * <li>{@value #RELAY}: the one in-runtime relay thread, for what NAT cannot reach ({@code [::1]:PORT}:
 *     IPv6 has no {@code route_localnet}; a host IPv6 address when the endpoint has no IPv6). It serves
 *     the tcp and udp bindings on every host address or on an IPv6 host address, whose host port the
 *     allocator holds with a listening socket of the relay; it ignores the others (an IPv4 host
 *     address, sctp), which are the driver's NAT's alone. An IPv6 client is relayed from the host
 *     namespace to the endpoint's IPv6 address when it has one, else its IPv4 address, at the binding's
 *     container port; an IPv4 client is relayed to the endpoint's IPv6 address when the endpoint has
 *     no IPv4 (no NAT rule can take it there, as docker-proxy does for IPv6-only containers), and
 *     otherwise (there only when no NAT rule took it) reset, its datagrams dropped. A held port that is not mapped (before {@code mapPorts}, after {@code unmapPorts}, after
 *     a restart until the driver maps it again) resets and drops every client.</li>
 * </ul>
 *
 * <h2>Calls</h2>
 * A driver calls {@link #mapPorts} after its {@link NetworkDriver#join} (from {@code publish}, or from
 * {@code restore} for the bindings the controller's records hold) and {@link #unmapPorts} before its
 * {@link NetworkDriver#leave} (from {@code unpublish}), with bindings the controller handed it for that
 * endpoint: concrete (host port never 0; host address as reserved, null for every address), never
 * bindings of another endpoint. It never calls both for the same endpoint at once (the controller's
 * guarantee for the driver's calls carries over); calls for different endpoints run concurrently.
 * Mappers keep their state in memory: after a restart nothing is mapped until the driver maps again.
 *
 * <h2>Threads and cost</h2>
 * Implementations are thread-safe and return at once: they are on the user's path
 * ({@code sandbox:create -p}) and MUST NOT wait for the network, for a flow or for another thread.
 */
@ProviderType
public interface PortMapper {

    /** The name of core's in-runtime relay (see above). */
    String RELAY = "relay";

    /**
     * Makes {@code bindings} reach {@code endpoint}.
     *
     * <ul>
     * <li>On return, every binding of the list this mapper serves reaches the endpoint at its
     *     {@link PortBinding#containerPort()}; bindings it does not serve are ignored, never an error.</li>
     * <li>All or nothing: when it throws, none of this call's bindings is mapped by this call
     *     (mappings of earlier calls stay as they were). It MUST throw for a binding it serves whose
     *     host port the allocator does not hold for it, naming the binding.</li>
     * <li>Idempotent: mapping a binding already mapped to this endpoint changes nothing, and flows
     *     in progress go on; a binding mapped to other addresses of this endpoint is pointed at the
     *     current ones and its old flows end.</li>
     * <li>It MUST NOT pick, change, bind or release host ports.</li>
     * </ul>
     *
     * @param endpoint the endpoint, with the addresses it has now
     * @param bindings the endpoint's bindings to map, as the controller reserved them
     */
    void mapPorts(EndpointConfig endpoint, List<PortBinding> bindings);

    /**
     * Stops {@code bindings} reaching {@code endpoint}.
     *
     * <ul>
     * <li>From its return, no new connection or datagram through these bindings reaches the endpoint;
     *     flows in progress end at once or shortly after, and at the latest when the allocator releases
     *     the ports.</li>
     * <li>Only this endpoint's mappings are removed: a binding mapped for another endpoint (the same
     *     host port, reserved again after this one's was released) stays as it is.</li>
     * <li>Idempotent, and it MUST succeed when the bindings are not mapped (never mapped, unmapped
     *     before, forgotten in a restart) and for bindings it does not serve.</li>
     * </ul>
     *
     * @param endpoint the endpoint, as it was mapped
     * @param bindings the endpoint's bindings to unmap
     */
    void unmapPorts(EndpointConfig endpoint, List<PortBinding> bindings);
}
