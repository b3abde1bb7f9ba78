package dev.weft.core.internal;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.WeftException;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.spi.EgressNetwork;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The way out of networks whose driver gives none ({@link EgressNetwork}: the overlay's
 * {@code docker_gwbridge}), as libnetwork's sandbox does with {@code needDefaultGW}: a sandbox that
 * joins such a network (not internal) is connected to the egress network too, which carries its
 * default route and its published ports, and leaves it with its last such network. The egress
 * network is made on first need, on this host, as a predefined one.
 */
final class Egress {
    private static final Logger LOG = Logger.getLogger(Egress.class.getName());

    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final Networks networks;
    private final Endpoints endpoints;

    Egress(Inventory inventory, DriverRegistry drivers, Networks networks, Endpoints endpoints) {
        this.inventory = inventory;
        this.drivers = drivers;
        this.networks = networks;
        this.endpoints = endpoints;
    }

    /** The egress network of {@code n}'s driver when {@code n} needs one (it is not internal). */
    Optional<NetworkSpec> of(NetworkRecord n) {
        if (n.internal()) {
            return Optional.empty();
        }
        Optional<DriverRegistry.Handle> held = drivers.forNetwork(n.driver(), n.driverBundle());
        if (held.isEmpty()) {
            return Optional.empty();
        }
        try (DriverRegistry.Handle h = held.get()) {
            return h.driver() instanceof EgressNetwork<?> e ? Optional.of(e.egressNetwork()) : Optional.empty();
        }
    }

    /** The request for the endpoint on {@code n}: its ports go to the egress endpoint instead. */
    EndpointSpec forNetwork(NetworkRecord n, EndpointSpec spec) {
        if (spec.ports().isEmpty() || of(n).isEmpty()) {
            return spec;
        }
        return new EndpointSpec(spec.ipv4(), spec.ipv6(), spec.aliases(), List.of(), spec.gwPriority(), spec.mac(),
                spec.driverOptions());
    }

    /**
     * After the sandbox joined {@code n}: connects it to the egress network when {@code n} needs one,
     * with the ports asked for, unless another of its networks gives it a default route and no port is
     * asked for. Throws when that fails; the caller undoes the join.
     */
    void joined(NetworkRecord n, String sandboxId, List<PortSpec> ports) {
        Optional<NetworkSpec> wanted = of(n);
        if (wanted.isEmpty()) {
            return;
        }
        NetworkRecord egress = ensure(wanted.get());
        SandboxRecord s = inventory.requireSandbox(sandboxId);
        List<EndpointRecord> mine = inventory.endpointsOf(sandboxId);
        if (mine.stream().anyMatch(e -> e.network().equals(egress.id()))) {
            if (!ports.isEmpty()) {
                throw new WeftException.InvalidRequest("sandbox \"" + s.name() + "\" is on " + egress.name() + " already, "
                        + "where the ports of network \"" + n.name() + "\" are published; publish -p when the sandbox "
                        + "first joins a network of driver " + n.driver());
            }
            return;
        }
        boolean routed = mine.stream().anyMatch(e -> !e.network().equals(n.id()) && inventory.network(e.network())
                .map(NetworkRecord::givesDefaultRoutes).orElse(false) && e.addresses().stream()
                .anyMatch(a -> a.address() instanceof java.net.Inet4Address));
        if (routed && ports.isEmpty()) {
            return; // another network gives it its way out (libnetwork: no default gateway needed)
        }
        endpoints.connect(egress.id(), sandboxId, new EndpointSpec(null, null, List.of(), ports, 0));
    }

    /** After the sandbox left a network: leaves the egress network when none of its networks needs it any more. */
    void left(String sandboxId) {
        Optional<SandboxRecord> s = inventory.sandbox(sandboxId);
        if (s.isEmpty()) {
            return;
        }
        List<EndpointRecord> mine = inventory.endpointsOf(sandboxId);
        for (EndpointRecord e : mine) {
            Optional<NetworkRecord> egress = inventory.network(e.network()).filter(this::isEgress);
            if (egress.isEmpty()) {
                continue;
            }
            boolean needed = mine.stream().map(x -> inventory.network(x.network())).flatMap(Optional::stream)
                    .anyMatch(n -> of(n).map(spec -> spec.name().equals(egress.get().name())).orElse(false));
            if (!needed) {
                endpoints.disconnect(egress.get().id(), sandboxId, true);
                LOG.fine("sandbox " + s.get().name() + " left " + egress.get().name() + " with its last network that needed it");
            }
        }
    }

    /** Whether {@code n} is the egress network of some installed driver. */
    private boolean isEgress(NetworkRecord n) {
        if (!n.predefined()) {
            return false;
        }
        for (DriverRegistry.Entry e : drivers.entries()) {
            if (e.driver instanceof EgressNetwork<?> g && g.egressNetwork().name().equals(n.name())) {
                return true;
            }
        }
        return false;
    }

    /** The egress network, made now if missing (two sandboxes at once: one makes it, the other finds it). */
    private synchronized NetworkRecord ensure(NetworkSpec spec) {
        Optional<NetworkRecord> there = inventory.network(spec.name()).filter(n -> n.name().equals(spec.name()));
        if (there.isPresent()) {
            return there.get(); // made under this lock: ready
        }
        NetworkRecord made = networks.create(spec, true, false);
        LOG.info("egress network " + spec.name() + " (" + spec.driver() + ") made for the sandboxes of networks that "
                + "give no way out");
        return made;
    }
}
