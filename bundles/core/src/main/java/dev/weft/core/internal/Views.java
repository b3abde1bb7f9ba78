package dev.weft.core.internal;

import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SubnetStatus;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.NetworkRecord.SubnetRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.net.IpPrefix;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.EndpointOperationalInfo;
import dev.weft.spi.IpamPoolStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/** Turns records into the API's views. */
final class Views {
    private static final Logger LOG = Logger.getLogger(Views.class.getName());
    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final IpamRegistry ipams;
    private final java.util.function.Function<String, String> scopeOf;
    private final java.util.function.Supplier<Optional<dev.weft.spi.NameService>> names;

    Views(Inventory inventory, DriverRegistry drivers, IpamRegistry ipams,
          java.util.function.Function<String, String> scopeOf,
          java.util.function.Supplier<Optional<dev.weft.spi.NameService>> names) {
        this.names = names;
        this.inventory = inventory;
        this.drivers = drivers;
        this.ipams = ipams;
        this.scopeOf = scopeOf;
    }

    NetworkInfo network(NetworkRecord n) {
        return network(n, false);
    }

    /**
     * The network; with {@code announcedOnly}, without endpoints still being connected (listeners
     * learn of those from their join event, so a snapshot must not show them too).
     */
    NetworkInfo network(NetworkRecord n, boolean announcedOnly) {
        List<EndpointInfo> eps = inventory.endpoints(e -> e.network().equals(n.id())
                        && !(announcedOnly && e.state() == dev.weft.core.internal.store.State.CREATING)).stream()
                .map(this::endpoint).flatMap(Optional::stream).toList();
        boolean available = drivers.available(n.driver(), n.driverBundle()) && ipams.available(n.ipam());
        return new NetworkInfo(n.id(), n.name(), n.driver(), n.isGlobal() ? "global" : scopeOf.apply(n.driver()), n.created(), n.ipv6(),
                n.internal(), n.predefined(), available, n.subnets().stream().map(SubnetRecord::info).toList(),
                n.options(), n.labels(), eps, n.ipam().driver(), n.ipam().options(), n.hasIpv4(), null);
    }

    /**
     * The network as the API's queries return it: with the IPAM status of its subnets, counted by
     * its IPAM driver now ({@link IpamPoolStatus}). Not for listener events: those are made under
     * the controller's event lock, and an IPAM driver may take its time. A subnet the driver cannot
     * count (it lacks the capability, is not here, or fails) has no status.
     */
    NetworkInfo inspected(NetworkRecord n) {
        NetworkInfo info = network(n).withRemarks(remarks(n));
        if (n.subnets().isEmpty()) {
            return info;
        }
        Map<IpPrefix, SubnetStatus> status = new LinkedHashMap<>();
        Optional<IpamRegistry.Handle> held = ipams.forNetwork(n.ipam());
        if (held.isEmpty()) {
            return info;
        }
        try (IpamRegistry.Handle h = held.get()) {
            if (!(h.driver() instanceof IpamPoolStatus counter)) {
                return info;
            }
            for (SubnetRecord s : n.subnets()) {
                try {
                    status.put(s.subnet(), counter.poolStatus(s.pool()));
                } catch (RuntimeException e) {
                    LOG.fine("network " + n.name() + ": no IPAM status for " + s.subnet() + ": " + e.getMessage());
                }
            }
        }
        return info.withIpamStatus(status);
    }

    /**
     * The driver's remarks about the network ({@link dev.weft.spi.NetworkDriver#remarks}); none when
     * the driver is not here or fails (logged).
     */
    private Map<String, String> remarks(NetworkRecord n) {
        Map<String, String> remarks = driverRemarks(n);
        Optional<String> served = names.get().flatMap(service -> {
            try {
                // where names are not served, a driver's own explanation (macvlan's) says more
                return remarks.containsKey("NameResolution") && service.servers(n.id()).isEmpty() ? Optional.empty()
                        : service.remark(n.id());
            } catch (RuntimeException e) {
                LOG.fine("network " + n.name() + ": no remark from the name service: " + e.getMessage());
                return Optional.empty();
            }
        });
        if (served.isEmpty()) {
            return remarks;
        }
        Map<String, String> all = new LinkedHashMap<>(remarks);
        all.put("NameResolution", served.get());
        return all;
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> driverRemarks(NetworkRecord n) {
        Optional<DriverRegistry.Handle> held = drivers.forNetwork(n.driver(), n.driverBundle());
        if (held.isEmpty()) {
            return Map.of();
        }
        try (DriverRegistry.Handle h = held.get()) {
            dev.weft.spi.NetworkDriver<Object> driver = (dev.weft.spi.NetworkDriver<Object>) h.driver();
            return driver.remarks(n.config(), driver.parseOptions(n.options()));
        } catch (RuntimeException e) {
            LOG.fine("network " + n.name() + ": no remarks from driver " + n.driver() + ": " + e.getMessage());
            return Map.of();
        }
    }

    SandboxInfo sandbox(SandboxRecord s) {
        return sandbox(s, false);
    }

    /**
     * The sandbox as one sandbox's inspect returns it: each endpoint whose driver has
     * {@link EndpointOperationalInfo} with what the driver says of it now. Only for
     * {@code Controller.sandbox(name)}: never for listings, events or a change's path. An endpoint
     * whose driver is away, lacks the capability or fails (logged) has none.
     */
    SandboxInfo inspected(SandboxRecord s) {
        SandboxInfo info = sandbox(s);
        if (info.endpoints().isEmpty()) {
            return info;
        }
        List<EndpointInfo> eps = info.endpoints().stream().map(e -> e.withDriverInfo(driverInfo(e))).toList();
        return new SandboxInfo(info.id(), info.name(), info.namespace(), info.mode(), info.created(), eps,
                info.networkMode(), info.sharedBy(), info.hostname(), info.dns(), info.links());
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> driverInfo(EndpointInfo e) {
        Optional<NetworkRecord> n = inventory.network(e.networkId());
        Optional<EndpointRecord> r = inventory.endpoint(e.id());
        if (n.isEmpty() || r.isEmpty()) {
            return Map.of();
        }
        Optional<DriverRegistry.Handle> held = drivers.forNetwork(n.get().driver(), n.get().driverBundle());
        if (held.isEmpty()) {
            return Map.of();
        }
        try (DriverRegistry.Handle h = held.get()) {
            if (!(h.driver() instanceof EndpointOperationalInfo<?> capable)) {
                return Map.of();
            }
            Map<String, String> info = ((EndpointOperationalInfo<Object>) capable).endpointInfo(n.get().config(),
                    h.driver().parseOptions(n.get().options()), r.get().config(n.get()));
            return info == null ? Map.of() : info;
        } catch (RuntimeException x) {
            LOG.fine("sandbox " + e.sandbox() + ": no driver info for endpoint " + e.id().substring(0, 12)
                    + " on network " + e.network() + " from driver " + n.get().driver() + ": " + x.getMessage());
            return Map.of();
        }
    }

    /** The sandbox; with {@code announcedOnly}, without endpoints still being connected. */
    SandboxInfo sandbox(SandboxRecord s, boolean announcedOnly) {
        return sandbox(s, announcedOnly, inventory.sharersOf(s.id()).stream().map(SandboxRecord::name).toList());
    }

    /** Many sandboxes (a listing, a snapshot): who shares whose namespace is found in one pass. */
    List<SandboxInfo> sandboxes(List<SandboxRecord> records, boolean announcedOnly) {
        Map<String, List<String>> sharers = inventory.sharerNames();
        return records.stream().map(s -> sandbox(s, announcedOnly, sharers.getOrDefault(s.id(), List.of()))).toList();
    }

    private SandboxInfo sandbox(SandboxRecord s, boolean announcedOnly, List<String> sharedBy) {
        List<EndpointInfo> eps = s.endpoints().stream().map(inventory::endpoint).flatMap(Optional::stream)
                .filter(e -> !(announcedOnly && e.state() == dev.weft.core.internal.store.State.CREATING))
                .map(this::endpoint).flatMap(Optional::stream).toList();
        String mode = s.sharer()
                ? s.shareDriver() + ":" + inventory.sandbox(s.sharedWith()).map(SandboxRecord::name).orElse(s.sharedWith())
                : s.networkMode() != null ? s.networkMode() : eps.isEmpty() ? "" : eps.get(0).network();
        return new SandboxInfo(s.id(), s.name(), s.namespace(), s.mode(), s.created(), eps, mode, sharedBy,
                s.hostnameOrName(), s.dnsSettings(), s.linkList());
    }

    Optional<EndpointInfo> endpoint(EndpointRecord e) {
        Optional<NetworkRecord> n = inventory.network(e.network());
        Optional<SandboxRecord> s = inventory.sandbox(e.sandbox());
        if (n.isEmpty() || s.isEmpty()) {
            return Optional.empty();
        }
        EndpointConfig c = e.config(n.get()); // its default-route flags only where it can give them
        return Optional.of(new EndpointInfo(e.id(), n.get().name(), e.network(), s.get().name(), e.sandbox(),
                e.interfaceName(), c.mac(), c.ipv4(), c.ipv6(), e.aliases(), e.ports(), e.gwPriority(),
                c.defaultRoute4(), c.defaultRoute6(), e.options(), dnsNames(n.get(), s.get(), e)));
    }

    /**
     * Docker's {@code DNSNames} of an endpoint: the sandbox's name, the endpoint's aliases, the
     * sandbox id's first 12 characters and its hostname, each once; none on a predefined network
     * (Docker's default networks have no names).
     */
    static List<String> dnsNames(NetworkRecord n, SandboxRecord s, EndpointRecord e) {
        if (n.predefined()) {
            return List.of();
        }
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        names.add(s.name());
        names.addAll(e.aliases());
        names.add(s.id().substring(0, Math.min(12, s.id().length())));
        names.add(s.hostnameOrName());
        return List.copyOf(names);
    }
}
