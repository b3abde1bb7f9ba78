package dev.weft.sample.driver;

import dev.weft.api.SubnetInfo;
import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.Route;
import dev.weft.linux.Rtnetlink;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.Restorable;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code sample} driver: the smallest driver that plumbs real interfaces, written as a third
 * party would write one (see the module's README). Each network is a Linux bridge in the
 * instance's host namespace, {@code <linkPrefix>s<first 8 of the network id>}, carrying the
 * gateway addresses and the alias {@link DriverContext#ownershipMark ownershipMark(network id)}.
 * Each endpoint is a veth pair whose sandbox end is born inside the sandbox under its final name;
 * the host end, {@code <linkPrefix>v<first 10 of the endpoint id>}, is a port of the bridge.
 *
 * <p>No NAT, no published ports, no firewall: it does not implement
 * {@link dev.weft.spi.ExternalConnectivity}, so the controller refuses ports on its networks.
 * It implements {@link Restorable}, so its networks survive an update or removal of this bundle
 * and a restart of the runtime. It keeps no state of its own: everything it needs is in the
 * configs the controller passes and in the kernel, so deactivation has nothing to free and, as the
 * SPI demands, never touches the kernel.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + SampleDriver.NAME)
public final class SampleDriver implements NetworkDriver<SampleOptions>, Restorable<SampleOptions> {
    public static final String NAME = "sample";
    private static final Logger LOG = Logger.getLogger(SampleDriver.class.getName());

    private final DriverContext context;
    private final Kernel kernel;

    /**
     * DS injects the runtime's context and its kernel layer (both from core, for one instance); the
     * driver is registered only while core offers them.
     */
    @Activate
    public SampleDriver(@Reference DriverContext context, @Reference Kernel kernel) {
        this.context = context;
        this.kernel = kernel;
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public SampleOptions parseOptions(Map<String, String> options) {
        return SampleOptions.parse(options);
    }

    @Override
    public void validate(NetworkConfig network, SampleOptions options) {
        int mtu = options.effectiveMtu(context.defaultMtu());
        if (network.ipv6() && mtu != 0 && mtu < SampleOptions.MIN_IPV6_MTU) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": mtu " + mtu
                    + " is too small for IPv6: use at least " + SampleOptions.MIN_IPV6_MTU + " or drop --ipv6");
        }
    }

    @Override
    public void createNetwork(NetworkConfig network, SampleOptions options) {
        Rtnetlink host = kernel.host();
        String bridge = bridgeName(network);
        LinkSpec spec = withMtu(LinkSpec.bridge(bridge), options).alias(context.ownershipMark(network.id())).up();
        try {
            host.createLink(spec);
        } catch (KernelException e) {
            if (e.isExists()) { // someone else's link: never touch it
                throw new WeftException.Conflict("network \"" + network.name() + "\": a link named \"" + bridge
                        + "\" already exists in the host namespace and is not this network's bridge");
            }
            host.deleteLinkIfExists(bridge); // the alias is set after the bridge is made: that step may be what failed
            throw e;
        }
        try {
            var batch = host.batch();
            int index = host.index(bridge);
            for (SubnetInfo s : network.subnets()) {
                if (s.gateway() != null) {
                    batch.addAddress(index, new InterfaceAddress(s.gateway(), s.subnet().length()));
                }
            }
            batch.send();
        } catch (RuntimeException e) {
            host.deleteLinkIfExists(bridge);
            throw e;
        }
        LOG.info("network " + network.name() + ": created bridge " + bridge);
    }

    @Override
    public void deleteNetwork(NetworkConfig network, SampleOptions options) {
        Rtnetlink host = kernel.host();
        String bridge = bridgeName(network);
        var link = host.link(bridge);
        if (link.isEmpty()) {
            return; // already gone (a repeated teardown)
        }
        requireOwn(link.get(), network);
        host.deleteLinkIfExists(bridge);
        LOG.info("network " + network.name() + ": deleted bridge " + bridge);
    }

    @Override
    public JoinInfo join(NetworkConfig network, SampleOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        Rtnetlink host = kernel.host();
        String hostEnd = hostEndName(endpoint);
        LinkSpec spec = withMtu(LinkSpec.veth(hostEnd, endpoint.interfaceName(), sandbox.namespace()), options)
                .master(bridgeName(network)).alias(context.ownershipMark(endpoint.id())).up();
        if (endpoint.mac() != null) { // the user's (--mac-address), or one recorded earlier (restore): kept
            spec.peer().mac(endpoint.mac());
        }
        try {
            host.createLink(spec);
        } catch (KernelException e) {
            if (!e.isExists()) { // not someone else's link: ours, if the alias step after creation failed
                host.deleteLinkIfExists(hostEnd);
            }
            throw e;
        }
        try {
            // the user's per-interface sysctls (EndpointConfig.sysctls), written before the interface is configured
            MacAddress mac = kernel.inNamespace(sandbox.namespace(), endpoint.sysctls(),
                    rt -> configureSandboxEnd(rt, endpoint));
            return new JoinInfo(endpoint.interfaceName(), mac);
        } catch (RuntimeException e) {
            host.deleteLinkIfExists(hostEnd); // takes the sandbox end with it
            throw e;
        }
    }

    /**
     * Sets the sandbox end up with its addresses, then adds the default routes through them;
     * returns its MAC. (A veth peer cannot be born up: the kernel opens it before the pair is
     * linked and refuses with ENOTCONN.)
     */
    private static MacAddress configureSandboxEnd(Rtnetlink rt, EndpointConfig endpoint) {
        int index = rt.index(endpoint.interfaceName());
        var batch = rt.batch().setLink(LinkChange.of(index).up());
        if (endpoint.ipv4() != null) {
            batch.addAddress(index, endpoint.ipv4());
        }
        if (endpoint.ipv6() != null) {
            batch.addAddress(index, endpoint.ipv6());
        }
        batch.barrier(); // a route needs its gateway to be reachable through an address already there
        if (endpoint.defaultRoute4() && endpoint.gateway4() != null && endpoint.ipv4() != null) {
            batch.addRoute(Route.defaultVia(endpoint.gateway4()));
        }
        if (endpoint.defaultRoute6() && endpoint.gateway6() != null && endpoint.ipv6() != null) {
            batch.addRoute(Route.defaultVia(endpoint.gateway6()));
        }
        batch.send();
        return rt.link(index).map(Link::mac).orElse(null);
    }

    /**
     * Deletes the host end, which takes the sandbox end and its addresses with it. That costs ~25 ms
     * of kernel time; the bridge driver detaches at once and deletes later (docs/architecture.md §5), a sample
     * can afford to wait.
     */
    @Override
    public void leave(NetworkConfig network, SampleOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        kernel.host().deleteLinkIfExists(hostEndName(endpoint));
    }

    @Override
    public void restore(NetworkConfig network, SampleOptions options, List<RestoredEndpoint> endpoints) {
        new SampleRestore(this, kernel.host(), network, options).run(endpoints);
    }

    /** {@code <linkPrefix>s<first 8 of the network id>}: at most 13 characters. */
    String bridgeName(NetworkConfig network) {
        return context.linkPrefix() + "s" + network.id().substring(0, 8);
    }

    /** {@code <linkPrefix>v<first 10 of the endpoint id>}: at most 15 characters, the kernel's limit. */
    String hostEndName(EndpointConfig endpoint) {
        return context.linkPrefix() + "v" + endpoint.id().substring(0, 10);
    }

    DriverContext context() {
        return context;
    }

    /** Weft never deletes or re-adopts a link it did not mark as its own (docs/architecture.md §7). */
    void requireOwn(Link bridge, NetworkConfig network) {
        String mark = context.ownershipMark(network.id());
        if (!mark.equals(bridge.alias())) {
            throw new WeftException.Conflict("network \"" + network.name() + "\": link \"" + bridge.name()
                    + "\" is not its bridge (alias " + (bridge.alias() == null ? "none" : "\"" + bridge.alias() + "\"")
                    + ", expected \"" + mark + "\"); it is left as it is");
        }
    }

    private LinkSpec withMtu(LinkSpec spec, SampleOptions options) {
        int mtu = options.effectiveMtu(context.defaultMtu());
        return mtu == 0 ? spec : spec.mtu(mtu);
    }
}
