package dev.weft.driver.macvlan;

import dev.weft.api.Failures;
import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.MacvlanMode;
import dev.weft.linux.Rtnetlink;
import dev.weft.net.IpAddresses;
import dev.weft.net.MacAddress;
import dev.weft.spi.DefaultRoutes;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.GatewayAddress;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.Restorable;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code macvlan} driver: Docker's macvlan networks. A network is a parent interface of the
 * host namespace ({@code -o parent=IFACE}, or {@code IFACE.VLAN} for an 802.1Q sub-interface,
 * {@link Parents}) and a mode ({@code -o macvlan_mode}); an endpoint is a macvlan link of that
 * parent born directly inside the sandbox under its final name ({@code IFLA_LINK} = the parent's
 * index in the host namespace, {@code IFLA_NET_NS_FD} = the sandbox: it never appears on the host),
 * with the user's MAC or a random locally administered one (Docker 28+), the network's MTU, the
 * user's sysctls, and its addresses announced when it comes up (gratuitous ARP, unsolicited
 * neighbour advertisement). The sandboxes are on the parent's LAN with their own addresses: no
 * veth, no bridge, no NAT, no firewall rules, no published ports (the driver has no
 * {@code ExternalConnectivity}, so core refuses {@code -p}).
 *
 * <p>As in Docker 29, a network has a gateway of a family only when {@code --gateway} names one (a
 * router on the parent's LAN, never the host: {@link GatewayAddress#IF_GIVEN}), and its endpoints
 * a default route only through it.
 *
 * <p>Ownership: a sandbox's link carries the alias {@code weft:<instance>:<network id>/<endpoint id>};
 * a VLAN sub-interface Weft made carries {@code weft:<instance>:parent/<name>}. The parent itself
 * is never changed. Deactivation frees nothing in the kernel.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + MacvlanDriver.NAME)
public final class MacvlanDriver implements NetworkDriver<MacvlanOptions>, Restorable<MacvlanOptions>,
        DefaultRoutes<MacvlanOptions> {
    public static final String NAME = "macvlan";
    /** The key of {@link #remarks} about name resolution. */
    public static final String REMARK_NAME_RESOLUTION = "NameResolution";
    /** The key of {@link #remarks} about the host reaching the sandboxes. */
    public static final String REMARK_HOST_ACCESS = "HostAccess";
    private static final Logger LOG = Logger.getLogger(MacvlanDriver.class.getName());

    private final DriverContext context;
    private final Kernel kernel;
    private final Parents parents;
    /** For each parent in passthru use, the endpoint whose link has it (one at most, as the kernel allows). */
    private final Map<String, String> passthruHolders = new ConcurrentHashMap<>();

    @Activate
    public MacvlanDriver(@Reference DriverContext context, @Reference Kernel kernel) {
        this.context = context;
        this.kernel = kernel;
        this.parents = new Parents(kernel, context);
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    /** A gateway only when {@code --gateway} gives one: a router on the parent's LAN (Docker 29). */
    @Override
    public GatewayAddress gatewayAddress(MacvlanOptions options, boolean ipv6) {
        return GatewayAddress.IF_GIVEN;
    }

    @Override
    public MacvlanOptions parseOptions(Map<String, String> options) {
        return MacvlanOptions.parse(options);
    }

    /**
     * The parent exists (or the interface under its VLAN does), is not the loopback, has an MTU at
     * least the network's, and is not shared with a passthru network; the MTU fits IPv6.
     */
    @Override
    public void validate(NetworkConfig network, MacvlanOptions options) {
        if (network.ipv6() && options.mtu() != 0 && options.mtu() < MacvlanOptions.MIN_IPV6_MTU) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": " + MacvlanOptions.MTU + "="
                    + options.mtu() + " is too small for IPv6: use at least " + MacvlanOptions.MIN_IPV6_MTU
                    + " or drop --ipv6");
        }
        parents.check(network, options);
    }

    /** Checks the parent again (it may have gone since validate) and makes its VLAN sub-interface if asked. */
    @Override
    public void createNetwork(NetworkConfig network, MacvlanOptions options) {
        parents.check(network, options);
        parents.acquire(network, options);
        LOG.info("network " + network.name() + ": macvlan on " + options.parent() + ", mode "
                + Parents.name(options.mode()));
    }

    /** Forgets the parent; deletes the VLAN sub-interface if Weft made it and no other network uses it. */
    @Override
    public void deleteNetwork(NetworkConfig network, MacvlanOptions options) {
        parents.release(network, options);
        passthruHolders.remove(options.parent());
    }

    /**
     * What {@code network:inspect} says of every macvlan network, because people are surprised by
     * it: the host does not reach its own macvlan children, and no names are served there.
     */
    @Override
    public Map<String, String> remarks(NetworkConfig network, MacvlanOptions options) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(REMARK_HOST_ACCESS, "The host cannot reach the sandboxes of this network through " + options.parent()
                + ", nor they the host at its addresses on " + options.parent() + ": the kernel does not pass frames "
                + "between a parent and its macvlan links. Other machines on the LAN reach them. For the host to "
                + "reach them, give it a macvlan link of its own on the same parent in bridge mode, e.g. `ip link add "
                + "mv-host link " + options.parent() + " type macvlan mode bridge`, an address of the subnet on it, "
                + "and routes to the sandboxes' addresses through it.");
        out.put(REMARK_NAME_RESOLUTION, "Names are not served on this network: sandboxes resolve with the host's "
                + "resolvers (resolv.conf), not each other's names, since the host, where names would be answered, "
                + "cannot reach them.");
        return out;
    }

    @Override
    public JoinInfo join(NetworkConfig network, MacvlanOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        boolean passthru = options.mode() == MacvlanMode.PASSTHRU;
        if (passthru) {
            String holder = passthruHolders.putIfAbsent(options.parent(), endpoint.id());
            if (holder != null && !holder.equals(endpoint.id())) {
                throw new WeftException.Conflict("network \"" + network.name() + "\": parent \"" + options.parent()
                        + "\" is in passthru mode and has its one macvlan link already (endpoint "
                        + holder.substring(0, 12) + "); passthru gives a parent to one sandbox alone: disconnect that "
                        + "one first, or use a network in bridge, private or vepa mode");
            }
        }
        try {
            return plumb(network, options, endpoint, sandbox);
        } catch (RuntimeException e) {
            if (passthru) {
                passthruHolders.remove(options.parent(), endpoint.id());
            }
            throw e;
        }
    }

    private JoinInfo plumb(NetworkConfig network, MacvlanOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        Rtnetlink host = kernel.host();
        Link parent = host.link(options.parent()).orElseThrow(() -> new WeftException.Failed("network \""
                + network.name() + "\": its parent interface \"" + options.parent() + "\" is gone from the host "
                + "namespace " + kernel.hostNamespace().path() + "; bring it back, or remove the network", null));
        LinkSpec spec = LinkSpec.macvlan(endpoint.interfaceName(), parent.index(), options.mode()).in(sandbox.namespace());
        MacAddress mac = mac(network, options, endpoint, parent);
        if (mac != null) {
            spec.mac(mac);
        }
        if (options.mtu() != 0) {
            spec.mtu(options.mtu());
        }
        try {
            host.createLink(spec);
        } catch (KernelException e) {
            throw refused(network, options, endpoint, sandbox, e);
        }
        try {
            boolean routeOut = !network.internal() && givesDefaultRoutes(options);
            MacAddress actual = kernel.inNamespace(sandbox.namespace(), SandboxLink.sysctls(endpoint),
                    rt -> SandboxLink.configure(rt, endpoint, mark(network, endpoint), routeOut));
            LOG.fine("network " + network.name() + ": " + endpoint.interfaceName() + " of sandbox " + sandbox.name()
                    + " on " + options.parent() + " (" + actual + ")");
            return new JoinInfo(endpoint.interfaceName(), actual);
        } catch (RuntimeException e) {
            try {
                removeLink(network, endpoint, sandbox);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * The user's or the recorded MAC, else a random locally administered one. In passthru mode the
     * link takes the parent's MAC (setting another would change the parent's): none is given, and a
     * MAC other than the parent's is refused.
     */
    private static MacAddress mac(NetworkConfig network, MacvlanOptions options, EndpointConfig endpoint, Link parent) {
        if (options.mode() != MacvlanMode.PASSTHRU) {
            return endpoint.mac() != null ? endpoint.mac() : MacAddress.randomLocal();
        }
        if (endpoint.mac() != null && !endpoint.mac().equals(parent.mac())) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\" is in passthru mode: its "
                    + "sandbox's interface takes the MAC of parent \"" + options.parent() + "\" (" + parent.mac()
                    + "), so --mac-address " + endpoint.mac() + " cannot be given; drop it, or use another "
                    + MacvlanOptions.MODE);
        }
        return null;
    }

    /** The kernel refused the link (nothing was made): says why in the user's terms. */
    private RuntimeException refused(NetworkConfig network, MacvlanOptions options, EndpointConfig endpoint,
                                     SandboxConfig sandbox, KernelException e) {
        RuntimeException named;
        if (e.isExists()) {
            named = new WeftException.Conflict("sandbox \"" + sandbox.name() + "\": its namespace "
                    + sandbox.namespace().path() + " already has an interface named \"" + endpoint.interfaceName()
                    + "\"; choose another name with --driver-opt com.docker.network.endpoint.ifname=NAME, or remove "
                    + "that interface first");
        } else if (e.errno() == 22 || e.errno() == 16) { // EINVAL, EBUSY
            named = new WeftException.Conflict("network \"" + network.name() + "\": the kernel refused a macvlan link "
                    + "in mode " + Parents.name(options.mode()) + " on parent \"" + options.parent() + "\" ("
                    + e.getMessage() + "); a parent in passthru use takes no other macvlan link, and passthru needs a "
                    + "parent without any: remove the other macvlan links of " + options.parent()
                    + " (also ones made outside Weft), or choose another parent or mode");
        } else {
            return e;
        }
        named.initCause(e);
        return named;
    }

    /**
     * Deletes the link inside the sandbox, also when the sandbox is being removed: the namespace
     * takes the link with it, but something else may keep the namespace alive, and the link would
     * answer for the endpoint's addresses on the LAN meanwhile. Nothing to do when the namespace
     * or the link is gone already.
     */
    @Override
    public void leave(NetworkConfig network, MacvlanOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        Failures failures = new Failures();
        if (sandbox.removing() && options.mode() != MacvlanMode.PASSTHRU) {
            failures.run(() -> unaddress(network, endpoint, sandbox));
        } else {
            failures.run(() -> removeLink(network, endpoint, sandbox));
        }
        passthruHolders.remove(options.parent(), endpoint.id());
        failures.throwIfAny("endpoint " + endpoint.shortId() + " on network \"" + network.name() + "\": leave failed");
    }

    /**
     * Leave of a sandbox being removed: its namespace takes the link with it, in the reaper's group
     * and off the user's path (deleting a macvlan link here cost ~20 ms of the kernel's grace
     * periods, against under 1 ms for the bridge's whole removal). Only the addresses go now, in one
     * batch, so that the link answers for none of them even if something else keeps the namespace
     * alive: the addresses are free for IPAM at once, and a link left behind in such a namespace is
     * a MAC without an address. A passthru link is deleted at once all the same (its parent takes
     * no other until it goes). An address already gone (or any failure here) falls back to deleting
     * the link.
     */
    private void unaddress(NetworkConfig network, EndpointConfig endpoint, SandboxConfig sandbox) {
        if (!sandbox.namespace().stillThere()) {
            return;
        }
        String mark = mark(network, endpoint);
        try {
            kernel.inNamespace(sandbox.namespace(), rt -> rt.dropAddresses(endpoint.interfaceName(), mark,
                    endpoint.ipv4(), endpoint.ipv6()));
        } catch (KernelException e) {
            removeLink(network, endpoint, sandbox);
        }
    }

    private void removeLink(NetworkConfig network, EndpointConfig endpoint, SandboxConfig sandbox) {
        if (!sandbox.namespace().stillThere()) {
            return;
        }
        String mark = mark(network, endpoint);
        try {
            kernel.inNamespace(sandbox.namespace(), rt -> {
                // ours: marked, or not marked yet (a join that failed before setting the alias)
                rt.link(endpoint.interfaceName()).filter(l -> "macvlan".equals(l.kind())
                                && (l.alias() == null || mark.equals(l.alias())))
                        .ifPresent(l -> rt.batch().deleteLink(l.index()).send());
                return null;
            });
        } catch (KernelException e) {
            if (!e.isNotFound() && sandbox.namespace().stillThere()) {
                throw e;
            }
        }
    }

    /** Adds or deletes {@code default via GATEWAY dev IF} in the sandbox as the endpoint's flags say. */
    @Override
    public void setDefaultRoutes(NetworkConfig network, MacvlanOptions options, EndpointConfig endpoint,
                                 SandboxConfig sandbox) {
        try {
            kernel.inNamespace(sandbox.namespace(), rt -> {
                SandboxLink.setDefaultRoutes(rt, endpoint, sandbox.name(), !network.internal());
                return null;
            });
        } catch (KernelException e) {
            throw new WeftException.Failed("endpoint " + endpoint.shortId() + " of sandbox " + sandbox.name()
                    + " on network \"" + network.name() + "\": could not set its default routes (IPv4 "
                    + (endpoint.defaultRoute4() ? "via " + IpAddresses.format(endpoint.gateway4()) : "none") + ", IPv6 "
                    + (endpoint.defaultRoute6() ? "via " + IpAddresses.format(endpoint.gateway6()) : "none") + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Re-adopts the network: its parent's use (a VLAN sub-interface Weft made is made again if
     * gone), each endpoint's link kept when its sandbox has it, made again when the sandbox is
     * there without it. Idempotent; one log line per thing fixed.
     */
    @Override
    public void restore(NetworkConfig network, MacvlanOptions options, List<RestoredEndpoint> endpoints) {
        parents.adopt(network, options);
        for (RestoredEndpoint r : endpoints) {
            EndpointConfig e = r.endpoint();
            SandboxConfig s = r.sandbox();
            if (!s.namespace().stillThere()) {
                LOG.warning("network " + network.name() + ": sandbox " + s.name() + " has lost its namespace "
                        + s.namespace().path() + "; nothing to plumb into");
                continue;
            }
            String mark = mark(network, e);
            var link = kernel.inNamespace(s.namespace(), rt -> rt.link(e.interfaceName()));
            if (link.isPresent() && mark.equals(link.get().alias())) {
                if (options.mode() == MacvlanMode.PASSTHRU) {
                    passthruHolders.put(options.parent(), e.id());
                }
                continue;
            }
            if (link.isPresent()) {
                LOG.warning("network " + network.name() + ": sandbox " + s.name() + " has an interface "
                        + e.interfaceName() + " that is not this endpoint's macvlan link; left it alone");
                continue;
            }
            join(network, options, e, s);
            LOG.info("network " + network.name() + ": the macvlan link of sandbox " + s.name()
                    + " was missing; made it again");
        }
    }

    /** {@code weft:<instance>:<network id>/<endpoint id>}. */
    private String mark(NetworkConfig network, EndpointConfig endpoint) {
        return context.ownershipMark(network.id() + "/" + endpoint.id());
    }
}
