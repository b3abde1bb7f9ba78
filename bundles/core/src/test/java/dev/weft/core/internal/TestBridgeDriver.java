package dev.weft.core.internal;

import dev.weft.api.PortBinding;
import dev.weft.api.SubnetInfo;
import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.LinkChange;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.Route;
import dev.weft.net.InterfaceAddress;
import dev.weft.spi.DefaultRoutes;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.ExternalConnectivity;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.Restorable;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test-scope driver (not shipped) that plumbs real interfaces, so the controller's multi-network
 * paths can be proven with traffic before the real bridge driver exists: one Linux bridge per
 * network holding the gateways, a veth per endpoint with its peer born inside the sandbox. Port
 * publication is only recorded (the controller's part, the host-port reservation, is what is tested).
 */
final class TestBridgeDriver implements NetworkDriver<TestBridgeDriver.Options>, ExternalConnectivity<TestBridgeDriver.Options>,
        Restorable<TestBridgeDriver.Options>, DefaultRoutes<TestBridgeDriver.Options> {

    /** One option, to prove typed parsing and refusal of unknown keys. */
    record Options(int mtu) {}

    final List<String> restored = new CopyOnWriteArrayList<>();
    final List<PortBinding> published = new CopyOnWriteArrayList<>();
    /** {@link #setDefaultRoutes} calls: {@code NETWORK v4 v6}, e.g. {@code blue true false}. */
    final List<String> defaultRouteCalls = new CopyOnWriteArrayList<>();
    /** Networks whose endpoints' default routes this driver refuses to move (a failing kernel). */
    final java.util.Set<String> refuseDefaultRoutes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Kernel kernel;

    TestBridgeDriver(Kernel kernel) {
        this.kernel = kernel;
    }

    static String bridge(NetworkConfig n) {
        return "tb" + n.id().substring(0, 10);
    }

    static String hostEnd(EndpointConfig e) {
        return "tv" + e.id().substring(0, 10);
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public Options parseOptions(Map<String, String> options) {
        int mtu = 1500;
        for (Map.Entry<String, String> o : options.entrySet()) {
            if (!o.getKey().equals("mtu")) {
                throw new WeftException.InvalidRequest("driver \"testbridge\" has no option \"" + o.getKey()
                        + "\": known options are mtu");
            }
            mtu = Integer.parseInt(o.getValue());
        }
        return new Options(mtu);
    }

    @Override
    public void createNetwork(NetworkConfig network, Options options) {
        String br = bridge(network);
        kernel.host().createLink(LinkSpec.bridge(br).mtu(options.mtu()).up());
        try {
            int index = kernel.host().index(br);
            var batch = kernel.host().batch();
            for (SubnetInfo s : network.subnets()) {
                batch.addAddress(index, new InterfaceAddress(s.gateway(), s.subnet().length()));
            }
            batch.send();
        } catch (RuntimeException e) {
            kernel.host().deleteLinkIfExists(br);
            throw e;
        }
    }

    @Override
    public void deleteNetwork(NetworkConfig network, Options options) {
        kernel.host().deleteLinkIfExists(bridge(network));
    }

    @Override
    public JoinInfo join(NetworkConfig network, Options options, EndpointConfig endpoint, SandboxConfig sandbox) {
        String host = hostEnd(endpoint);
        kernel.host().createLink(LinkSpec.veth(host, endpoint.interfaceName(), sandbox.namespace())
                .master(bridge(network)).mtu(options.mtu()).up());
        try {
            kernel.inNamespace(sandbox.namespace(), rt -> {
                int index = rt.index(endpoint.interfaceName());
                var batch = rt.batch().setLink(LinkChange.of(index).up());
                if (endpoint.ipv4() != null) {
                    batch.addAddress(index, endpoint.ipv4());
                }
                if (endpoint.ipv6() != null) {
                    batch.addAddress(index, endpoint.ipv6());
                }
                batch.barrier();
                if (endpoint.defaultRoute4()) {
                    batch.addRoute(Route.defaultVia(endpoint.gateway4()));
                }
                if (endpoint.defaultRoute6()) {
                    batch.addRoute(Route.defaultVia(endpoint.gateway6()));
                }
                batch.send();
                return null;
            });
            return new JoinInfo(endpoint.interfaceName(), null);
        } catch (RuntimeException e) {
            kernel.host().deleteLinkIfExists(host);
            throw e;
        }
    }

    @Override
    public void leave(NetworkConfig network, Options options, EndpointConfig endpoint, SandboxConfig sandbox) {
        kernel.host().deleteLinkIfExists(hostEnd(endpoint));
    }

    /** Deletes and adds {@code default via GATEWAY} as the flags say, leaving other routes alone. */
    @Override
    public void setDefaultRoutes(NetworkConfig network, Options options, EndpointConfig endpoint, SandboxConfig sandbox) {
        defaultRouteCalls.add(network.name() + " " + endpoint.defaultRoute4() + " " + endpoint.defaultRoute6());
        if (refuseDefaultRoutes.contains(network.name())) {
            throw new IllegalStateException("test: network " + network.name() + " refuses to move default routes");
        }
        kernel.inNamespace(sandbox.namespace(), rt -> {
            List<Route> present = rt.routes(0);
            var batch = rt.batch();
            for (boolean v4 : new boolean[] {true, false}) {
                java.net.InetAddress gw = v4 ? endpoint.gateway4() : endpoint.gateway6();
                if (gw == null) {
                    continue;
                }
                boolean want = v4 ? endpoint.defaultRoute4() : endpoint.defaultRoute6();
                boolean there = present.stream().anyMatch(r -> r.destination().isDefault() && gw.equals(r.gateway()));
                if (want && !there) {
                    batch.addRoute(Route.defaultVia(gw));
                } else if (!want && there) {
                    batch.deleteRoute(Route.defaultVia(gw));
                }
            }
            batch.send();
            return null;
        });
    }

    @Override
    public void publish(NetworkConfig network, Options options, EndpointConfig endpoint, List<PortBinding> ports) {
        published.addAll(ports);
    }

    @Override
    public void unpublish(NetworkConfig network, Options options, EndpointConfig endpoint, List<PortBinding> ports) {
        published.removeAll(ports);
    }

    @Override
    public void restore(NetworkConfig network, Options options, List<RestoredEndpoint> endpoints) {
        restored.add(network.name());
        if (kernel.host().link(bridge(network)).isEmpty()) {
            createNetwork(network, options);
        }
    }
}
