package dev.weft.driver.bridge;

import dev.weft.api.Failures;
import dev.weft.api.PortBinding;
import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The {@link Firewaller} of firewall mode {@code nftables}: Weft's own tables ({@link Firewall}:
 * the structure per network, elements per endpoint and port, remembered for reapply), the narrow
 * accepts in foreign forward chains that drop by policy ({@link ForwardCooperation}),
 * {@code route_localnet} on bridges that reach outside (ports published on 127.0.0.1), and the
 * deletion of conntrack entries of removed endpoints and ports off the user's path
 * ({@link FlowReaper}).
 */
final class NftFirewaller implements Firewaller {
    private static final Logger LOG = Logger.getLogger(NftFirewaller.class.getName());

    private final Firewall firewall;
    private final ForwardCooperation cooperation;
    private final DriverContext context;
    private final HostSetup hostSetup;
    private final FlowReaper reaper;

    NftFirewaller(Kernel kernel, DriverContext context, HostSetup hostSetup, FlowReaper reaper) {
        this.firewall = new Firewall(kernel, context.nftTable());
        this.cooperation = new ForwardCooperation(kernel);
        this.context = context;
        this.hostSetup = hostSetup;
        this.reaper = reaper;
    }

    @Override
    public void addNetwork(String networkId, FirewallScript.Net net) {
        if (!net.internal()) {
            hostSetup.routeLocalnet(net.bridge());
        }
        firewall.putNetwork(networkId, net);
        cooperation.allow(net.bridge(), context.ownershipMark(networkId));
    }

    @Override
    public void removeNetwork(String networkId) {
        Failures failures = new Failures();
        failures.run(() -> firewall.removeNetwork(networkId));
        failures.run(() -> cooperation.remove(context.ownershipMark(networkId)));
        failures.throwIfAny("firewall of network " + networkId.substring(0, Math.min(12, networkId.length())));
    }

    @Override
    public void addEndpoint(EndpointConfig endpoint, String hostEnd, boolean icc) {
        if (!icc) {
            firewall.addElements(endpoint.id(), List.of(firewall.iccMember(hostEnd)));
        }
    }

    @Override
    public void removeEndpoint(EndpointConfig endpoint, String hostEnd, boolean icc) {
        List<Firewall.Element> elements = new ArrayList<>(firewall.elementsOf(endpoint.id()));
        if (!icc && !elements.contains(firewall.iccMember(hostEnd))) {
            elements.add(firewall.iccMember(hostEnd));
        }
        try {
            firewall.removeElements(endpoint.id(), elements);
        } finally {
            reaper.submit(Firewall.flowFilters(address(endpoint.ipv4()), address(endpoint.ipv6())));
        }
    }

    @Override
    public void publish(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports, InetAddress defaultHost) {
        List<Firewall.Element> elements = new ArrayList<>();
        FirewallScript.Net net = firewall.network(network.id());
        for (PortBinding p : ports) {
            elements.addAll(firewall.portElements(p, address(endpoint.ipv4()), address(endpoint.ipv6()), defaultHost, net));
        }
        firewall.addElements(endpoint.id(), elements);
        // A UDP (or SCTP) flow that reached these host ports before, un-NATed or to an earlier target,
        // would keep its NAT decision: delete it now. TCP needs no such care: a new connection is a new flow.
        firewall.forgetFlows(ports.stream().filter(p -> !p.protocol().equals("tcp")).toList());
    }

    @Override
    public void restorePorts(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports,
                             InetAddress defaultHost) {
        publish(network, endpoint, ports, defaultHost);
    }

    @Override
    public void unpublish(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports,
                          InetAddress defaultHost) {
        List<Firewall.Element> elements = new ArrayList<>();
        FirewallScript.Net net = firewall.network(network.id());
        for (PortBinding p : ports) {
            try {
                elements.addAll(firewall.portElements(p, address(endpoint.ipv4()), address(endpoint.ipv6()), defaultHost, net));
            } catch (WeftException.InvalidRequest e) {
                // never published: nothing to remove
            }
        }
        try {
            firewall.removeElements(endpoint.id(), elements);
        } finally {
            reaper.submit(Firewall.flowFilters(ports));
        }
    }

    @Override
    public List<String> sweep(List<IpPrefix> subnets, Set<String> liveHostEnds) {
        return firewall.sweep(subnets, liveHostEnds);
    }

    @Override
    public void reapply() {
        firewall.reapply();
        firewall.bridges().forEach((id, bridge) -> cooperation.allow(bridge, context.ownershipMark(id)));
        LOG.info("firewall: rewrote tables inet/bridge " + firewall.table());
    }

    @Override
    public String script() {
        return firewall.script();
    }

    private static InetAddress address(InterfaceAddress a) {
        return a == null ? null : a.address();
    }
}
