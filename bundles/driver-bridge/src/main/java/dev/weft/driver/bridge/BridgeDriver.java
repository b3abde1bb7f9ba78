package dev.weft.driver.bridge;

import dev.weft.api.Failures;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortBinding;
import dev.weft.api.SubnetInfo;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.Rtnetlink;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.spi.DefaultRoutes;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.ExternalConnectivity;
import dev.weft.spi.HostGateway;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.PortMapper;
import dev.weft.spi.PredefinedNetworks;
import dev.weft.spi.Reapplicable;
import dev.weft.spi.Restorable;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code bridge} driver: Docker's bridge mode. Each network is a Linux bridge in the
 * instance's host namespace ({@code br-<first 12 of the id>}, or {@link BridgeOptions#BRIDGE_NAME}),
 * carrying the gateway addresses and a random MAC of its own (so it does not take its ports' as
 * they come and go); each endpoint a veth pair whose sandbox end is born inside the
 * sandbox under its final name (or the one the user gave), with the user's MAC or a random locally
 * administered one (Docker 28; recorded, so a restore keeps it), the user's per-interface sysctls and
 * the network's MTU on both ends, and announces its addresses (gratuitous ARP, unsolicited neighbour
 * advertisement) once it carries traffic; the host end ({@code <linkPrefix>v<first 10 of the endpoint id>})
 * is a hairpin port of the bridge. NAT, published ports and isolation are its {@link Firewaller}'s
 * (Weft's nf_tables tables, or nothing when the instance's firewall mode is {@code none}); what NAT
 * cannot reach ({@code [::1]}) is core's relay's ({@link PortMapper#RELAY}).
 *
 * <p>Ownership: bridges and veths this driver creates carry the alias
 * {@code weft:<instance>:<network id>} (veths {@code …:<network id>/<endpoint id>}). A bridge that
 * existed before (a user may name one) is used but never deleted.
 *
 * <p>Deactivation frees JVM resources only (it finishes queued veth deletes): kernel state stays.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + BridgeDriver.NAME)
public final class BridgeDriver implements NetworkDriver<BridgeOptions>, ExternalConnectivity<BridgeOptions>,
        Restorable<BridgeOptions>, Reapplicable, PredefinedNetworks, HostGateway<BridgeOptions>,
        DefaultRoutes<BridgeOptions> {
    public static final String NAME = "bridge";
    /** The predefined network this driver declares (Docker's {@code bridge}, on {@link #DEFAULT_BRIDGE}). */
    public static final String DEFAULT_NETWORK = "bridge";
    /** The Linux bridge of the predefined network (Docker's is {@code docker0}). */
    public static final String DEFAULT_BRIDGE = "weft0";
    /**
     * The instance setting (etc/dev.weft.cfg) with the predefined network's subnet: empty or unset
     * for a free one from the default pools, {@code none} for no predefined bridge network.
     */
    public static final String DEFAULT_SUBNET_SETTING = "defaultBridgeSubnet";
    private static final Logger LOG = Logger.getLogger(BridgeDriver.class.getName());

    private final DriverContext context;
    private final Kernel kernel;
    private final HostSetup hostSetup;
    private final Firewaller firewall;
    private final VethDeleter deleter;
    private final FlowReaper reaper;
    /** Gratuitous ARP and unsolicited neighbour advertisements after joins, off the user's path. */
    private final Announcer announcer;
    /** Core's relay: published ports at {@code [::1]} and host IPv6 addresses, which NAT cannot reach. */
    private final PortMapper relay;
    /** The bridge of every network created or restored since activation, by network id. */
    private final Map<String, String> bridges = new ConcurrentHashMap<>();
    /** MTU per network id, known from create or restore (read from the bridge otherwise). */
    private final Map<String, Integer> mtus = new ConcurrentHashMap<>();
    /**
     * The bridge's index per network id, so that a join names its master by index: looking the
     * bridge up by name makes the kernel first process the bridge's pending carrier change, which
     * waits for an RCU grace period when its last port went away.
     */
    private final Map<String, Integer> bridgeIndexes = new ConcurrentHashMap<>();

    /**
     * DS injects the runtime's context and its kernel layer (both from core, for one instance); the
     * driver is registered only while core offers them.
     */
    @Activate
    public BridgeDriver(@Reference DriverContext context, @Reference Kernel kernel) {
        this.context = context;
        this.kernel = kernel;
        this.hostSetup = new HostSetup(kernel);
        this.deleter = new VethDeleter(kernel.host(), context);
        this.reaper = new FlowReaper(kernel.conntrack(), context);
        this.announcer = new Announcer(kernel, context);
        this.firewall = Firewaller.of(context, kernel, hostSetup, reaper);
        this.relay = context.portMapper(PortMapper.RELAY).orElseThrow(() -> new IllegalStateException(
                "the runtime offers no port mapper \"" + PortMapper.RELAY + "\": the bridge driver needs it for ports at [::1]"));
    }

    /** Frees JVM resources only; finishes queued veth deletes. */
    @Deactivate
    public void close() {
        deleter.close();
        reaper.close();
        announcer.close();
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    /**
     * The predefined network {@code bridge} on {@code weft0}, joined by sandboxes created without
     * {@code --network}; its subnet from {@link #DEFAULT_SUBNET_SETTING}, none when that says
     * {@code none}.
     */
    @Override
    public List<Predefined> predefinedNetworks() {
        String subnet = context.setting(DEFAULT_SUBNET_SETTING).map(String::trim).orElse("");
        if (subnet.equalsIgnoreCase("none")) {
            return List.of();
        }
        List<SubnetSpec> subnets;
        try {
            subnets = subnet.isEmpty() ? List.of() : List.of(SubnetSpec.of(IpPrefix.parse(subnet)));
        } catch (IllegalArgumentException e) {
            throw new WeftException.InvalidRequest(DEFAULT_SUBNET_SETTING + " = " + subnet + " is not a subnet: give one "
                    + "like 172.17.0.0/16, leave it empty for a free one, or none for no bridge network (" + e.getMessage() + ")");
        }
        return List.of(new Predefined(new NetworkSpec(DEFAULT_NETWORK, NAME, subnets, false, false,
                Map.of(BridgeOptions.BRIDGE_NAME, DEFAULT_BRIDGE), Map.of()), true));
    }

    /** No gateway (no host address on the bridge) for a family in {@code isolated} gateway mode. */
    @Override
    public boolean needsGateway(BridgeOptions options, boolean ipv6) {
        return options.hasGateway(ipv6);
    }

    @Override
    public BridgeOptions parseOptions(Map<String, String> options) {
        return BridgeOptions.parse(options);
    }

    @Override
    public void validate(NetworkConfig network, BridgeOptions options) {
        if (network.withoutAddresses()) {
            // Docker then makes a bridge without a gateway and endpoints with IPv6 link-local
            // addresses only. Here an endpoint without IPv6 gets IPv6 disabled (no link-local), and
            // NAT, published ports and isolation are written per subnet: such a network would carry
            // nothing. Refused until the bridge learns to do what Docker does.
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": the bridge driver needs "
                    + "addresses and IPAM driver \"" + IpamDriver.NULL + "\" gives none (a bridge without subnets, "
                    + "its endpoints with link-local addresses only, is not supported yet); omit --ipam-driver for "
                    + "the default one, or choose another");
        }
        ModeRules.check(network, options, () -> kernel.host().addresses().stream().map(a -> a.address().address())
                .toList());
        int mtu = options.mtu();
        if (network.ipv6() && mtu != 0 && mtu < BridgeOptions.MIN_IPV6_MTU) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": " + BridgeOptions.MTU + "=" + mtu
                    + " is too small for IPv6: use at least " + BridgeOptions.MIN_IPV6_MTU + " or drop --ipv6");
        }
        checkStaticRoutes(network, options, false);
        if (options.routing().vrf() != null) {
            VrfEnslaving.require(kernel.host(), kernel.hostNamespace().toString(), network, options.routing().vrf());
        }
        String bridge = bridgeName(network, options);
        bridges.forEach((id, used) -> {
            if (used.equals(bridge) && !id.equals(network.id())) {
                throw new WeftException.Conflict("network \"" + network.name() + "\": bridge \"" + bridge
                        + "\" is already used by network " + id.substring(0, 12) + "; choose another " + BridgeOptions.BRIDGE_NAME);
            }
        });
        kernel.host().link(bridge).ifPresent(l -> {
            if (!"bridge".equals(l.kind())) {
                throw new WeftException.Conflict("network \"" + network.name() + "\": a link named \"" + bridge
                        + "\" exists in the host namespace and is a " + (l.kind() == null ? "device" : l.kind())
                        + ", not a bridge; choose another " + BridgeOptions.BRIDGE_NAME);
            }
            if (isOwn(l, network)) {
                return;
            }
            if (l.alias() != null && l.alias().startsWith(context.ownershipMark(""))) {
                throw new WeftException.Conflict("network \"" + network.name() + "\": bridge \"" + bridge
                        + "\" belongs to another Weft network (" + l.alias() + "); choose another " + BridgeOptions.BRIDGE_NAME);
            }
        });
    }

    /** False with {@code no_default_route=true} (netavark's): another network gives the default route. */
    @Override
    public boolean givesDefaultRoutes(BridgeOptions options) {
        return !options.routing().noDefaultRoute();
    }

    /**
     * Refuses a static route ({@code -o route}) a sandbox could not use: an IPv6 one on a network
     * without IPv6, or one whose gateway lies in none of the network's subnets of its family. In
     * {@link #validate} ({@code allocated} false) the subnets are only those the user gave, so a
     * family without one is checked in {@link #createNetwork}, before any change, once IPAM has
     * chosen them ({@code allocated} true).
     */
    private static void checkStaticRoutes(NetworkConfig network, BridgeOptions options, boolean allocated) {
        for (StaticRoute r : options.routing().routes()) {
            boolean v4 = r.destination().isIpv4();
            if (!v4 && !network.ipv6()) {
                throw new WeftException.InvalidRequest("network \"" + network.name() + "\": option "
                        + RoutingOptions.ROUTE + "=\"" + r + "\" is not valid: it is an IPv6 route and the network has "
                        + "no IPv6; add --ipv6 or drop the route");
            }
            List<IpPrefix> family = network.subnets().stream().map(SubnetInfo::subnet).filter(p -> p.isIpv4() == v4)
                    .toList();
            if ((allocated || !family.isEmpty()) && family.stream().noneMatch(p -> p.contains(r.gateway()))) {
                throw new WeftException.InvalidRequest("network \"" + network.name() + "\": option "
                        + RoutingOptions.ROUTE + "=\"" + r + "\" is not valid: its gateway "
                        + IpAddresses.format(r.gateway()) + " is in none of the network's " + (v4 ? "IPv4" : "IPv6")
                        + " subnets " + family + "; expected a gateway inside one of them, which the sandboxes reach "
                        + "on this network");
            }
        }
    }

    /**
     * Makes the bridge (or adopts an existing one), with its gateways, up, and the network's
     * firewall structure. With {@code vrf=NAME} the bridge is enslaved to that VRF (looked up
     * before any change; never exercised on a kernel without VRF support, see {@link VrfEnslaving}).
     * Static routes are checked against the allocated subnets before any change.
     */
    @Override
    public void createNetwork(NetworkConfig network, BridgeOptions options) {
        Rtnetlink host = kernel.host();
        checkStaticRoutes(network, options, true);
        Link vrf = options.routing().vrf() == null ? null
                : VrfEnslaving.require(host, kernel.hostNamespace().toString(), network, options.routing().vrf());
        String bridge = bridgeName(network, options);
        boolean created = false;
        var existing = host.link(bridge);
        // an existing bridge (restore, or a user's) keeps its MTU unless the network sets one
        int mtu = existing.isPresent() && options.mtu() == 0 ? existing.get().mtu() : effectiveMtu(options);
        if (existing.isEmpty()) {
            try {
                // born down: IPv6 duplicate address detection must be off before its link-local address appears.
                // A MAC of its own (the kernel then marks it as set): without one the bridge takes the
                // lowest MAC of its ports and changes it as veths come and go, and a sandbox's neighbour
                // entry for the gateway points nowhere until it expires.
                host.createLink(LinkSpec.bridge(bridge).mtu(mtu).mac(MacAddress.randomLocal())
                        .alias(context.ownershipMark(network.id())));
                created = true;
            } catch (KernelException e) {
                if (!e.isExists()) { // the alias is set after the bridge is made: that step may be what failed
                    host.deleteLinkIfExists(bridge);
                }
                throw e;
            }
        }
        try {
            if (existing.isPresent() && isOwn(existing.get(), network)) {
                LinkPlumbing.pinBridgeMac(host, existing.get(), network.name()); // made before bridges got a MAC of their own
            }
            if (network.ipv6()) {
                hostSetup.noDuplicateAddressDetection(bridge);
            }
            if (vrf != null) {
                VrfEnslaving.enslave(host, host.link(bridge).orElseThrow(), vrf, network.name());
            }
            if (created || !existing.get().isUp()) {
                LinkChange up = LinkChange.of(bridge).up();
                if (network.subnets().stream().allMatch(s -> s.gateway() == null)) {
                    up.noIpv6LinkLocal(); // isolated: the host has no address on the bridge at all, not even fe80::
                }
                host.setLink(up);
            }
            LinkPlumbing.addGateways(host, host.index(bridge), network);
            mtus.put(network.id(), mtu);
            bridges.put(network.id(), bridge);
            if (!network.internal()) {
                hostSetup.enableIpv4Forwarding();
                if (network.ipv6()) {
                    hostSetup.enableIpv6Forwarding();
                }
            }
            firewall.addNetwork(network.id(), net(network, options));
        } catch (RuntimeException e) {
            bridges.remove(network.id());
            mtus.remove(network.id());
            if (created) {
                host.deleteLinkIfExists(bridge);
            } else {
                LinkPlumbing.removeGateways(host, bridge, network);
                if (vrf != null && existing.get().master() != vrf.index()) {
                    VrfEnslaving.release(host, bridge, vrf.name());
                }
            }
            try {
                firewall.removeNetwork(network.id());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        LOG.info("network " + network.name() + ": " + (created ? "created" : "uses existing") + " bridge " + bridge
                + " (mtu " + mtu + ")");
    }

    @Override
    public void deleteNetwork(NetworkConfig network, BridgeOptions options) {
        Rtnetlink host = kernel.host();
        String bridge = bridgeName(network, options);
        Failures failures = new Failures();
        failures.run(() -> firewall.removeNetwork(network.id()));
        var link = host.link(bridge);
        if (link.isPresent()) {
            if (isOwn(link.get(), network)) {
                failures.run(() -> host.deleteLinkIfExists(bridge));
            } else {
                failures.run(() -> LinkPlumbing.removeGateways(host, bridge, network));
                if (options.routing().vrf() != null) {
                    failures.run(() -> VrfEnslaving.release(host, bridge, options.routing().vrf()));
                }
                LOG.info("network " + network.name() + ": left bridge " + bridge + " in place (Weft did not create it)");
            }
        }
        mtus.remove(network.id());
        bridges.remove(network.id());
        bridgeIndexes.remove(network.id());
        failures.throwIfAny("network \"" + network.name() + "\": could not remove everything");
        LOG.info("network " + network.name() + ": deleted bridge " + bridge);
    }

    @Override
    public JoinInfo join(NetworkConfig network, BridgeOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        Rtnetlink host = kernel.host();
        String hostEnd = hostEndName(endpoint);
        deleter.awaitGone(hostEnd); // a reconnect of the same endpoint id: its old veth must be gone first
        String bridge = bridgeName(network, options);
        int mtu = mtu(network, options, bridge);
        // the user's, or the one recorded (restore); else a random one, as Docker 28 does: an address
        // reused by a new endpoint then comes with a new MAC, which the join announces
        MacAddress mac = endpoint.mac() != null ? endpoint.mac() : MacAddress.randomLocal();
        try {
            createVeth(host, vethSpec(network, endpoint, sandbox, hostEnd, mtu, mac,
                    bridgeIndexes.computeIfAbsent(network.id(), id -> host.index(bridge))), hostEnd);
        } catch (KernelException e) {
            if (e.isNotFound() && bridgeIndexes.remove(network.id()) != null) {
                // the bridge was made again under another index (by someone else): look it up anew once
                createVeth(host, vethSpec(network, endpoint, sandbox, hostEnd, mtu, mac,
                        bridgeIndexes.computeIfAbsent(network.id(), id -> host.index(bridge))), hostEnd);
            } else {
                if (!e.isExists()) { // not someone else's link: ours, if a step after creation failed
                    host.deleteLinkIfExists(hostEnd);
                    throw e;
                }
                throw nameTaken(host, hostEnd, endpoint, sandbox, e);
            }
        }
        try {
            boolean routeOut = !network.internal() && givesDefaultRoutes(options);
            Map<String, String> sysctls = LinkPlumbing.sandboxSysctls(endpoint);
            MacAddress actual = kernel.inNamespace(sandbox.namespace(), sysctls,
                    rt -> LinkPlumbing.configureSandboxEnd(rt, endpoint, routeOut, mac, options.routing()));
            firewall.addEndpoint(endpoint, hostEnd, options.icc());
            if (announcer.recentlyReleased(network.id(), address(endpoint.ipv4()), address(endpoint.ipv6()))) {
                announcer.submit(sandbox.namespace(), endpoint.interfaceName(), actual, hostEnd,
                        LinkPlumbing.announceSysctls(endpoint));
            }
            return new JoinInfo(endpoint.interfaceName(), actual);
        } catch (RuntimeException e) {
            host.deleteLinkIfExists(hostEnd); // takes the sandbox end with it
            throw e;
        }
    }

    /**
     * The veth pair could not be made because one of its names is taken (the kernel made neither
     * end, so nothing changed): names the interface that exists and where. The usual case is an
     * adopted namespace ({@code --netns}) that already has an {@code eth0}. Looked up only on this
     * failure path: a check before every join would cost a trip into the namespace and could still
     * be overtaken by whoever else uses it.
     */
    private RuntimeException nameTaken(Rtnetlink host, String hostEnd, EndpointConfig endpoint, SandboxConfig sandbox,
                                       KernelException e) {
        RuntimeException named = null;
        if (host.link(hostEnd).isPresent()) {
            named = new WeftException.Conflict("endpoint " + endpoint.shortId() + ": a link named \"" + hostEnd
                    + "\" already exists in the host namespace " + kernel.hostNamespace()
                    + "; it is not this endpoint's veth: remove it, or restart Weft so that reconcile does");
        } else if (kernel.inNamespace(sandbox.namespace(), rt -> rt.link(endpoint.interfaceName()).isPresent())) {
            named = new WeftException.Conflict("sandbox \"" + sandbox.name() + "\": its namespace "
                    + sandbox.namespace().path() + " already has an interface named \"" + endpoint.interfaceName()
                    + "\"; Weft names a sandbox's interfaces eth0, eth1, ... in the order it joins networks unless "
                    + "--driver-opt com.docker.network.endpoint.ifname=NAME names one: choose another name, or remove or "
                    + "rename \"" + endpoint.interfaceName() + "\" in that namespace first");
        }
        if (named == null) {
            return e; // gone again meanwhile: the kernel's words are all there is
        }
        named.initCause(e);
        return named;
    }

    private LinkSpec vethSpec(NetworkConfig network, EndpointConfig endpoint, SandboxConfig sandbox, String hostEnd,
                              int mtu, MacAddress mac, int bridgeIndex) {
        // born down: createVeth brings it up once it is told to make no IPv6 link-local address
        LinkSpec spec = LinkSpec.veth(hostEnd, endpoint.interfaceName(), sandbox.namespace()).mtu(mtu).master(bridgeIndex)
                .alias(context.ownershipMark(network.id() + "/" + endpoint.id()));
        spec.peer().mtu(mtu);
        if (mac != null) {
            spec.peer().mac(mac);
        }
        return spec;
    }

    /**
     * Creates the veth pair and brings the host end up as a hairpin bridge port without an IPv6
     * link-local address (it carries no IP; its duplicate address detection and router
     * solicitation would be flooded to every sandbox on the bridge), in one send. A veth this
     * sandbox left before may still hold the sandbox-side name (its delete waits in
     * {@link VethDeleter}): then the queued deletes are done now and the creation is tried once more.
     */
    private void createVeth(Rtnetlink host, LinkSpec spec, String hostEnd) {
        LinkChange port = LinkChange.of(hostEnd).noIpv6LinkLocal().up().hairpin(true);
        try {
            host.batch().createLink(spec).setLink(port).send();
        } catch (KernelException e) {
            if (!e.isExists() || !deleter.hasPending()) {
                throw e;
            }
            deleter.drain();
            host.batch().createLink(spec).setLink(port).send();
        }
    }

    /**
     * Detaches the host end at once (no master, down: ~0.2 ms on a quiet machine, one or two RCU
     * grace periods on a busy one), so the endpoint's addresses carry no traffic any more when the
     * controller releases them; removes its ICC member and its conntrack entries; the veth itself
     * is deleted off the user's path ({@link VethDeleter}). When the sandbox is being removed
     * ({@link SandboxConfig#removal()}) there is no detach: its namespace's destruction takes the
     * pair; the driver holds the endpoint's addresses until the host end is gone (a veth's host end
     * on the bridge answers for the old address and MAC until then).
     */
    @Override
    public void leave(NetworkConfig network, BridgeOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        Rtnetlink host = kernel.host();
        String hostEnd = hostEndName(endpoint);
        Failures failures = new Failures();
        if (sandbox.removing()) {
            // the namespace is destroyed next and takes the pair with it: watched from then on, and
            // deleted if something else keeps the namespace alive
            Runnable addressesFree = sandbox.removal().holdAddresses();
            sandbox.removal().whenNamespaceGone(() -> deleter.afterNamespaceGone(hostEnd, addressesFree));
        } else {
            failures.run(() -> {
                try {
                    host.setLink(LinkChange.of(hostEnd).noMaster().down());
                    deleter.delete(hostEnd);
                } catch (KernelException e) {
                    if (!e.isNotFound()) { // gone already (a repeated leave, or its sandbox was destroyed)
                        throw e;
                    }
                }
            });
        }
        failures.run(() -> firewall.removeEndpoint(endpoint, hostEnd, options.icc()));
        announcer.released(network.id(), address(endpoint.ipv4()), address(endpoint.ipv6()));
        failures.throwIfAny("endpoint " + endpoint.shortId() + " on network \"" + network.name() + "\": leave failed");
    }

    /**
     * Adds or deletes {@code default via GATEWAY dev IF} in the sandbox, as the endpoint's flags
     * say, with the network's {@code metric}, in one netlink batch ({@link LinkPlumbing#setDefaultRoutes}); an
     * internal network, or one with {@code no_default_route=true}, gives none.
     */
    @Override
    public void setDefaultRoutes(NetworkConfig network, BridgeOptions options, EndpointConfig endpoint,
                                 SandboxConfig sandbox) {
        try {
            kernel.inNamespace(sandbox.namespace(), rt -> {
                LinkPlumbing.setDefaultRoutes(rt, endpoint, sandbox.name(),
                        !network.internal() && givesDefaultRoutes(options), options.routing());
                return null;
            });
        } catch (KernelException e) {
            throw new WeftException.Failed("endpoint " + endpoint.shortId() + " of sandbox " + sandbox.name()
                    + " on network \"" + network.name() + "\": could not set its default routes (IPv4 "
                    + (endpoint.defaultRoute4() ? "via " + IpAddresses.format(endpoint.gateway4()) : "none") + ", IPv6 "
                    + (endpoint.defaultRoute6() ? "via " + IpAddresses.format(endpoint.gateway6()) : "none") + "): " + e.getMessage(), e);
        }
    }

    /**
     * The gateways of the network's subnets: they are the bridge's own addresses in the host
     * namespace, also on internal networks (a link-local IPv6 gateway is left out: binding it needs
     * the bridge's scope).
     */
    @Override
    public List<InetAddress> hostGatewayAddresses(NetworkConfig network, BridgeOptions options) {
        List<InetAddress> out = new ArrayList<>();
        for (SubnetInfo s : network.subnets()) {
            if (s.gateway() != null && !s.gateway().isLinkLocalAddress()) {
                out.add(s.gateway());
            }
        }
        out.sort(java.util.Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1));
        return out;
    }

    /** No host ports when every family the network has is in routed mode (ports open the sandbox's own). */
    @Override
    public boolean usesHostPorts(NetworkConfig network, BridgeOptions options) {
        return !routedOnly(network, options);
    }

    private static boolean routedOnly(NetworkConfig network, BridgeOptions options) {
        boolean v4 = network.subnets().stream().anyMatch(s -> s.subnet().isIpv4());
        boolean v6 = network.subnets().stream().anyMatch(s -> !s.subnet().isIpv4());
        return (v4 || v6) && (!v4 || options.gatewayMode4() == BridgeOptions.GatewayMode.ROUTED)
                && (!v6 || options.gatewayMode6() == BridgeOptions.GatewayMode.ROUTED);
    }

    /** {@code host_binding_ipv4}, so the controller binds (and reports) ports there and keeps them off IPv6. */
    @Override
    public InetAddress defaultHostAddress(BridgeOptions options) {
        return options.hostBindingIpv4();
    }

    /**
     * DNAT for every binding, in one batch ({@link Firewaller#publish}: refused when the firewall
     * mode is none), then core's relay for what DNAT cannot reach ({@code [::1]}, host IPv6
     * addresses of an IPv4-only endpoint). Refused on an internal network.
     */
    @Override
    public void publish(NetworkConfig network, BridgeOptions options, EndpointConfig endpoint, List<PortBinding> ports) {
        if (network.internal()) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\" is internal: it cannot publish ports");
        }
        firewall.publish(network, endpoint, ports, options.hostBindingIpv4());
        if (routedOnly(network, options)) {
            return; // no host port: nothing for the relay
        }
        try {
            relay.mapPorts(endpoint, ports);
        } catch (RuntimeException e) {
            try {
                firewall.unpublish(network, endpoint, ports, options.hostBindingIpv4());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The relay first (no new [::1] client from its return), then the DNAT and its flows. */
    @Override
    public void unpublish(NetworkConfig network, BridgeOptions options, EndpointConfig endpoint, List<PortBinding> ports) {
        Failures failures = new Failures();
        if (!routedOnly(network, options)) {
            failures.run(() -> relay.unmapPorts(endpoint, ports));
        }
        failures.run(() -> firewall.unpublish(network, endpoint, ports, options.hostBindingIpv4()));
        failures.throwIfAny("endpoint " + endpoint.shortId() + " on network \"" + network.name() + "\": unpublish failed");
    }

    /**
     * Puts an endpoint's recorded bindings back in force at restore: the DNAT (none when the
     * firewall mode is none) and core's relay, whose mappings a restart forgot.
     */
    void republish(NetworkConfig network, BridgeOptions options, EndpointConfig endpoint, List<PortBinding> ports) {
        firewall.restorePorts(network, endpoint, ports, options.hostBindingIpv4());
        if (!routedOnly(network, options)) {
            relay.mapPorts(endpoint, ports);
        }
    }

    @Override
    public void restore(NetworkConfig network, BridgeOptions options, List<RestoredEndpoint> endpoints) {
        new BridgeRestore(this, network, options).run(endpoints);
    }

    /**
     * Writes Weft's tables again from what this driver knows (structure and every element), for
     * {@code network:reapply} after another tool flushed the ruleset. Nothing when the firewall
     * mode is none.
     */
    @Override
    public void reapply() {
        firewall.reapply();
    }

    /** Waits until detached veths and the conntrack entries of removed flows are deleted and joined interfaces announced (tests, benchmarks). */
    public void drain() {
        deleter.drain();
        reaper.drain();
        announcer.drain();
    }

    /** The nft script this driver renders for the networks it knows now (golden documents). */
    public String firewallScript() {
        return firewall.script();
    }

    private static InetAddress address(dev.weft.net.InterfaceAddress a) {
        return a == null ? null : a.address();
    }

    // ---- shared with BridgeRestore

    DriverContext context() {
        return context;
    }

    Kernel kernel() {
        return kernel;
    }

    Firewaller firewall() {
        return firewall;
    }

    HostSetup hostSetup() {
        return hostSetup;
    }

    FirewallScript.Net net(NetworkConfig network, BridgeOptions options) {
        List<IpPrefix> subnets = network.subnets().stream().map(SubnetInfo::subnet).toList();
        return new FirewallScript.Net(bridgeName(network, options), subnets, network.internal(), options.masquerade(),
                options.icc(), options.gatewayMode4(), options.gatewayMode6(), options.trustedHostInterfaces(),
                options.isolation(), options.outboundAddr4(), options.outboundAddr6());
    }

    /** {@code br-<first 12 of the id>} or the name the options give. */
    String bridgeName(NetworkConfig network, BridgeOptions options) {
        return options.bridgeName() != null ? options.bridgeName() : "br-" + network.shortId();
    }

    /** {@code <linkPrefix>v<first 10 of the endpoint id>}: at most 15 characters, the kernel's limit. */
    String hostEndName(EndpointConfig endpoint) {
        return context.linkPrefix() + "v" + endpoint.id().substring(0, 10);
    }

    boolean isOwn(Link link, NetworkConfig network) {
        return context.ownershipMark(network.id()).equals(link.alias());
    }

    /** The network's MTU, or else the instance default, or else the uplink's. */
    int effectiveMtu(BridgeOptions options) {
        if (options.mtu() != 0) {
            return options.mtu();
        }
        return context.defaultMtu() != 0 ? context.defaultMtu() : hostSetup.uplinkMtu();
    }

    private int mtu(NetworkConfig network, BridgeOptions options, String bridge) {
        return mtus.computeIfAbsent(network.id(), id -> options.mtu() != 0 ? options.mtu()
                : kernel.host().link(bridge).map(Link::mtu).orElseGet(() -> effectiveMtu(options)));
    }
}
