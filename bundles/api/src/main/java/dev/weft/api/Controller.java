package dev.weft.api;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Owns the lifecycle of networks, sandboxes and endpoints (libnetwork's Container Network Model):
 * create network, create sandbox, connect (IPAM allocates, the driver plumbs the interface in and
 * publishes ports), disconnect, remove. Every request is validated before anything is changed;
 * a step that fails rolls back the steps before it, so a refused or failed request leaves no
 * record, kernel object or address lease behind. Names or ids are accepted wherever an object is
 * named (an id prefix of at least 12 characters counts as an id).
 *
 * <p>Thread-safe: requests on different objects run concurrently.
 */
@ProviderType
public interface Controller {

    /**
     * Creates a network with its driver's kernel state. A subnet of the unspecified address
     * ({@code 0.0.0.0/24}, {@code ::/64}) asks for any free subnet of that prefix length from the
     * IPAM driver's pools ({@link NetworkSpec#subnets()}).
     * @throws WeftException.InvalidRequest bad name, malformed or inconsistent subnets, unknown option
     *                                      or IPAM option, subnets asked of the {@code null} IPAM driver,
     *                                      a size no pool can give, no IP family ({@code ipv4} and
     *                                      {@code ipv6} both off), an IPv4 subnet for an IPv6-only network
     * @throws WeftException.Conflict       duplicate name, subnet overlapping another network, no free
     *                                      subnet left in the pools
     * @throws WeftException.Unavailable    no driver or no IPAM driver of that name
     */
    NetworkInfo createNetwork(NetworkSpec spec);

    /**
     * Removes a network and its kernel state, and gives its subnets back to its IPAM driver.
     * @throws WeftException.Conflict    predefined network, or sandboxes still connected
     * @throws WeftException.Unavailable its driver or its IPAM driver is not installed
     */
    void removeNetwork(String network);

    /** Removes every user network without endpoints; returns their names. */
    List<String> pruneNetworks();

    List<NetworkInfo> networks();

    /** A network by name, id or unique id prefix (12 characters or more). */
    Optional<NetworkInfo> network(String network);

    /**
     * Creates a sandbox (a new named namespace with lo up and a resolv.conf for {@code ip netns exec},
     * or an adopted one) and connects it to its first network, if any.
     * @throws WeftException.Conflict duplicate name
     */
    SandboxInfo createSandbox(SandboxSpec spec);

    /**
     * Disconnects the sandbox from every network and removes it (and its namespace, if Weft created
     * it). It returns once the sandbox is out of every network (no published port, no firewall
     * element) and no longer listed by {@link #sandboxes()}; deleting its namespace and the
     * kernel's destruction of its interfaces (which holds the kernel's configuration lock for
     * milliseconds) follow in the background, at a quiet moment, batched with other removals. A new
     * sandbox of the same name waits for that, and the endpoints' addresses are reused only after
     * it. {@link #awaitRemoval} waits for the namespace. Of several calls removing one sandbox at
     * the same time exactly one removes it; the others throw {@link WeftException.NotFound} ("was
     * already removed by another request"). A sandbox whose namespace others share ({@code --network
     * container:NAME}) is not removed: {@link WeftException.Conflict} names the sharers. Removing a
     * sharer removes only its name of the namespace.
     */
    default void removeSandbox(String sandbox) {
        removeSandbox(sandbox, false);
    }

    /**
     * {@link #removeSandbox(String)}; with {@code force}, a sandbox whose namespace others share is
     * removed after its sharers (Docker's {@code rm --force} of a container others joined).
     *
     * @since 0.8.0
     */
    void removeSandbox(String sandbox, boolean force);

    /**
     * Waits until the namespace of a sandbox removed by {@link #removeSandbox} is deleted (its name
     * free, no longer in {@code ip netns list}); returns at once when none is pending. The kernel
     * may still be tearing down its interfaces; their addresses are reused only after that.
     */
    void awaitRemoval(String sandbox);

    /** Every sandbox; its endpoints without driver info (no driver is asked). */
    List<SandboxInfo> sandboxes();

    /**
     * One sandbox, by name, id or id prefix, inspected: each endpoint with what its driver knows of
     * it now ({@link EndpointInfo#driverInfo()}, asked of drivers with
     * {@link dev.weft.spi.EndpointOperationalInfo}; a driver that fails or takes too long is logged
     * and its endpoint shown without). For people and tools that inspect one sandbox; code on an
     * event's or a change's path uses {@link #listedSandbox}.
     */
    Optional<SandboxInfo> sandbox(String sandbox);

    /**
     * One sandbox as {@link #sandboxes()} shows it: without driver info, so no driver is asked (for a
     * {@link dev.weft.spi.ControllerListener} that needs a sandbox's settings while an operation waits
     * for it).
     *
     * @since 0.10.0
     */
    default Optional<SandboxInfo> listedSandbox(String sandbox) {
        return sandbox(sandbox).map(s -> new SandboxInfo(s.id(), s.name(), s.namespace(), s.mode(), s.created(),
                s.endpoints().stream().map(e -> e.withDriverInfo(java.util.Map.of())).toList(), s.networkMode(),
                s.sharedBy(), s.hostname(), s.dns(), s.links()));
    }

    /**
     * Connects a running sandbox to a network: allocates addresses, plumbs the interface in,
     * publishes the endpoint's ports. When its {@link EndpointSpec#gwPriority()} is higher than that
     * of the endpoint giving the sandbox its default route (per IP family), the default route moves
     * to it, if the driver of that endpoint can take its route out ({@link dev.weft.spi.DefaultRoutes});
     * otherwise the old one keeps it (logged). When the endpoint giving a default route is
     * disconnected, the next best one gets it.
     * @throws WeftException.Conflict already connected, address or host port in use
     */
    EndpointInfo connect(String network, String sandbox, EndpointSpec spec);

    /**
     * Disconnects a sandbox from a network. With {@code force}, also when the driver is unavailable
     * or its kernel state is already gone (the records and leases are dropped regardless).
     */
    void disconnect(String network, String sandbox, boolean force);

    /** Drivers registered now and drivers that networks remember. */
    List<DriverInfo> drivers();

    /**
     * IPAM drivers: the built-in {@code default} and {@code null}, those registered now, and those
     * that networks remember (not available: their networks take no new endpoints until they return).
     * @since 0.5.0
     */
    List<DriverInfo> ipamDrivers();

    /**
     * Rewrites the kernel state drivers keep in places other tools share (their firewall tables and
     * elements) from what the drivers know, after another tool flushed or changed it ({@code nft
     * flush ruleset}, a firewall reload). Calls every driver registered now that implements
     * {@link dev.weft.spi.Reapplicable}, one after the other, holding a handle on each for the
     * length of its call and no lock of the controller's, so network and sandbox requests go on
     * meanwhile. Unavailable drivers and drivers without the capability are skipped. Touches no
     * record, link, address or lease. Idempotent: reapplying an undisturbed state changes nothing.
     *
     * @return the names of the drivers that reapplied their state, in registration order (empty
     *         when none has the capability)
     * @throws WeftException.Failed when a driver failed; its message names the driver and the
     *         drivers after it were still called
     */
    List<String> reapply();

    /**
     * The network's gateway addresses that are on an interface of the host namespace and reachable
     * from its sandboxes (the bridge's addresses), IPv4 first: a service bound there in the host
     * namespace (the embedded DNS server) is reachable from every sandbox of the network. Empty when
     * the network's driver has no such gateway (the {@code HostGateway} capability) or is not
     * installed.
     *
     * @throws WeftException.NotFound when the network does not exist
     */
    List<java.net.InetAddress> hostGateways(String network);

    /**
     * The resolver files of a sandbox, by file name ({@code resolv.conf}, {@code hosts}), as Weft
     * writes them to {@code /etc/netns/NAME/} for {@code ip netns exec NAME}; for a sandbox in an
     * adopted namespace ({@code --netns}), which Weft writes nothing for, the files its owner should
     * install. Empty for a sandbox in the host's namespace.
     *
     * @throws WeftException.NotFound if there is no such sandbox
     */
    java.util.Map<String, String> resolverFiles(String sandbox);
}
