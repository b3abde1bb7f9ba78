package dev.weft.core.internal;

import dev.weft.api.EndpointDriverOptions;
import dev.weft.api.EndpointSpec;
import dev.weft.api.Failures;
import dev.weft.api.PortBinding;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.WeftException;
import dev.weft.core.internal.ports.HostPorts;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord.SubnetRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.State;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.ExternalConnectivity;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.IpamException;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.PoolId;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.SandboxMode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Endpoint lifecycle: allocate addresses, let the driver plumb the interface into the sandbox,
 * reserve and publish ports; and the reverse, which detaches first and releases addresses after.
 * Calls for one sandbox are serialised on the sandbox's lock (interface names are per sandbox).
 */
final class Endpoints {
    private static final Logger LOG = Logger.getLogger(Endpoints.class.getName());

    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final IpamRegistry ipams;
    private final HostPorts hostPorts;
    private final Locks locks;
    /** Removals finishing in the background: they hold their endpoints' addresses until then. */
    private final SandboxReaper reaper;

    private final Events events;
    private final Views views;

    private final Background background;
    /** Which endpoint gives each sandbox its default routes (gw-priority). */
    private final DefaultGateways gateways;

    Endpoints(Inventory inventory, DriverRegistry drivers, IpamRegistry ipams, HostPorts hostPorts, Locks locks,
              SandboxReaper reaper, Background background, Events events, Views views) {
        this.background = background;
        this.events = events;
        this.views = views;
        this.reaper = reaper;
        this.inventory = inventory;
        this.drivers = drivers;
        this.ipams = ipams;
        this.hostPorts = hostPorts;
        this.locks = locks;
        this.gateways = new DefaultGateways(inventory, drivers, locks);
    }

    DefaultGateways gateways() {
        return gateways;
    }

    /** Checks what can be checked before anything is changed (used by sandbox creation too). */
    @SuppressWarnings("unchecked")
    void validate(NetworkRecord n, SandboxRecord s, EndpointSpec spec, NetworkDriver<?> driver) {
        if (n.state() != State.READY) {
            throw new WeftException.Conflict("network \"" + n.name() + "\" is being " + (n.state() == State.CREATING
                    ? "created" : "removed"));
        }
        if (!ipams.available(n.ipam())) { // before a sandbox's namespace is made for it
            throw Networks.ipamUnavailable(n);
        }
        if (s.sharer()) {
            throw sharerHasNoNetworks(s, "connected to network \"" + n.name() + "\"");
        }
        Names.checkAliases(spec.aliases());
        if (!spec.aliases().isEmpty() && n.predefined()) {
            throw new WeftException.InvalidRequest("--alias " + String.join(", ", spec.aliases()) + ": network \""
                    + n.name() + "\" has no names (as Docker's default networks); aliases are for networks you create "
                    + "(network:create), or use --link on the default bridge network");
        }
        // which networks a sandbox may be on together follows from the drivers' sandbox modes
        boolean hostNet = n.mode() == SandboxMode.HOST_NAMESPACE;
        if (s.mode() == SandboxInfo.Mode.HOST && !hostNet) {
            throw new WeftException.Conflict("sandbox \"" + s.name() + "\" uses the host's network stack and cannot "
                    + "join network \"" + n.name() + "\"");
        }
        if (s.mode() != SandboxInfo.Mode.HOST && hostNet) {
            throw new WeftException.Conflict("only a sandbox created with --network " + n.name() + " can be on network \""
                    + n.name() + "\"");
        }
        if (n.mode() == SandboxMode.NO_INTERFACE && !s.endpoints().isEmpty()) {
            throw new WeftException.Conflict("a sandbox on network \"" + n.name() + "\" cannot be on other networks");
        }
        inventory.endpointsOf(s.id()).stream()
                .map(e -> inventory.network(e.network()).orElse(null))
                .filter(x -> x != null && x.mode() == SandboxMode.NO_INTERFACE).findFirst()
                .ifPresent(x -> {
                    throw new WeftException.Conflict("a sandbox on network \"" + x.name() + "\" cannot be on other networks");
                });
        if (!spec.ports().isEmpty()) {
            if (!(driver instanceof ExternalConnectivity<?>)) {
                throw new WeftException.InvalidRequest("network \"" + n.name() + "\" (driver \"" + n.driver()
                        + "\") cannot publish ports (-p " + spec.ports().stream().map(PortSpec::toString)
                        .collect(Collectors.joining(", -p ")) + "): its driver maps no host "
                        + "port to a sandbox (its sandboxes are reached at their own addresses, where the network lets "
                        + "others reach them, as a macvlan sandbox on its LAN); drop -p here, or also connect the sandbox to a "
                        + "network whose driver publishes ports (e.g. bridge) and publish them there");
            }
            if (n.internal()) {
                throw new WeftException.InvalidRequest("network \"" + n.name() + "\" is internal: it cannot publish ports");
            }
        }
        if (!n.hasIpv4()) {
            if (spec.ipv4() != null) {
                throw new WeftException.InvalidRequest("network \"" + n.name() + "\" is IPv6-only (created with "
                        + "--ipv4=false): its endpoints get no IPv4 address, so --ip " + IpAddresses.format(spec.ipv4())
                        + " cannot be given; drop --ip (--ip6 sets a static IPv6 address)");
            }
            for (PortSpec p : spec.ports()) {
                if (p.hostIp() instanceof Inet4Address && !p.hostIp().isAnyLocalAddress()) {
                    throw new WeftException.InvalidRequest("network \"" + n.name() + "\" is IPv6-only (created with "
                            + "--ipv4=false): port " + p + " names the IPv4 host address "
                            + IpAddresses.format(p.hostIp()) + ", which nothing can forward to a sandbox without IPv4; "
                            + "publish on every address (IPv4 clients are relayed to the sandbox's IPv6 address) or "
                            + "on an IPv6 host address");
                }
            }
        }
        checkStatic(n, spec.ipv4(), true);
        checkStatic(n, spec.ipv6(), false);
        checkInterface(n, s, spec, driver);
        Map<String, String> own = EndpointDriverOptions.forDriver(spec.driverOptions());
        if (!own.isEmpty()) {
            NetworkDriver<Object> d = (NetworkDriver<Object>) driver;
            d.validateEndpoint(n.config(), d.parseOptions(n.options()), own);
        }
    }

    /**
     * The settings of the interface itself ({@code --mac-address}, the interface's name and sysctls)
     * need a driver that gives the sandbox an interface; a name asked for must be free in the sandbox.
     * Whether a MAC is one an interface can have, and the syntax of the name and the sysctls,
     * {@link EndpointSpec} has checked. A MAC another endpoint has is accepted, as Docker does (an
     * interface may be on another layer-2 segment).
     */
    private void checkInterface(NetworkRecord n, SandboxRecord s, EndpointSpec spec, NetworkDriver<?> driver) {
        List<String> asked = new ArrayList<>();
        if (spec.mac() != null) {
            asked.add("--mac-address");
        }
        for (String key : List.of(EndpointDriverOptions.IFNAME, EndpointDriverOptions.SYSCTLS)) {
            if (spec.driverOptions().containsKey(key)) {
                asked.add("driver option " + key);
            }
        }
        if (!asked.isEmpty() && driver.sandboxMode() != dev.weft.spi.SandboxMode.OWN_NAMESPACE) {
            throw new WeftException.InvalidRequest("network \"" + n.name() + "\" (driver \"" + n.driver() + "\") gives "
                    + "its sandboxes no interface of their own, so " + String.join(" and ", asked) + " cannot apply: "
                    + "drop " + (asked.size() > 1 ? "them" : "it"));
        }
        String ifname = spec.interfaceName();
        if (ifname != null) {
            inventory.endpointsOf(s.id()).stream().filter(e -> ifname.equals(e.interfaceName())).findFirst()
                    .ifPresent(e -> {
                        String other = inventory.network(e.network()).map(NetworkRecord::name).orElse(e.network());
                        throw new WeftException.Conflict("driver option " + EndpointDriverOptions.IFNAME + "=" + ifname
                                + ": sandbox \"" + s.name() + "\" already has an interface named " + ifname
                                + " (its endpoint on network \"" + other + "\"); choose another name");
                    });
        }
    }

    private static void checkStatic(NetworkRecord n, InetAddress a, boolean v4) {
        if (a == null) {
            return;
        }
        if (n.subnets().isEmpty()) {
            throw new WeftException.InvalidRequest("network \"" + n.name() + "\" has no subnets (IPAM driver \""
                    + n.ipam().driver() + "\"), so its endpoints get no addresses: drop --ip and --ip6");
        }
        if (n.subnetOf(a).isEmpty()) {
            throw new WeftException.InvalidRequest("address " + IpAddresses.format(a) + " is not in a subnet of network \""
                    + n.name() + "\" (" + n.subnets().stream().map(s -> s.subnet().toString())
                    .collect(Collectors.joining(", ")) + ")");
        }
    }

    EndpointRecord connect(String networkName, String sandboxName, EndpointSpec spec) {
        NetworkRecord n = inventory.requireNetwork(networkName);
        SandboxRecord s0 = inventory.requireSandbox(sandboxName);
        synchronized (locks.of(s0.id())) {
            SandboxRecord s = inventory.requireSandbox(s0.id());
            DriverRegistry.Handle handle = drivers.forNetwork(n.driver(), n.driverBundle())
                    .orElseThrow(() -> Networks.unavailable(n));
            IpamRegistry.Handle ipam;
            try {
                ipam = ipams.forNetwork(n.ipam()).orElseThrow(() -> Networks.ipamUnavailable(n));
            } catch (RuntimeException e) {
                handle.close();
                throw e;
            }
            try (handle; ipam) {
                NetworkDriver<Object> driver = handle.driver();
                validate(n, s, spec, driver);
                Object options = driver.parseOptions(n.options());
                return connect(n, s, spec, driver, options, ipam.driver());
            }
        }
    }

    /**
     * Validate and reserve before any kernel change: addresses and host ports are taken first (a
     * refusal, e.g. a host port already held, changes nothing in the kernel at any moment), then
     * the record is written with the ports in it (the intent: a crash after the driver's element
     * batch leaves a record that explains every element, so reconcile removes them), and only
     * then does the driver plumb and publish.
     */
    private EndpointRecord connect(NetworkRecord n, SandboxRecord s, EndpointSpec spec, NetworkDriver<Object> driver,
                                   Object options, IpamDriver ipam) {
        String id = Ids.newId();
        Rollback rollback = new Rollback();
        try {
            InterfaceAddress v4 = null, v6 = null;
            if (driver.usesAddresses()) {
                v4 = allocate(ipam, n, true, spec.ipv4(), rollback);
                v6 = allocate(ipam, n, false, spec.ipv6(), rollback);
            }
            List<PortBinding> bound = List.of();
            if (!spec.ports().isEmpty()) {
                @SuppressWarnings("unchecked")
                ExternalConnectivity<Object> ext = (ExternalConnectivity<Object>) driver;
                if (ext.usesHostPorts(n.config(), options)) {
                    bound = hostPorts.reserve(id, s.name(), spec.ports(), ext.defaultHostAddress(options));
                    rollback.add(() -> hostPorts.release(id));
                } else {
                    bound = HostPorts.withoutHostPorts(spec.ports());
                }
            }
            // an interface name for every driver that gives the sandbox an interface of its own, also
            // one that brings its own addresses (usesAddresses false: CNI plugins, their IPAM)
            String ifname = driver.sandboxMode() != dev.weft.spi.SandboxMode.OWN_NAMESPACE ? null
                    : spec.interfaceName() != null ? spec.interfaceName() : nextInterfaceName(s);
            // a MAC given by the user is recorded from the start: the driver gets it in the config
            EndpointRecord draft = new EndpointRecord(id, n.id(), s.id(), State.CREATING, ifname, v4, v6, spec.mac(),
                    false, spec.aliases(), bound, false, spec.gwPriority(), spec.driverOptions());
            // the default routes it ranks first for (gw-priority), recorded before they are taken
            // off their givers: a crash in between leaves records that explain the kernel
            DefaultGateways.Routes ranked = gateways.ranksFirst(n, s, draft);
            EndpointRecord recorded = draft.withDefaultRoutes(ranked.v4(), ranked.v6());
            inventory.addEndpoint(recorded, n.name(), s.name());
            rollback.add(() -> inventory.removeEndpoint(recorded));
            DefaultGateways.Routes routes = gateways.claim(n, s, recorded, ranked, rollback);
            EndpointRecord e = recorded.withDefaultRoutes(routes.v4(), routes.v6());
            if (!routes.equals(ranked)) {
                inventory.updateEndpoint(e);
            }

            NetworkConfig network = n.config();
            EndpointConfig config = e.config(n);
            SandboxConfig sandbox = s.config();
            driver.createEndpoint(network, options, config);
            rollback.add(() -> driver.deleteEndpoint(network, options, config));
            JoinInfo joined = driver.join(network, options, config, sandbox);
            rollback.add(() -> driver.leave(network, options, config, sandbox));
            CrashPoints.reach("endpoint-joined");
            EndpointRecord done = e.joined(joined.mac() != null ? joined.mac() : e.mac());

            if (!bound.isEmpty()) {
                @SuppressWarnings("unchecked")
                ExternalConnectivity<Object> ext = (ExternalConnectivity<Object>) driver;
                EndpointConfig published = done.config(n);
                List<PortBinding> ports = bound;
                ext.publish(network, options, published, ports);
                rollback.add(() -> ext.unpublish(network, options, published, ports));
                CrashPoints.reach("endpoint-published");
            }
            EndpointRecord ready = done.withState(State.READY);
            events.change(() -> inventory.updateEndpoint(ready), "endpointJoined",
                    () -> views.endpoint(ready).map(Events::endpointJoined).orElse(null));
            done = ready;
            rollback.commit();
            LOG.info("sandbox " + s.name() + " joined network " + n.name() + (ifname != null ? " as " + ifname : "")
                    + (v4 != null ? " " + v4 : "") + (v6 != null ? " " + v6 : ""));
            return done;
        } catch (RuntimeException ex) {
            rollback.run(ex);
            throw Networks.translate(ex, "connect sandbox \"" + s.name() + "\" to network \"" + n.name() + "\"");
        }
    }

    /**
     * Docker's refusal for a {@code container:} container: a sharer has no networks of its own, so
     * it is connected to or disconnected from nothing; the sandbox whose namespace it is is.
     */
    private WeftException sharerHasNoNetworks(SandboxRecord s, String what) {
        String owner = inventory.sandbox(s.sharedWith()).map(SandboxRecord::name).orElse(s.sharedWith());
        return new WeftException.Conflict("sandbox \"" + s.name() + "\" cannot be " + what + ": a sandbox that shares "
                + "another's network namespace cannot have networks of its own; its networks are those of \"" + owner
                + "\" (--network " + s.shareDriver() + ":" + owner + ")");
    }

    void disconnect(String networkName, String sandboxName, boolean force) {
        NetworkRecord n = inventory.requireNetwork(networkName);
        SandboxRecord s0 = inventory.requireSandbox(sandboxName);
        if (s0.sharer()) {
            throw sharerHasNoNetworks(s0, "disconnected from network \"" + n.name() + "\"");
        }
        synchronized (locks.of(s0.id())) {
            EndpointRecord e = inventory.endpoint(n.id(), s0.id()).orElseThrow(() -> new WeftException.NotFound(
                    "sandbox \"" + s0.name() + "\" is not connected to network \"" + n.name() + "\""));
            if (!force && n.mode() == SandboxMode.HOST_NAMESPACE) {
                throw new WeftException.Conflict("sandbox \"" + s0.name() + "\" uses the host's network stack: remove the "
                        + "sandbox instead of disconnecting it from \"" + n.name() + "\"");
            }
            disconnect(n, inventory.requireSandbox(s0.id()), e, force);
        }
    }

    /**
     * Takes an endpoint down: unpublish, leave, delete, then release ports and addresses. Keeps going
     * past failures when {@code force}; otherwise a driver failure leaves the endpoint recorded.
     */
    void disconnect(NetworkRecord n, SandboxRecord s, EndpointRecord e, boolean force) {
        disconnect(n, s, e, force, false);
    }

    /**
     * As {@link #disconnect(NetworkRecord, SandboxRecord, EndpointRecord, boolean)}; when
     * {@code sandboxGoing} (the sandbox is being removed and its namespace is destroyed next) the
     * driver's leave is told so ({@link SandboxConfig#removal()}) and the endpoint's addresses are
     * not released here: the returned removal releases them once the namespace is deleted, or once
     * the driver says its interfaces are gone if it holds them. Returns null otherwise.
     */
    EndpointRemoval disconnect(NetworkRecord n, SandboxRecord s, EndpointRecord e, boolean force, boolean sandboxGoing) {
        Failures failures = new Failures();
        EndpointRemoval removal = sandboxGoing
                ? new EndpointRemoval("endpoint of " + s.name() + " on " + n.name(), () -> release(n, e)) : null;
        SandboxConfig sandbox = sandboxGoing ? s.config().asRemoving(removal) : s.config();
        inventory.updateEndpoint(e.withState(State.REMOVING));
        java.util.Optional<DriverRegistry.Handle> handle = drivers.forNetwork(n.driver(), n.driverBundle());
        if (handle.isEmpty() && !force) {
            inventory.updateEndpoint(e);
            throw Networks.unavailable(n);
        }
        // its default routes go to the next best endpoint; not when the namespace goes with all of them
        boolean moveRoutes = !sandboxGoing && e.state() == State.READY && (e.defaultRoute() || e.defaultRoute6());
        if (moveRoutes) {
            gateways.release(n, s, e);
        }
        if (handle.isPresent()) {
            try (DriverRegistry.Handle h = handle.get()) {
                NetworkDriver<Object> driver = h.driver();
                Object options = driver.parseOptions(n.options());
                NetworkConfig network = n.config();
                EndpointConfig config = e.config(n);
                if (!e.ports().isEmpty() && driver instanceof ExternalConnectivity<?>) {
                    @SuppressWarnings("unchecked")
                    ExternalConnectivity<Object> ext = (ExternalConnectivity<Object>) driver;
                    failures.run(() -> ext.unpublish(network, options, config, e.ports()));
                }
                failures.run(() -> driver.leave(network, options, config, sandbox));
                failures.run(() -> driver.deleteEndpoint(network, options, config));
            }
        }
        if (!failures.isEmpty() && !force) {
            inventory.updateEndpoint(e);
            if (moveRoutes) {
                gateways.restore(n, s, e);
            }
            throw Networks.translate(failures.first(), "disconnect sandbox \"" + s.name() + "\" from network \""
                    + n.name() + "\"");
        }
        hostPorts.release(e.id());
        if (!sandboxGoing) {
            release(n, e);
        }
        if (e.state() == State.CREATING) { // never announced: a crash interrupted its connect
            inventory.removeEndpoint(e);
        } else {
            events.changeAfter(() -> views.endpoint(e).map(Events::endpointLeft).orElse(null), "endpointLeft",
                    () -> inventory.removeEndpoint(e));
        }
        failures.all().forEach(f -> LOG.warning("forced disconnect of " + s.name() + " from " + n.name() + ": "
                + f.getMessage()));
        LOG.info("sandbox " + s.name() + " left network " + n.name());
        if (moveRoutes) {
            gateways.fill(s.id());
        }
        return removal;
    }

    /**
     * Releases an endpoint's addresses (after its interface is gone) to the network's IPAM driver.
     * When that driver is not here there is nothing to release: it gets back only the leases of
     * endpoints still recorded when it returns, and this one's record is gone by then.
     */
    void release(NetworkRecord n, EndpointRecord e) {
        if (e.ipv4() == null && e.ipv6() == null) {
            return;
        }
        java.util.Optional<IpamRegistry.Handle> held = ipams.forNetwork(n.ipam());
        if (held.isEmpty()) {
            LOG.info("endpoint " + e.id().substring(0, 12) + " on " + n.name() + ": IPAM driver \"" + n.ipam().driver()
                    + "\" is not here; its addresses are not replayed when it returns");
            return;
        }
        try (IpamRegistry.Handle h = held.get()) {
            for (InterfaceAddress a : e.addresses()) {
                poolFor(n, a.address()).ifPresent(p -> h.driver().releaseAddress(p, a.address()));
            }
        }
    }

    /** Requests an endpoint's recorded addresses again from the network's IPAM driver (restart, or its arrival). */
    static void replay(NetworkRecord n, EndpointRecord e, IpamDriver ipam) {
        for (InterfaceAddress a : e.addresses()) {
            poolFor(n, a.address()).ifPresent(p -> ipam.requestAddress(p, AddressRequest.endpoint(a.address())));
        }
    }

    private InterfaceAddress allocate(IpamDriver ipam, NetworkRecord n, boolean v4, InetAddress preferred,
                                      Rollback rollback) {
        for (SubnetRecord sub : n.subnets()) {
            IpPrefix p = sub.subnet();
            if (p.isIpv4() != v4) {
                continue;
            }
            if (preferred != null && !p.contains(preferred)) {
                continue;
            }
            PoolId pool = sub.pool();
            AddressRequest request = preferred == null ? AddressRequest.any() : AddressRequest.endpoint(preferred);
            InterfaceAddress a;
            try {
                a = ipam.requestAddress(pool, request).address();
            } catch (IpamException e) {
                // removed sandboxes hold their addresses until their interfaces are gone: when that
                // is what stands in the way, finish those removals now and ask once more
                boolean held = e.reason() == IpamException.Reason.ADDRESS_IN_USE
                        || e.reason() == IpamException.Reason.POOL_EXHAUSTED;
                if (!held || !background.hasPending() && !reaper.holdsAddresses()) {
                    throw e;
                }
                background.drain(); // namespaces deleted, then the drivers' interfaces gone
                reaper.releaseOverdue();
                a = ipam.requestAddress(pool, request).address();
            }
            InterfaceAddress allocated = a;
            rollback.add(() -> ipam.releaseAddress(pool, allocated.address()));
            return a;
        }
        return null;
    }

    private static java.util.Optional<PoolId> poolFor(NetworkRecord n, InetAddress a) {
        return n.subnetOf(a).map(SubnetRecord::pool);
    }

    private String nextInterfaceName(SandboxRecord s) {
        Set<String> used = inventory.endpoints(e -> e.sandbox().equals(s.id())).stream()
                .map(EndpointRecord::interfaceName).filter(x -> x != null).collect(Collectors.toSet());
        for (int i = 0; ; i++) {
            if (!used.contains("eth" + i)) {
                return "eth" + i;
            }
        }
    }
}
