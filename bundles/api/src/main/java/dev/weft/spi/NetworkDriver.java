package dev.weft.spi;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A network driver, modelled on libnetwork's {@code driverapi.Driver}: a small core plus opt-in
 * capabilities ({@link ExternalConnectivity}, {@link Restorable}, {@link DefaultRoutes}, …) that
 * the controller finds with {@code instanceof}, so a simple driver implements nothing it does not do.
 *
 * <h2>Registration</h2>
 * A driver is an OSGi service of this type with the service property {@value #NAME} (e.g.
 * {@code bridge}). The controller tracks drivers dynamically. A network remembers the bundle that
 * served it: another bundle registering the same name does not take it over, and a name that is
 * registered cannot be shadowed by a later service. When the driver's service goes away its networks
 * and their kernel state stay where they are, reported unavailable; when it comes back, its
 * {@link Restorable#restore} runs before any other call. So a driver's deactivation frees JVM
 * resources only and never tears down kernel state: updating a driver bundle does not cut traffic.
 *
 * <h2>Options</h2>
 * Options are typed per driver: {@link #parseOptions} turns the user's {@code -o KEY=VALUE} map into
 * the driver's own record {@code O}, refusing keys it does not know. Every other call gets that
 * record; the controller stores the original map and parses it again after a restart.
 *
 * <h2>Call order and guarantees</h2>
 * For a network: {@link #parseOptions} and {@link #validate} (no side effects, may run any number
 * of times), then {@link #createNetwork}; later {@link #deleteNetwork}, only once no endpoint of it
 * remains. For an endpoint: {@link #createEndpoint}, then {@link #join} with its sandbox, then
 * (if the driver has it and there are ports) {@link ExternalConnectivity#publish}; on the way out
 * {@link ExternalConnectivity#unpublish}, {@link #leave}, {@link #deleteEndpoint}. Between join and
 * leave, a driver with {@link DefaultRoutes} may be asked to move the endpoint's default routes,
 * when another endpoint of its sandbox connects or leaves. The controller
 * never calls a driver while holding a lock of its own, never calls two methods for the same
 * endpoint at once, but may call for different endpoints and networks concurrently.
 *
 * <h2>Failures</h2>
 * A create or join that throws must leave nothing of itself behind: the controller then rolls back
 * the earlier steps (calling the matching delete or leave). A delete or leave must keep going past
 * a failed step, remove everything it can, and then throw one exception naming every failure; it
 * must succeed when the object is already (partly) gone, so teardown after a crash can repeat it.
 * Exceptions carry messages for people: {@link dev.weft.api.WeftException.InvalidRequest} for bad
 * options or requests, anything else for kernel failures.
 *
 * @param <O> the driver's typed options
 */
@ConsumerType
public interface NetworkDriver<O> {

    /** The service property holding the driver's name. */
    String NAME = "weft.driver.name";

    /** Whether its networks are local to this machine or span machines. */
    Scope scope();

    /**
     * How its networks give a sandbox its network stack: a namespace of its own with an interface
     * per network (the default), loopback only, the host's namespace, or another sandbox's. The
     * controller chooses a new sandbox's namespace and checks which networks a sandbox may be on
     * together from this, never from a driver's or a network's name. Constant for a driver.
     */
    default SandboxMode sandboxMode() {
        return SandboxMode.OWN_NAMESPACE;
    }

    /**
     * Whether its networks get subnets and its endpoints addresses from IPAM. Drivers whose sandboxes
     * have no interface of their own on the network ({@code null}, {@code host}) say false, and so
     * does a driver of {@link SandboxMode#OWN_NAMESPACE} that brings its own addresses (the
     * {@code cni} driver: the plugins' IPAM): its endpoints still get an
     * {@link EndpointConfig#interfaceName()}, and their addresses are the driver's business.
     */
    default boolean usesAddresses() {
        return true;
    }

    /**
     * Whether the network's subnets of one family get a gateway address from IPAM (the default).
     * False for options that give the host no address on the network (the bridge's
     * {@code gateway_mode_ipv4=isolated}): then no gateway is allocated, a requested
     * {@code --gateway} of that family is refused, its endpoints get no gateway and so no default
     * route of that family, and a subnet may be as small as one address ({@code /32}, {@code /128};
     * a {@code /31} or {@code /127} has two usable addresses, RFC 3021 and RFC 6164). Called after
     * {@link #parseOptions}, before anything is allocated. No side effects.
     *
     * @since 0.7.0
     */
    default boolean needsGateway(O options, boolean ipv6) {
        return true;
    }

    /**
     * Where the network's gateway of one family comes from ({@link GatewayAddress}): the host's
     * address picked by IPAM when none is given (the default), only the user's {@code --gateway}
     * (a router on another LAN, macvlan's), or none at all. Called after {@link #parseOptions},
     * before anything is allocated; the controller asks only this, so a driver overriding it need not
     * override {@link #needsGateway}. No side effects. The default: {@link GatewayAddress#ALLOCATED}
     * when {@link #needsGateway} says true, else {@link GatewayAddress#NONE}.
     *
     * @since 0.8.0
     */
    default GatewayAddress gatewayAddress(O options, boolean ipv6) {
        return needsGateway(options, ipv6) ? GatewayAddress.ALLOCATED : GatewayAddress.NONE;
    }

    /**
     * Parses and checks the network options. Refuses unknown keys and malformed values with
     * {@link dev.weft.api.WeftException.InvalidRequest} naming the key, the value and what is
     * accepted. No side effects.
     */
    O parseOptions(Map<String, String> options);

    /**
     * Checks the whole request (IPAM data, internal and IPv6 flags) against the options before
     * anything is changed, e.g. that a bridge name is free or that an internal network publishes
     * nothing. No side effects. The default accepts everything.
     */
    default void validate(NetworkConfig network, O options) {}

    /**
     * Whether endpoints of a network with these options may give their sandbox a default route
     * (netavark's {@code no_default_route=true} says they may not). When false, the controller treats
     * the network's endpoints as it treats those of an internal network in its choice of default
     * routes ({@link DefaultRoutes}): none of them is ever chosen, so another network's endpoint
     * that can give the route gives it whatever the priorities, and {@link EndpointConfig#defaultRoute4()}
     * and {@link EndpointConfig#defaultRoute6()} are never set for them. Asked once, when the network
     * is created, right after {@link #validate}; the answer is recorded with the network (a restart
     * keeps it, also while the driver is away), so it must follow from the options alone. No side
     * effects. The default: true.
     *
     * @since 0.7.0
     */
    default boolean givesDefaultRoutes(O options) {
        return true;
    }

    /**
     * Checks an endpoint's driver options ({@link EndpointConfig#driverOptions()}: {@code --driver-opt
     * KEY=VALUE} without the controller's own keys) before anything is allocated for it, refusing keys it
     * does not know and malformed values with {@link dev.weft.api.WeftException.InvalidRequest} naming
     * the key, the value and what is accepted. Called only with a non-empty map. No side effects. The
     * default knows no endpoint option and refuses every key (Docker's drivers ignore unknown ones;
     * Weft refuses them, as it does network options).
     *
     * @since 0.7.0
     */
    default void validateEndpoint(NetworkConfig network, O options, Map<String, String> driverOptions) {
        if (!driverOptions.isEmpty()) {
            throw new dev.weft.api.WeftException.InvalidRequest("network \"" + network.name() + "\": unknown endpoint "
                    + "driver option" + (driverOptions.size() > 1 ? "s " : " ") + String.join(", ", driverOptions.keySet())
                    + "; its driver takes none (the controller's own: " + dev.weft.api.EndpointDriverOptions.IFNAME
                    + ", " + dev.weft.api.EndpointDriverOptions.SYSCTLS + ")");
        }
    }

    /**
     * What people should know about a network with these options that its configuration does not
     * show, by topic: a short key ({@code HostAccess}) to a sentence or two saying what holds and
     * what to do about it (macvlan's: the host cannot reach its own macvlan sandboxes, and how to
     * add a host-side link that can). {@code network:inspect} shows them as {@code "Remarks"}. Called
     * for the API's queries of a network that exists, after {@link #parseOptions}; not for events.
     * No side effects, prompt (no kernel access needed). The default: none.
     *
     * @since 0.8.0
     */
    default Map<String, String> remarks(NetworkConfig network, O options) {
        return Map.of();
    }

    /** Creates the network's kernel state (e.g. a bridge and its firewall structure). */
    void createNetwork(NetworkConfig network, O options);

    /** Removes the network's kernel state; called only when it has no endpoints. */
    void deleteNetwork(NetworkConfig network, O options);

    /**
     * Prepares an endpoint before it joins a sandbox (the addresses are already allocated). The
     * default does nothing: most drivers make their interface at {@link #join}, directly inside
     * the sandbox.
     */
    default void createEndpoint(NetworkConfig network, O options, EndpointConfig endpoint) {}

    /** Undoes {@link #createEndpoint}. */
    default void deleteEndpoint(NetworkConfig network, O options, EndpointConfig endpoint) {}

    /**
     * Plumbs the endpoint's interface into the sandbox (named {@link EndpointConfig#interfaceName()},
     * with its addresses and the default routes that {@link EndpointConfig#defaultRoute4()} and
     * {@link EndpointConfig#defaultRoute6()} give it; a driver with {@link DefaultRoutes} may be asked
     * to move them later).
     * Called once per endpoint, after {@link #createEndpoint} and before any
     * {@link ExternalConnectivity} call. On failure it leaves nothing behind.
     */
    JoinInfo join(NetworkConfig network, O options, EndpointConfig endpoint, SandboxConfig sandbox);

    /**
     * Takes the endpoint's interface out of the sandbox. Called after
     * {@link ExternalConnectivity#unpublish} and before {@link #deleteEndpoint}; the endpoint's
     * addresses are released only after it returns, so it must leave no interface configured with
     * them. Slow kernel work (deleting a veth costs ~25 ms) may finish after it returns, as long as
     * the addresses are no longer in use.
     */
    void leave(NetworkConfig network, O options, EndpointConfig endpoint, SandboxConfig sandbox);
}
