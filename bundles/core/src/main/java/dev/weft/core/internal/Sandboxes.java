package dev.weft.core.internal;

import dev.weft.api.Failures;
import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.State;
import dev.weft.net.NetNamespace;
import dev.weft.spi.SandboxMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Sandbox lifecycle: a namespace (created, adopted, or the host's), its loopback, a resolv.conf for
 * {@code ip netns exec}, then its first network; and the reverse, which leaves every network first.
 */
final class Sandboxes {
    private static final Logger LOG = Logger.getLogger(Sandboxes.class.getName());

    private final HostSystem system;
    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final Endpoints endpoints;
    private final Locks locks;
    private final ResolverFiles files;
    private final SandboxReaper reaper;

    Sandboxes(HostSystem system, Inventory inventory, DriverRegistry drivers, Endpoints endpoints, Locks locks,
              SandboxReaper reaper, ResolverFiles files) {
        this.system = system;
        this.inventory = inventory;
        this.drivers = drivers;
        this.endpoints = endpoints;
        this.locks = locks;
        this.files = files;
        this.reaper = reaper;
    }

    /** Set once by the controller: the way out of networks that give none. */
    private Egress egress;

    void egress(Egress e) {
        this.egress = e;
    }

    SandboxRecord create(SandboxSpec spec) {
        Names.check("sandbox", spec.name());
        String network = spec.network() != null ? spec.network() : defaultNetwork();
        reaper.await(spec.name()); // a removed sandbox of this name may still have its namespace
        if (inventory.sandbox(spec.name()).filter(s -> s.name().equals(spec.name())).isPresent()) {
            throw new WeftException.Conflict("sandbox \"" + spec.name() + "\" already exists: choose another name");
        }
        if (network.contains(":")) { // DRIVER:SANDBOX, a mode no network stands for (Docker's container:NAME)
            return createSharing(spec, network);
        }
        NetworkRecord n = inventory.requireNetwork(network);
        SandboxInfo.Mode mode = n.mode() == SandboxMode.HOST_NAMESPACE ? SandboxInfo.Mode.HOST
                : spec.namespace() != null ? SandboxInfo.Mode.ADOPTED : SandboxInfo.Mode.CREATED;
        if (spec.namespace() != null && !java.nio.file.Files.exists(spec.namespace())) {
            throw new WeftException.InvalidRequest("--netns " + spec.namespace() + ": no such file; give the path of a "
                    + "network namespace, e.g. /proc/PID/ns/net or /run/netns/NAME");
        }
        if (mode == SandboxInfo.Mode.HOST && spec.namespace() != null) {
            throw new WeftException.InvalidRequest("--netns and --network " + n.name() + " exclude each other: a sandbox on "
                    + "network \"" + n.name() + "\" is the host's namespace");
        }
        checkNames(spec, n);
        EndpointSpec first = egress.forNetwork(n, spec.endpoint()); // its ports may go to the egress network
        try (DriverRegistry.Handle h = drivers.forNetwork(n.driver(), n.driverBundle())
                .orElseThrow(() -> Networks.unavailable(n))) {
            SandboxRecord draft = new SandboxRecord("", spec.name(), Path.of(""), 0, 0, mode, State.CREATING,
                    Instant.now(), List.of(), null);
            endpoints.validate(n, draft, first, h.driver());
        }

        String id = Ids.newId();
        Path nsPath = switch (mode) {
            case HOST -> system.hostNamespace().path();
            case ADOPTED -> spec.namespace();
            default -> system.namespaceDirectory().resolve(spec.name());
        };
        SandboxRecord record = new SandboxRecord(id, spec.name(), nsPath, 0, 0, mode, State.CREATING,
                Instant.now(), List.of(), null).withNetworkMode(n.name()).withNames(spec.hostname(), spec.dns(), spec.links());
        Rollback rollback = new Rollback();
        try {
            inventory.addSandbox(record);
            rollback.add(() -> inventory.removeSandbox(id));
            NetNamespace ns = switch (mode) {
                case HOST -> system.hostNamespace();
                case ADOPTED -> system.adoptNamespace(spec.namespace());
                default -> {
                    NetNamespace created = system.createNamespace(spec.name());
                    rollback.add(() -> system.deleteNamespace(spec.name()));
                    yield created;
                }
            };
            CrashPoints.reach("sandbox-namespace-made");
            record = record.withNamespace(ns);
            inventory.updateSandbox(record);
            if (mode == SandboxInfo.Mode.CREATED) { // its loopback is up already (HostSystem.createNamespace)
                rollback.add(() -> removeResolvConf(spec.name()));
            }
            endpoints.connect(n.id(), id, first);
            try {
                egress.joined(n, id, spec.endpoint().ports());
            } catch (RuntimeException e) {
                endpoints.disconnect(n.id(), id, true);
                throw e;
            }
            // after the join: the name service knows its names, and its resolv.conf can name it
            files.write(inventory.requireSandbox(id));
            // READY only once its first network is joined: a crash before leaves a CREATING record
            // that reconcile removes whole
            inventory.updateSandbox(inventory.requireSandbox(id).withState(State.READY));
            rollback.commit();
            LOG.info("sandbox " + spec.name() + " created (" + mode.name().toLowerCase() + ", " + ns + ")");
            return inventory.requireSandbox(id);
        } catch (RuntimeException e) {
            rollback.run(e);
            throw Networks.translate(e, "create sandbox \"" + spec.name() + "\"");
        }
    }

    /**
     * The sandbox's own names and resolver settings, checked before anything is made:
     * {@code --hostname} a host name; {@code --dns} servers that can answer (not a wildcard or
     * multicast address); {@code --link} only on the default network (a user network resolves its
     * sandboxes' names), each to a sandbox there, none twice.
     */
    private void checkNames(SandboxSpec spec, NetworkRecord n) {
        Names.checkHostname(spec.hostname());
        for (java.net.InetAddress a : spec.dns().servers()) {
            if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
                throw new WeftException.InvalidRequest("--dns " + dev.weft.net.IpAddresses.format(a) + " is not a name "
                        + "server's address: give the unicast address of a server, e.g. 192.0.2.53 or 2001:db8::53");
            }
        }
        if (spec.links().isEmpty()) {
            return;
        }
        if (!(n.predefined() && n.sandboxDefault())) {
            throw new WeftException.InvalidRequest("--link " + spec.links().get(0) + ": links are for the default network "
                    + "(\"bridge\"), and this sandbox goes on \"" + n.name() + "\""
                    + (n.predefined() ? "" : ", where sandboxes resolve each other by name already (give --alias for "
                    + "another name)"));
        }
        java.util.Set<String> aliases = new java.util.HashSet<>();
        for (dev.weft.api.SandboxLink link : spec.links()) {
            if (!Names.isDnsName(link.alias())) {
                throw new WeftException.InvalidRequest("--link " + link + ": \"" + link.alias() + "\" is not a name a "
                        + "hosts file can hold: use labels of letters, digits, '-' and '_', separated by '.'");
            }
            if (link.sandbox().equals(spec.name())) {
                throw new WeftException.InvalidRequest("--link " + link + ": a sandbox cannot link to itself");
            }
            SandboxRecord t = inventory.sandbox(link.sandbox()).filter(x -> x.name().equals(link.sandbox()))
                    .orElseThrow(() -> new WeftException.NotFound("--link " + link + ": no sandbox \"" + link.sandbox()
                            + "\" (see sandbox:list)"));
            if (t.state() != State.READY || inventory.endpoint(n.id(), t.id()).isEmpty()) {
                throw new WeftException.InvalidRequest("--link " + link + ": sandbox \"" + t.name() + "\" is not on "
                        + "network \"" + n.name() + "\"; a link reaches a sandbox on the same default network");
            }
            if (!aliases.add(link.alias().toLowerCase(java.util.Locale.ROOT))) {
                throw new WeftException.InvalidRequest("--link " + link + ": the name \"" + link.alias() + "\" is given "
                        + "twice: give each link a name of its own");
            }
        }
    }

    /**
     * The network of a sandbox created without one: the predefined network its driver marks as the
     * default (Docker's {@code bridge}), else a predefined one whose driver gives no interface
     * (Docker's {@code none}).
     */
    private String defaultNetwork() {
        List<NetworkRecord> predefined = inventory.networks().stream().filter(NetworkRecord::predefined).toList();
        return predefined.stream().filter(NetworkRecord::sandboxDefault).findFirst()
                .or(() -> predefined.stream().filter(x -> x.mode() == SandboxMode.NO_INTERFACE).findFirst())
                .map(NetworkRecord::name)
                .orElseThrow(() -> new WeftException.InvalidRequest("no network to put the sandbox on: give --network "
                        + "(see network:list); no installed driver declares a default network"));
    }

    /**
     * {@code --network DRIVER:SANDBOX}: a sandbox sharing another's namespace, offered by a driver of
     * {@link SandboxMode#SHARED_NAMESPACE} (no network stands for it). Checked first, with nothing
     * made: the driver, the request (a sharer has no networks of its own, so nothing of an endpoint
     * applies), the sandbox named (a chain resolves to the sandbox that has the namespace, as Docker
     * does). Then, under the shared sandbox's lock (its removal waits, and sees this sharer): the
     * record, a second name of the namespace in the namespace directory, a copy of its /etc/netns
     * files.
     */
    private SandboxRecord createSharing(SandboxSpec spec, String reference) {
        String driver = reference.substring(0, reference.indexOf(':'));
        String target = reference.substring(reference.indexOf(':') + 1);
        try (DriverRegistry.Handle h = drivers.forNew(driver).orElseThrow(() -> new WeftException.Unavailable("--network "
                + reference + " needs the network driver \"" + driver + "\", which is not installed (see driver:list)"))) {
            if (h.driver().sandboxMode() != SandboxMode.SHARED_NAMESPACE) {
                throw new WeftException.InvalidRequest("--network " + reference + ": driver \"" + driver + "\" does not "
                        + "share another sandbox's namespace; give a network's name (see network:list) or "
                        + "DRIVER:SANDBOX with a driver that does");
            }
            if (target.isEmpty()) {
                throw new WeftException.InvalidRequest("--network " + reference + ": name the sandbox whose network "
                        + "namespace to share, e.g. " + driver + ":web");
            }
            checkSharingRequest(spec, reference, target);
            if (target.equals(spec.name())) {
                throw new WeftException.InvalidRequest("--network " + reference + ": a sandbox cannot share its own "
                        + "network namespace");
            }
            SandboxRecord owner = owner(reference, target);
            String id = Ids.newId();
            synchronized (locks.of(owner.id())) {
                SandboxRecord fresh = inventory.freshSandbox(owner.id());
                if (fresh == null || fresh.state() != State.READY || reaper.isPending(fresh.name())) {
                    throw new WeftException.Conflict("--network " + reference + ": sandbox \"" + owner.name()
                            + "\" is being removed");
                }
                SandboxRecord record = SandboxRecord.sharing(id, spec.name(),
                        system.namespaceDirectory().resolve(spec.name()), owner.id(), driver);
                Rollback rollback = new Rollback();
                try {
                    inventory.addSandbox(record);
                    rollback.add(() -> inventory.removeSandbox(id));
                    NetNamespace ns = system.bindNamespace(spec.name(), fresh.netns());
                    rollback.add(() -> system.deleteNamespace(spec.name()));
                    CrashPoints.reach("sandbox-namespace-made");
                    files.copy(fresh.name(), spec.name());
                    rollback.add(() -> removeResolvConf(spec.name()));
                    inventory.updateSandbox(record.withNamespace(ns).withState(State.READY));
                    rollback.commit();
                } catch (RuntimeException e) {
                    rollback.run(e);
                    throw Networks.translate(e, "create sandbox \"" + spec.name() + "\"");
                }
            }
            LOG.info("sandbox " + spec.name() + " created, sharing the namespace of " + owner.name());
            return inventory.requireSandbox(id);
        }
    }

    /**
     * The sandbox whose namespace {@code --network DRIVER:TARGET} shares: the one named, or, when
     * that one shares another's, the one at the end of the chain.
     */
    private SandboxRecord owner(String reference, String target) {
        SandboxRecord s = inventory.sandbox(target).orElseThrow(() -> new WeftException.NotFound("--network "
                + reference + ": no sandbox \"" + target + "\" (see sandbox:list)"));
        if (s.sharer()) { // a sharer records the end of its chain, so one step reaches it
            SandboxRecord sharer = s;
            s = inventory.sandbox(sharer.sharedWith()).orElseThrow(() -> new WeftException.NotFound("--network "
                    + reference + ": sandbox \"" + sharer.name() + "\" shares the namespace of a sandbox that is gone"));
        }
        if (s.state() != State.READY) {
            throw new WeftException.Conflict("--network " + reference + ": sandbox \"" + s.name() + "\" is being "
                    + (s.state() == State.CREATING ? "created" : "removed"));
        }
        return s;
    }

    /**
     * A sharer has no networks of its own: every setting of an endpoint, and an adopted namespace,
     * are refused (Docker: "conflicting options: ... and the network mode"), naming the setting.
     */
    private static void checkSharingRequest(SandboxSpec spec, String reference, String target) {
        dev.weft.api.EndpointSpec e = spec.endpoint();
        List<String> refused = new ArrayList<>();
        if (spec.namespace() != null) {
            refused.add("--netns");
        }
        if (!e.ports().isEmpty()) {
            refused.add("--publish");
        }
        if (e.ipv4() != null) {
            refused.add("--ip");
        }
        if (e.ipv6() != null) {
            refused.add("--ip6");
        }
        if (!e.aliases().isEmpty()) {
            refused.add("--alias");
        }
        if (e.mac() != null) {
            refused.add("--mac-address");
        }
        if (!e.driverOptions().isEmpty()) {
            refused.add("--driver-opt");
        }
        if (e.gwPriority() != 0) {
            refused.add("--gw-priority");
        }
        if (spec.hostname() != null) {
            refused.add("--hostname");
        }
        if (!spec.dns().servers().isEmpty()) {
            refused.add("--dns");
        }
        if (!spec.dns().search().isEmpty()) {
            refused.add("--dns-search");
        }
        if (!spec.dns().options().isEmpty()) {
            refused.add("--dns-option");
        }
        if (!spec.links().isEmpty()) {
            refused.add("--link");
        }
        if (!refused.isEmpty()) {
            throw new WeftException.InvalidRequest("--network " + reference + " and " + String.join(", ", refused)
                    + " exclude each other: a sandbox that shares another's network namespace cannot have networks of "
                    + "its own (its network settings are those of sandbox \"" + target + "\", whose namespace it uses)");
        }
    }

    /**
     * Points host-mode sandboxes at the host namespace of this run: their recorded path
     * ({@code /proc/PID/ns/net} of the previous run) is stale after a restart.
     */
    void refreshHostSandboxes() {
        NetNamespace host = system.hostNamespace();
        for (SandboxRecord s : inventory.sandboxes()) {
            if (s.mode() == SandboxInfo.Mode.HOST && !s.namespace().equals(host.path())) {
                inventory.updateSandbox(s.withNamespace(host));
            }
        }
    }

    /**
     * Removes a sandbox. Of several callers removing one sandbox at once exactly one does it; the
     * others get {@link #alreadyRemoved}, whatever the timing. A sandbox whose earlier removal
     * failed part way (its record stays REMOVING, nothing runs for it) is removed again.
     */
    void remove(String nameOrId, boolean force) {
        SandboxRecord s0 = inventory.requireSandbox(nameOrId);
        if (s0.state() == State.REMOVING && reaper.isPending(s0.name())) {
            throw alreadyRemoved(nameOrId);
        }
        synchronized (locks.of(s0.id())) { // a new sharer of it is made under this lock too
            SandboxRecord s = inventory.sandbox(s0.id()).orElse(null);
            if (s == null || reaper.isPending(s.name())) {
                throw alreadyRemoved(nameOrId); // another caller removed it meanwhile
            }
            List<SandboxRecord> sharers = inventory.sharersOf(s.id());
            if (!sharers.isEmpty() && !force) {
                String names = String.join(", ", sharers.stream().map(SandboxRecord::name).toList());
                throw new WeftException.Conflict("sandbox \"" + s.name() + "\" is shared by " + names + " (its network "
                        + "namespace is theirs too): remove " + (sharers.size() == 1 ? "it" : "them") + " first, or "
                        + "remove \"" + s.name() + "\" with --force, which removes " + names + " too");
            }
            for (SandboxRecord sharer : sharers) {
                removeSharer(sharer);
            }
            remove(s, false, true);
        }
        locks.forget(s0.id());
    }

    /** Removes a sharer of a sandbox being removed with force (under the shared sandbox's lock). */
    private void removeSharer(SandboxRecord sharer) {
        synchronized (locks.of(sharer.id())) {
            SandboxRecord s = inventory.sandbox(sharer.id()).orElse(null);
            if (s != null && !reaper.isPending(s.name())) {
                remove(s, false, true);
            }
        }
        locks.forget(sharer.id());
    }

    private static WeftException alreadyRemoved(String nameOrId) {
        return new WeftException.NotFound("sandbox \"" + nameOrId + "\" was already removed by another request");
    }

    /** Removes a sandbox and waits for all of it (reconcile). */
    void remove(SandboxRecord s, boolean quiet) {
        remove(s, quiet, false);
    }

    /**
     * Leaves every network (newest first), then removes the namespace Weft created. With
     * {@code background}, the caller's path ends once the sandbox is out of its networks (and so
     * out of every listing): the namespace's deletion, the kernel's destruction of its interfaces
     * and the release of the endpoints' addresses after it are left to the {@link SandboxReaper};
     * the record stays REMOVING until the namespace is deleted.
     */
    private void remove(SandboxRecord s, boolean quiet, boolean background) {
        inventory.updateSandbox(s.withState(State.REMOVING));
        // a sharer's name in the namespace directory is deleted like a namespace Weft created; the
        // namespace itself lives on in the sandbox it belongs to
        boolean going = s.mode() == SandboxInfo.Mode.CREATED || s.sharer();
        Failures failures = new Failures();
        List<EndpointRemoval> removals = new ArrayList<>();
        List<String> eps = new ArrayList<>(s.endpoints());
        java.util.Collections.reverse(eps);
        for (String epId : eps) {
            for (EndpointRecord e : inventory.endpoint(epId).stream().toList()) {
                NetworkRecord n = inventory.network(e.network()).orElse(null);
                if (n == null) {
                    inventory.removeEndpoint(e);
                    continue;
                }
                failures.run(() -> {
                    EndpointRemoval removal = endpoints.disconnect(n, inventory.freshSandbox(s.id()), e, true, going);
                    if (removal != null) {
                        removals.add(removal);
                    }
                });
            }
        }
        if (failures.isEmpty()) {
            SandboxRecord left = inventory.freshSandbox(s.id());
            SandboxReaper.Job job = new SandboxReaper.Job(left != null ? left : s, going, removals);
            if (background && going) {
                reaper.submit(job);
            } else {
                reaper.finishNow(job); // the same steps on this thread: namespace, record, interfaces, addresses
            }
            if (!quiet) {
                LOG.info("sandbox " + s.name() + " removed" + (background && going ? " (its namespace goes in the background)" : ""));
            }
            return;
        }
        // something failed: delete what can be deleted, keep the record REMOVING for the next start
        if (going) {
            failures.run(() -> {
                system.deleteNamespace(s.name());
                removeResolvConf(s.name());
            });
        }
        removals.forEach(EndpointRemoval::namespaceGone);
        throw Networks.translate(failures.first(), "remove sandbox \"" + s.name() + "\"");
    }

    /** Waits until the namespace of a removed sandbox (by name or id) is deleted. */
    void awaitRemoval(String nameOrId) {
        // its REMOVING record stays until then, so an id still finds the name
        reaper.await(inventory.sandbox(nameOrId).map(SandboxRecord::name).orElse(nameOrId));
    }

    /** Waits until sandbox removals running in the background are done (tests, network removal, shutdown). */
    void drainRemovals() {
        reaper.drain();
    }

    /** Finishes background removals and stops their thread. */
    void close() {
        reaper.close();
    }

    void removeResolvConf(String name) {
        files.remove(name);
    }

    /** The resolver files of a sandbox ({@link dev.weft.api.Controller#resolverFiles}). */
    java.util.Map<String, String> resolverFiles(String nameOrId) {
        SandboxRecord r = inventory.sandbox(nameOrId).filter(x -> x.state() != State.REMOVING)
                .orElseThrow(() -> new WeftException.NotFound("no such sandbox: " + nameOrId));
        return files.contents(r);
    }
}
