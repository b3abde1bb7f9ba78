package dev.weft.core.internal;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.core.internal.ipam.DefaultIpam;
import dev.weft.core.internal.ipam.DefaultPool;
import dev.weft.core.internal.ipam.NullIpam;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.State;
import dev.weft.core.internal.store.Store;
import dev.weft.net.IpPrefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Networks and endpoints with their IPAM drivers and no kernel, so it runs without root: the
 * network drivers are {@link FakeDriver}s ({@code fake} uses addresses, {@code nolink} does not,
 * like {@code cni}: its endpoints are named but get no address from Weft), sandboxes exist as records only. {@link #restart()} builds it all again on
 * the same records with new IPAM drivers, as a restarted runtime does (the IPAM part of reconcile:
 * load the records, replay the leases into the IPAM drivers present).
 */
final class IpamFixture implements AutoCloseable {
    static final String FAKE_BUNDLE = "test.fake-ipam";
    private static final Logger LOG = Logger.getLogger(IpamFixture.class.getName());

    final Path dir;
    final FakeDriver driver = new FakeDriver(true);
    final FakeDriver nolink = new FakeDriver(false);
    Store store;
    Inventory inventory;
    DriverRegistry drivers;
    IpamRegistry ipams;
    Networks networks;
    Endpoints endpoints;
    Views views;

    IpamFixture() throws IOException {
        dir = Files.createTempDirectory("weft-ipam-test-");
        start();
    }

    void start() {
        store = new Store(dir.resolve("state"), dir.resolve("run"));
        inventory = new Inventory(store);
        inventory.load(store.networks(LOG::warning), store.sandboxes(LOG::warning), store.endpoints(LOG::warning));
        drivers = new DriverRegistry();
        drivers.add("fake", "test.fake", "1.0.0", driver, "fake");
        drivers.add("nolink", "test.nolink", "1.0.0", nolink, "nolink");
        ipams = new IpamRegistry();
        ipams.addBuiltIns("0.1.0", new DefaultIpam(DefaultPool.defaults(), IpPrefix.parse("fd42:9:9::/48"), p -> false),
                new NullIpam());
        Events events = new Events();
        views = new Views(inventory, drivers, ipams, d -> "local", java.util.Optional::empty);
        networks = new Networks(inventory, drivers, ipams, events, views);
        Background background = new Background(() -> Long.MAX_VALUE);
        SandboxReaper reaper = new SandboxReaper(null, background, new SandboxReaper.Steps() {
            @Override
            public void removeResolvConf(String sandbox) {
                // no files here
            }

            @Override
            public void removeRecord(SandboxRecord sandbox) {
                inventory.removeSandbox(sandbox.id());
            }
        });
        endpoints = new Endpoints(inventory, drivers, ipams, new dev.weft.core.internal.ports.HostPorts(List.of()),
                new Locks(), reaper, background, events, views);
        Leases leases = new Leases(inventory, ipams);
        ipams.onArrival(leases::replay);
        ipams.entries().forEach(leases::replay);
    }

    /** Starts again on the same records: new registries, a new default IPAM, no third-party IPAM driver. */
    void restart() {
        start();
    }

    /** Registers a third-party IPAM driver as the whiteboard would (its leases are replayed into it first). */
    FakeIpam addIpam(String name, String bundle) {
        FakeIpam ipam = new FakeIpam();
        ipams.add(name, bundle, "1.0.0", ipam, name + "/" + bundle);
        return ipam;
    }

    void removeIpam(String name, String bundle) {
        ipams.remove(name + "/" + bundle);
    }

    /** A sandbox as a record only: nothing in the kernel, the fake drivers need nothing. */
    SandboxRecord sandbox(String name) {
        SandboxRecord s = new SandboxRecord(Ids.newId(), name, Path.of("/run/netns/" + name), 0, 0,
                SandboxInfo.Mode.CREATED, State.READY, Instant.now(), List.of(), null);
        inventory.addSandbox(s);
        return s;
    }

    EndpointRecord connect(String network, String sandbox) {
        return endpoints.connect(network, sandbox, EndpointSpec.defaults());
    }

    void disconnect(String network, String sandbox) {
        endpoints.disconnect(network, sandbox, false);
    }

    NetworkInfo network(String name) {
        return views.network(inventory.requireNetwork(name));
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
