package dev.weft.dockerapi.internal;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetInfo;
import dev.weft.api.WeftException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A controller of canned networks and sandboxes for the tests without root: it records what the
 * routes asked of it and refuses as the real one refuses (duplicate names, predefined networks,
 * networks with endpoints). {@link #failure} makes the next call fail with it.
 */
final class FakeController implements Controller {
    static final Instant CREATED = Instant.parse("2026-11-22T10:15:30.123456789Z");
    final List<NetworkInfo> networks = new ArrayList<>();
    final List<SandboxInfo> sandboxes = new ArrayList<>();
    final List<DriverInfo> drivers = new ArrayList<>(List.of(
            new DriverInfo("bridge", "local", "dev.weft.driver-bridge", "0.1.0", true, List.of()),
            new DriverInfo("null", "local", "dev.weft.driver-null", "0.1.0", true, List.of()),
            new DriverInfo("overlay", "global", "dev.weft.driver-overlay", "0.1.0", false, List.of())));
    final List<String> calls = new ArrayList<>();
    NetworkSpec created;
    EndpointSpec connected;
    RuntimeException failure;

    static NetworkInfo network(String id, String name, String driver, boolean predefined, Map<String, String> labels,
                               List<EndpointInfo> endpoints) {
        return new NetworkInfo(id, name, driver, "overlay".equals(driver) ? "global" : "local", CREATED, false, false,
                predefined, true, List.of(), Map.of(), labels, endpoints);
    }

    static String id(char c) {
        return String.valueOf(c).repeat(64);
    }

    private void call(String what) {
        calls.add(what);
        if (failure != null) {
            RuntimeException f = failure;
            failure = null;
            throw f;
        }
    }

    @Override
    public NetworkInfo createNetwork(NetworkSpec spec) {
        call("createNetwork " + spec.name());
        if (networks.stream().anyMatch(n -> n.name().equals(spec.name()))) {
            throw new WeftException.Conflict("network with name " + spec.name() + " already exists");
        }
        created = spec;
        List<SubnetInfo> subnets = spec.subnets().stream()
                .map(s -> new SubnetInfo(s.subnet(), s.ipRange(), s.gateway(), s.auxAddresses())).toList();
        NetworkInfo n = new NetworkInfo(id((char) ('a' + networks.size())), spec.name(), spec.driver(), "local", CREATED,
                spec.ipv6(), spec.internal(), false, true, subnets, spec.options(), spec.labels(), List.of(),
                spec.ipamDriver(), spec.ipamOptions(), spec.ipv4(), null);
        networks.add(n);
        return n;
    }

    @Override
    public void removeNetwork(String network) {
        call("removeNetwork " + network);
        NetworkInfo n = network(network).orElseThrow(() -> new WeftException.NotFound("network " + network + " not found"));
        if (n.predefined()) {
            throw new WeftException.Conflict(n.name() + " is a pre-defined network and cannot be removed");
        }
        if (!n.endpoints().isEmpty()) {
            throw new WeftException.Conflict("network " + n.name() + " has active endpoints");
        }
        networks.remove(n);
    }

    @Override
    public List<String> pruneNetworks() {
        call("pruneNetworks");
        List<String> names = new ArrayList<>();
        for (NetworkInfo n : List.copyOf(networks)) {
            if (!n.predefined() && n.endpoints().isEmpty()) {
                networks.remove(n);
                names.add(n.name());
            }
        }
        return names;
    }

    @Override
    public List<NetworkInfo> networks() {
        call("networks");
        return List.copyOf(networks);
    }

    @Override
    public Optional<NetworkInfo> network(String network) {
        return networks.stream().filter(n -> n.id().equals(network) || n.name().equals(network)).findFirst();
    }

    @Override
    public SandboxInfo createSandbox(SandboxSpec spec) {
        throw new UnsupportedOperationException("not used by the Engine API");
    }

    @Override
    public void removeSandbox(String sandbox, boolean force) {
        throw new UnsupportedOperationException("not used by the Engine API");
    }

    @Override
    public void awaitRemoval(String sandbox) {
    }

    @Override
    public List<SandboxInfo> sandboxes() {
        call("sandboxes");
        return List.copyOf(sandboxes);
    }

    @Override
    public Optional<SandboxInfo> sandbox(String sandbox) {
        return sandboxes.stream().filter(s -> s.id().equals(sandbox) || s.name().equals(sandbox)).findFirst();
    }

    @Override
    public EndpointInfo connect(String network, String sandbox, EndpointSpec spec) {
        call("connect " + network + " " + sandbox);
        connected = spec;
        return null;
    }

    @Override
    public void disconnect(String network, String sandbox, boolean force) {
        call("disconnect " + network + " " + sandbox + " " + force);
    }

    @Override
    public List<DriverInfo> drivers() {
        return drivers;
    }

    @Override
    public List<DriverInfo> ipamDrivers() {
        return List.of();
    }

    @Override
    public List<String> reapply() {
        return List.of();
    }

    @Override
    public List<InetAddress> hostGateways(String network) {
        return List.of();
    }

    @Override
    public Map<String, String> resolverFiles(String sandbox) {
        return Map.of();
    }

    static SandboxInfo sandbox(String id, String name, List<EndpointInfo> endpoints) {
        return new SandboxInfo(id, name, Path.of("/run/netns/" + name), SandboxInfo.Mode.CREATED, CREATED, endpoints);
    }
}
