package dev.weft.driver.bridge;

import dev.weft.api.PortBinding;
import dev.weft.linux.Kernel;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * What the bridge driver needs of a firewall, per network, endpoint and published port (moby's
 * bridge {@code Firewaller} with its {@code nftabler}; netavark's {@code fwnone}). One is chosen at
 * activation from the instance's firewall mode ({@link #of}) and the driver calls it
 * unconditionally: {@link NftFirewaller} writes Weft's nf_tables tables, {@link NoFirewall}
 * touches no firewall at all and refuses published ports.
 *
 * <p>Threads: calls for different networks and endpoints run concurrently; the driver never calls
 * two methods for one endpoint at once (the controller's guarantee).
 */
interface Firewaller {

    /** The firewaller of {@code context}'s firewall mode. */
    static Firewaller of(DriverContext context, Kernel kernel, HostSetup hostSetup, FlowReaper reaper) {
        return switch (context.firewallMode()) {
            case NFTABLES -> new NftFirewaller(kernel, context, hostSetup, reaper);
            case NONE -> new NoFirewall();
        };
    }

    /**
     * Puts a network's rules in force, with what the host needs for them. Idempotent: called again
     * for a network that exists (restore, an adopted bridge), it changes nothing that is right.
     * When it throws, the network's rules may be partly written: the caller then calls
     * {@link #removeNetwork}.
     */
    void addNetwork(String networkId, FirewallScript.Net net);

    /**
     * Removes a network's rules (and elements into its subnets that no endpoint explains). Keeps
     * going past a failed step and throws once naming every failure; a network it does not know is
     * no error.
     */
    void removeNetwork(String networkId);

    /**
     * An endpoint is attached to its bridge (joined, or found attached at restore) through the
     * host-side veth {@code hostEnd}: on a network with ICC off ({@code icc} false) it is isolated
     * from the network's other endpoints.
     */
    void addEndpoint(EndpointConfig endpoint, String hostEnd, boolean icc);

    /**
     * An endpoint leaves: everything held for it is removed (its ICC member computed afresh, not
     * only from memory: after a restart an endpoint may leave before restore filled the memory), and
     * the connection-tracking entries of its addresses are deleted in the background. Keeps going
     * past a failed step and throws once naming every failure.
     */
    void removeEndpoint(EndpointConfig endpoint, String hostEnd, boolean icc);

    /**
     * Makes {@code ports} reach the endpoint as the network's gateway modes say (DNAT from the host
     * ports in NAT modes; the sandbox's own port opened in routed mode and for trusted interfaces),
     * in one batch (all or nothing), and the stale flows of its UDP and SCTP ports deleted. A binding without a host address goes to every host address
     * ({@code defaultHost} when the network has one). Refuses with
     * {@link dev.weft.api.WeftException.InvalidRequest}, naming {@code network} and what would work,
     * when it cannot publish at all.
     */
    void publish(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports, InetAddress defaultHost);

    /**
     * Puts the DNAT of bindings recorded before a restart back in force, as {@link #publish} does;
     * a firewall that cannot publish does nothing here (the records come from a run in another
     * mode), it does not refuse.
     */
    void restorePorts(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports, InetAddress defaultHost);

    /**
     * Undoes {@link #publish}: the elements in one batch (absent ones are no error), the flows of the
     * ports in the background.
     */
    void unpublish(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports, InetAddress defaultHost);

    /**
     * Removes what is in the kernel but no endpoint explains (a crash between an element batch and
     * its record): port mappings into {@code subnets}, and ICC members of host-side veths not in
     * {@code liveHostEnds}. Returns one line per removed thing, for the log.
     */
    List<String> sweep(List<IpPrefix> subnets, Set<String> liveHostEnds);

    /** Rewrites everything from the driver's own knowledge ({@code network:reapply}); idempotent. */
    void reapply();

    /** The nft script for the networks known now (golden documents); empty when it writes none. */
    String script();
}
