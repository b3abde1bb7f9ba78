package dev.weft.core.internal;

import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.State;
import dev.weft.spi.DefaultRoutes;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkDriver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Which endpoint of a sandbox gives it its default routes, and moving them as endpoints come and
 * go (Docker's gw-priority; the contract is {@link DefaultRoutes}'s). Per IP family: of the
 * endpoints that can give one (an address and a gateway of the family on a network that is not
 * internal and whose driver did not say its endpoints give none, {@link NetworkRecord#givesDefaultRoutes()}),
 * the one with the highest priority, on a tie the one connected first. The endpoint
 * records say who gives which ({@link EndpointRecord#defaultRoute()}, {@link EndpointRecord#defaultRoute6()}),
 * so a restart keeps the choice. Callers hold the sandbox's lock.
 */
final class DefaultGateways {
    private static final Logger LOG = Logger.getLogger(DefaultGateways.class.getName());

    /** The IP families an endpoint gives (or is to give) default routes for. */
    record Routes(boolean v4, boolean v6) {
        static final Routes NONE = new Routes(false, false);

        boolean any() {
            return v4 || v6;
        }

        static Routes of(EndpointRecord e) {
            return new Routes(e.defaultRoute(), e.defaultRoute6());
        }

        /** For messages; only for flags with one set. */
        String families() {
            return v4 && v6 ? "IPv4 and IPv6 default routes" : v4 ? "IPv4 default route" : "IPv6 default route";
        }
    }

    private final Inventory inventory;
    private final DriverRegistry drivers;
    private final Locks locks;

    DefaultGateways(Inventory inventory, DriverRegistry drivers, Locks locks) {
        this.inventory = inventory;
        this.drivers = drivers;
        this.locks = locks;
    }

    /** Whether the endpoint can give the sandbox a default route of the family. */
    static boolean canGive(NetworkRecord n, EndpointRecord e, boolean v4) {
        return gives(n, e.withDefaultRoutes(true, true), v4);
    }

    /** Whether the endpoint gives the sandbox a default route of the family (recorded, and it can). */
    static boolean gives(NetworkRecord n, EndpointRecord e, boolean v4) {
        EndpointConfig c = e.config(n); // the flags are only where it can give the route
        return v4 ? c.defaultRoute4() : c.defaultRoute6();
    }

    /**
     * The default routes a new endpoint ranks first for: each family it can give that no endpoint
     * of the sandbox gives, or whose giver has a lower priority (a tie keeps the one connected first).
     */
    Routes ranksFirst(NetworkRecord n, SandboxRecord s, EndpointRecord created) {
        return new Routes(wants(n, s, created, true), wants(n, s, created, false));
    }

    /**
     * A new endpoint (recorded with the routes it {@link #ranksFirst ranks first} for, not yet
     * joined) takes them: their givers' drivers take them out first ({@link DefaultRoutes}). A giver
     * whose driver cannot, or fails, keeps its route (logged). Returns the families the new endpoint
     * is to give at its join; undoing (through {@code rollback}) gives the routes back.
     */
    Routes claim(NetworkRecord n, SandboxRecord s, EndpointRecord created, Routes ranked, Rollback rollback) {
        boolean v4 = ranked.v4(), v6 = ranked.v6();
        if (!v4 && !v6) {
            return Routes.NONE;
        }
        // take the families off their givers; one call per giver
        for (Giver g : givers(s, created)) {
            boolean take4 = v4 && g.routes.v4(), take6 = v6 && g.routes.v6();
            if (!take4 && !take6) {
                continue;
            }
            Routes taken = new Routes(take4, take6);
            Routes left = new Routes(g.routes.v4() && !take4, g.routes.v6() && !take6);
            String why = "it keeps the " + taken.families() + ", and network \"" + n.name() + "\" (gw-priority "
                    + created.gwPriority() + ") joins without " + (taken.v4() && taken.v6() ? "them" : "it");
            if (set(g.network, s, g.endpoint, left, why) != Outcome.DONE) {
                v4 &= !take4;
                v6 &= !take6;
                continue;
            }
            CrashPoints.reach("default-route-taken");
            LOG.info("sandbox " + s.name() + ": the " + taken.families() + (taken.v4() && taken.v6() ? " move" : " moves")
                    + " from network " + g.network.name() + " (gw-priority " + g.endpoint.gwPriority() + ") to "
                    + n.name() + " (gw-priority " + created.gwPriority() + ")");
            rollback.add(() -> set(g.network, s, g.endpoint.withDefaultRoutes(left.v4(), left.v6()), g.routes,
                    "the connect of network \"" + n.name() + "\" failed, and the sandbox stays without the "
                            + taken.families() + " it took"));
        }
        return new Routes(v4, v6);
    }

    /** Whether the new endpoint ranks first for the family: it can give it, and no giver has its priority or more. */
    private boolean wants(NetworkRecord n, SandboxRecord s, EndpointRecord created, boolean v4) {
        if (!canGive(n, created, v4)) {
            return false;
        }
        return givers(s, created).stream().filter(g -> v4 ? g.routes.v4() : g.routes.v6())
                .allMatch(g -> created.gwPriority() > g.endpoint.gwPriority());
    }

    /**
     * Before an endpoint that gives default routes leaves (not when its sandbox is being removed):
     * its driver takes them out, so the next one can have them. A driver without {@link DefaultRoutes}
     * keeps them until its leave takes the interface away.
     */
    void release(NetworkRecord n, SandboxRecord s, EndpointRecord leaving) {
        Routes r = routesOf(n, leaving);
        if (r.any()) {
            set(n, s, leaving, Routes.NONE, "its " + r.families() + " go" + (r.v4() && r.v6() ? "" : "es")
                    + " with its interface at its leave");
        }
    }

    /** Gives an endpoint whose leave failed its default routes back (what {@link #release} took). */
    void restore(NetworkRecord n, SandboxRecord s, EndpointRecord stays) {
        Routes r = routesOf(n, stays);
        if (r.any()) {
            set(n, s, stays.withDefaultRoutes(false, false), r, "its leave failed");
        }
    }

    /**
     * Gives each family that no endpoint of the sandbox gives, although one could, to the best one
     * whose driver can add it ({@link DefaultRoutes}): after the giver left, and after a crash or a
     * failure in the middle of a move. Does nothing for a sandbox that is not READY.
     */
    void fill(String sandboxId) {
        fill(sandboxId, d -> true, false);
    }

    /**
     * {@link #fill(String)} for every sandbox, after a driver restored its networks, with the
     * endpoints of drivers that have restored theirs ({@code restored}; a driver is called for a
     * network only after its restore); a family that no driver can add is not warned about again.
     */
    void fillAll(Predicate<DriverRegistry.Entry> restored) {
        inventory.sandboxes().forEach(s -> fill(s.id(), restored, true));
    }

    private void fill(String sandboxId, Predicate<DriverRegistry.Entry> usable, boolean quiet) {
        synchronized (locks.of(sandboxId)) {
            SandboxRecord s = inventory.sandbox(sandboxId).orElse(null);
            if (s == null || s.state() != State.READY) {
                return;
            }
            fill(s, true, usable, quiet);
            fill(s, false, usable, quiet);
        }
    }

    private void fill(SandboxRecord s, boolean v4, Predicate<DriverRegistry.Entry> usable, boolean quiet) {
        List<Giver> ranked = ranked(s, v4);
        if (ranked.isEmpty() || ranked.stream().anyMatch(g -> v4 ? g.routes.v4() : g.routes.v6())) {
            return;
        }
        for (Giver g : ranked) {
            Routes now = g.routes;
            Routes wanted = v4 ? new Routes(true, now.v6()) : new Routes(now.v4(), true);
            if (set(g.network, s, g.endpoint, wanted, null, usable) == Outcome.DONE) {
                LOG.info("sandbox " + s.name() + ": network " + g.network.name() + " (gw-priority "
                        + g.endpoint.gwPriority() + ") gives the " + (v4 ? "IPv4" : "IPv6") + " default route now");
                return;
            }
        }
        if (!quiet) {
            LOG.warning("sandbox " + s.name() + " has no " + (v4 ? "IPv4" : "IPv6") + " default route: the drivers "
                    + "of its networks that could give one cannot add it to an endpoint that has joined");
        }
    }

    private enum Outcome { DONE, CANNOT, FAILED }

    /**
     * Asks the endpoint's driver to make its default routes {@code wanted}, and records them: a
     * route taken out is recorded before the call, one added after it, so a crash in between
     * leaves a family recorded as given by no endpoint, which the next {@link #fill} gives again
     * (never one recorded as given that the kernel lacks). On failure it puts them back (a second
     * call) and records what was. {@code keepWhy} says, for the log, what follows when the driver
     * cannot or fails (null: say nothing when it cannot).
     */
    private Outcome set(NetworkRecord n, SandboxRecord s, EndpointRecord e, Routes wanted, String keepWhy) {
        return set(n, s, e, wanted, keepWhy, d -> true);
    }

    /** As {@link #set(NetworkRecord, SandboxRecord, EndpointRecord, Routes, String)}, if {@code usable} takes its driver. */
    private Outcome set(NetworkRecord n, SandboxRecord s, EndpointRecord e, Routes wanted, String keepWhy,
                        Predicate<DriverRegistry.Entry> usable) {
        String what = "sandbox " + s.name() + ": endpoint " + e.id().substring(0, 12) + " on network " + n.name();
        Optional<DriverRegistry.Handle> held = drivers.forNetwork(n.driver(), n.driverBundle());
        if (held.isPresent() && !usable.test(held.get().entry)) {
            held.get().close();
            return Outcome.CANNOT; // not restored yet: its own restore is followed by a fill
        }
        if (held.isEmpty() || !(held.get().driver() instanceof DefaultRoutes<?>)) {
            held.ifPresent(DriverRegistry.Handle::close);
            if (keepWhy != null) {
                LOG.info(what + ": its driver \"" + n.driver() + "\" " + (held.isEmpty() ? "is not here"
                        : "cannot move default routes") + "; " + keepWhy);
            }
            return Outcome.CANNOT;
        }
        try (DriverRegistry.Handle h = held.get()) {
            NetworkDriver<Object> driver = h.driver();
            @SuppressWarnings("unchecked")
            DefaultRoutes<Object> routes = (DefaultRoutes<Object>) driver;
            Object options = driver.parseOptions(n.options());
            Routes before = Routes.of(e);
            Routes kept = new Routes(before.v4() && wanted.v4(), before.v6() && wanted.v6());
            if (!kept.equals(before)) {
                record(e, kept);
            }
            try {
                routes.setDefaultRoutes(n.config(), options,
                        e.withDefaultRoutes(wanted.v4(), wanted.v6()).config(n), s.config());
            } catch (RuntimeException ex) {
                LOG.warning(what + ": its driver could not change its default routes: " + ex.getMessage()
                        + (keepWhy != null ? "; " + keepWhy : ""));
                try {
                    routes.setDefaultRoutes(n.config(), options, e.config(n), s.config());
                } catch (RuntimeException again) {
                    LOG.warning(what + ": could not put its default routes back either: " + again.getMessage());
                }
                if (!kept.equals(before)) {
                    record(e, before);
                }
                return Outcome.FAILED;
            }
            if (!wanted.equals(kept)) {
                record(e, wanted);
            }
            return Outcome.DONE;
        }
    }

    /** Records the default routes an endpoint gives (its current record, whatever its state). */
    private void record(EndpointRecord e, Routes routes) {
        inventory.endpoint(e.id()).ifPresent(current -> inventory.updateEndpoint(current.withDefaultRoutes(routes.v4(),
                routes.v6())));
    }

    /** One endpoint of a sandbox that can give default routes, with its network. */
    private record Giver(NetworkRecord network, EndpointRecord endpoint, Routes routes) {}

    /** The sandbox's joined endpoints other than {@code except} and the routes they give. */
    private List<Giver> givers(SandboxRecord s, EndpointRecord except) {
        List<Giver> out = new ArrayList<>();
        for (EndpointRecord e : inventory.endpointsOf(s.id())) {
            if (e.id().equals(except.id())) {
                continue;
            }
            inventory.network(e.network()).ifPresent(n -> out.add(new Giver(n, e, routesOf(n, e))));
        }
        return out;
    }

    /** The routes an endpoint gives, by its record, among those it can give. */
    private static Routes routesOf(NetworkRecord n, EndpointRecord e) {
        return new Routes(gives(n, e, true), gives(n, e, false));
    }

    /**
     * The sandbox's joined endpoints that can give the family, best first: highest priority, then
     * the one connected first.
     */
    private List<Giver> ranked(SandboxRecord s, boolean v4) {
        List<Giver> out = new ArrayList<>(); // in the order they joined
        for (EndpointRecord e : inventory.endpointsOf(s.id()).stream().filter(x -> x.state() == State.READY).toList()) {
            inventory.network(e.network()).filter(n -> canGive(n, e, v4))
                    .ifPresent(n -> out.add(new Giver(n, e, routesOf(n, e))));
        }
        out.sort(Comparator.comparingInt((Giver g) -> g.endpoint.gwPriority()).reversed()); // stable: ties keep it
        return out;
    }
}
