package dev.weft.core.internal;

import dev.weft.api.SandboxInfo;
import dev.weft.core.internal.ports.HostPorts;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.State;
import dev.weft.core.internal.store.Store;
import dev.weft.spi.Restorable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Brings the records and the kernel together at start: the records are the one source of truth
 * for IPAM (leases are requested again from them, into the IPAM driver of each network, at start
 * or when that driver arrives), half-made objects a crash left are finished off, sandboxes whose
 * namespace vanished are dropped, and each driver re-adopts its kernel state when it (re)arrives.
 * One log line per thing fixed.
 */
final class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final Networks networks;
    private final Endpoints endpoints;
    private final Sandboxes sandboxes;
    private final HostPorts hostPorts;
    private final IpamRegistry ipams;
    private final Leases leases;
    /** The driver registrations whose networks have been restored (each arrival is a new entry). */
    private final java.util.Set<DriverRegistry.Entry> restored = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Reconciler(Inventory inventory, DriverRegistry drivers, Networks networks, Endpoints endpoints, Sandboxes sandboxes,
               HostPorts hostPorts, IpamRegistry ipams, Leases leases) {
        this.ipams = ipams;
        this.leases = leases;
        this.inventory = inventory;
        this.drivers = drivers;
        this.networks = networks;
        this.endpoints = endpoints;
        this.sandboxes = sandboxes;
        this.hostPorts = hostPorts;
    }

    void reconcile() {
        Store store = inventory.store();
        List<NetworkRecord> ns = store.networks(LOG::warning);
        List<SandboxRecord> ss = store.sandboxes(LOG::warning);
        List<EndpointRecord> es = store.endpoints(LOG::warning);
        inventory.load(ns, ss, es);

        for (SandboxRecord s : ss) {
            boolean gone = s.state() == State.READY && s.mode() != SandboxInfo.Mode.HOST && !s.netns().stillThere();
            if (gone) {
                for (EndpointRecord e : inventory.endpoints(x -> x.sandbox().equals(s.id()))) {
                    inventory.removeEndpoint(e);
                }
                inventory.removeSandbox(s.id());
                sandboxes.removeResolvConf(s.name());
                LOG.info("sandbox " + s.name() + ": its namespace " + s.namespace()
                        + " vanished while Weft was down; removed from the state");
            }
        }
        for (SandboxRecord s : inventory.sandboxes()) {
            // a sharer whose sandbox vanished while Weft was down (its namespace deleted by another
            // tool) shares nothing Weft knows: its name of the namespace goes too
            if (s.sharer() && inventory.sandbox(s.sharedWith()).isEmpty()) {
                try {
                    sandboxes.remove(s, true);
                    LOG.info("sandbox " + s.name() + ": the sandbox whose namespace it shared vanished while Weft was "
                            + "down; removed");
                } catch (RuntimeException ex) {
                    LOG.warning("sandbox " + s.name() + ": cannot remove it (the sandbox whose namespace it shared is "
                            + "gone): " + ex.getMessage());
                }
            }
        }
        for (EndpointRecord e : inventory.endpoints(x -> true)) {
            Optional<NetworkRecord> n = inventory.network(e.network());
            if (n.isEmpty() || inventory.sandbox(e.sandbox()).isEmpty()) {
                inventory.removeEndpoint(e);
                LOG.info("endpoint " + e.id().substring(0, 12) + ": its network or sandbox is gone; removed from the state");
                continue;
            }
            try {
                if (!e.ports().isEmpty()) {
                    // held again before any driver is called; mapping them (DNAT, core's relay) is
                    // the driver's restore
                    String owner = inventory.sandbox(e.sandbox()).map(SandboxRecord::name).orElse(e.sandbox());
                    hostPorts.restore(e.id(), owner, e.ports());
                }
            } catch (RuntimeException ex) {
                LOG.warning("endpoint " + e.id().substring(0, 12) + ": cannot take its host ports back: " + ex.getMessage());
            }
        }
        ipams.entries().forEach(leases::replay);
        sandboxes.refreshHostSandboxes();
        finishSandboxes();
        LOG.info("reconciled " + ns.size() + " network(s), " + ss.size() + " sandbox(es), " + es.size() + " endpoint(s)");
    }

    /**
     * When a driver (re)arrives: finishes what a crash left half done on its networks, then lets it
     * re-adopt the kernel state of the others.
     */
    void restore(DriverRegistry.Entry driver) {
        for (NetworkRecord n : inventory.networks()) {
            if (!n.driver().equals(driver.name) || !n.driverBundle().equals(driver.bundle)) {
                continue;
            }
            finishHalfDone(n);
            if (inventory.network(n.id()).isEmpty() || !(driver.driver instanceof Restorable<?>)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Restorable<Object> r = (Restorable<Object>) driver.driver;
            try {
                Object options = driver.driver.parseOptions(n.options());
                List<Restorable.RestoredEndpoint> eps = new ArrayList<>();
                for (EndpointRecord e : inventory.endpoints(x -> x.network().equals(n.id()) && x.state() == State.READY)) {
                    inventory.sandbox(e.sandbox()).ifPresent(s -> eps.add(new Restorable.RestoredEndpoint(
                            e.config(n), s.config(), e.joinInfo(), e.ports())));
                }
                r.restore(n.config(), options, eps);
            } catch (RuntimeException e) {
                LOG.warning("network " + n.name() + ": driver " + driver.name + " could not restore it: " + e.getMessage());
            }
        }
        finishSandboxes();
        restored.add(driver);
        // a default route a crash or a failure left to no endpoint goes to the best one that can take it
        endpoints.gateways().fillAll(restored::contains);
    }

    /**
     * Removes sandboxes a crash left being created or removed, once the drivers of all their
     * endpoints are here to take the endpoints down properly (else at a later driver arrival).
     */
    private void finishSandboxes() {
        for (SandboxRecord s : inventory.sandboxes()) {
            if (s.state() == State.READY) {
                continue;
            }
            boolean driversHere = inventory.endpoints(e -> e.sandbox().equals(s.id())).stream()
                    .map(e -> inventory.network(e.network()))
                    .allMatch(n -> n.isEmpty() || drivers.available(n.get().driver(), n.get().driverBundle()));
            if (!driversHere) {
                continue;
            }
            try {
                sandboxes.remove(s, true);
                LOG.info("sandbox " + s.name() + ": removed what a crash left of its " + s.state().name().toLowerCase());
            } catch (RuntimeException ex) {
                LOG.warning("sandbox " + s.name() + ": cannot finish its " + s.state().name().toLowerCase() + ": "
                        + ex.getMessage());
            }
        }
    }

    private void finishHalfDone(NetworkRecord n) {
        for (EndpointRecord e : inventory.endpoints(x -> x.network().equals(n.id()) && x.state() != State.READY)) {
            inventory.sandbox(e.sandbox()).ifPresent(s -> {
                try {
                    endpoints.disconnect(n, s, e, true);
                    LOG.info("endpoint of " + s.name() + " on " + n.name() + ": finished a " + e.state().name().toLowerCase()
                            + " a crash interrupted, by removing it");
                } catch (RuntimeException ex) {
                    LOG.warning("endpoint of " + s.name() + " on " + n.name() + ": " + ex.getMessage());
                }
            });
        }
        if (n.state() != State.READY) {
            try (DriverRegistry.Handle h = drivers.forNetwork(n.driver(), n.driverBundle()).orElseThrow()) {
                h.driver().deleteNetwork(n.config(), h.driver().parseOptions(n.options()));
                networks.release(n);
                inventory.removeNetwork(n.id());
                LOG.info("network " + n.name() + ": removed what a crash left of its " + n.state().name().toLowerCase());
            } catch (RuntimeException ex) {
                LOG.warning("network " + n.name() + ": cannot finish its " + n.state().name().toLowerCase() + ": "
                        + ex.getMessage());
            }
        }
    }
}
