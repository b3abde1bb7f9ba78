package dev.weft.shell.internal;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Controller for command tests: records every call as one line ({@code removeNetwork b}),
 * answers from canned networks, sandboxes and drivers, and throws the exception registered for
 * an object's name ({@link #failOn}).
 */
class FakeController implements Controller {
    static final Instant CREATED = Instant.parse("2026-11-22T10:15:30.123456789Z");

    final List<String> calls = new ArrayList<>();
    final List<NetworkInfo> networks = new ArrayList<>();
    final List<SandboxInfo> sandboxes = new ArrayList<>();
    final List<DriverInfo> drivers = new ArrayList<>();
    final List<DriverInfo> ipamDrivers = new ArrayList<>();
    final Map<String, RuntimeException> failures = new HashMap<>();
    List<String> pruned = List.of();
    List<String> reapplied = List.of();
    NetworkSpec networkSpec;
    SandboxSpec sandboxSpec;
    EndpointSpec endpointSpec;
    /** What {@link #resolverFiles} answers, by sandbox name (none: no files). */
    final Map<String, Map<String, String>> resolverFiles = new HashMap<>();

    /** Calls naming {@code name} throw {@code e}. */
    FakeController failOn(String name, RuntimeException e) {
        failures.put(name, e);
        return this;
    }

    private void call(String method, String... names) {
        calls.add(method + (names.length == 0 ? "" : " " + String.join(" ", names)));
        for (String n : names) {
            RuntimeException e = failures.get(n);
            if (e != null) {
                throw e;
            }
        }
    }

    static String hexId(char c) {
        return String.valueOf(c).repeat(64);
    }

    @Override
    public NetworkInfo createNetwork(NetworkSpec spec) {
        call("createNetwork", spec.name());
        networkSpec = spec;
        return new NetworkInfo(hexId('a'), spec.name(), spec.driver(), "local", CREATED, spec.ipv6(),
                spec.internal(), false, true, List.of(), spec.options(), spec.labels(), List.of(), spec.ipamDriver(),
                spec.ipamOptions());
    }

    @Override
    public void removeNetwork(String network) {
        call("removeNetwork", network);
    }

    @Override
    public List<String> pruneNetworks() {
        call("pruneNetworks");
        return pruned;
    }

    @Override
    public List<NetworkInfo> networks() {
        call("networks");
        return networks;
    }

    @Override
    public Optional<NetworkInfo> network(String network) {
        call("network", network);
        return networks.stream().filter(n -> n.name().equals(network) || n.id().startsWith(network)).findFirst();
    }

    @Override
    public SandboxInfo createSandbox(SandboxSpec spec) {
        call("createSandbox", spec.name());
        sandboxSpec = spec;
        return new SandboxInfo(hexId('c'), spec.name(), java.nio.file.Path.of("/run/netns", spec.name()),
                SandboxInfo.Mode.CREATED, CREATED, List.of(), spec.network(), List.of(), spec.hostname(), spec.dns(),
                spec.links());
    }

    @Override
    public void removeSandbox(String sandbox, boolean force) {
        if (force) {
            call("removeSandbox", sandbox, "--force");
        } else {
            call("removeSandbox", sandbox);
        }
    }

    @Override
    public void awaitRemoval(String sandbox) {
        // removals here are immediate
    }

    @Override
    public List<SandboxInfo> sandboxes() {
        call("sandboxes");
        return sandboxes;
    }

    @Override
    public Optional<SandboxInfo> sandbox(String sandbox) {
        call("sandbox", sandbox);
        return sandboxes.stream().filter(s -> s.name().equals(sandbox) || s.id().startsWith(sandbox)).findFirst();
    }

    @Override
    public EndpointInfo connect(String network, String sandbox, EndpointSpec spec) {
        call("connect", network, sandbox);
        endpointSpec = spec;
        return new EndpointInfo(hexId('e'), network, hexId('a'), sandbox, hexId('c'), "eth1", null, null, null,
                spec.aliases(), List.of());
    }

    @Override
    public void disconnect(String network, String sandbox, boolean force) {
        call("disconnect" + (force ? " -f" : ""), network, sandbox);
    }

    @Override
    public List<DriverInfo> drivers() {
        call("drivers");
        return drivers;
    }

    @Override
    public List<java.net.InetAddress> hostGateways(String network) {
        return List.of();
    }

    @Override
    public List<DriverInfo> ipamDrivers() {
        call("ipamDrivers");
        return ipamDrivers;
    }

    @Override
    public List<String> reapply() {
        call("reapply");
        RuntimeException e = failures.get("reapply");
        if (e != null) {
            throw e;
        }
        return reapplied;
    }

    static WeftException.NotFound notFound(String what) {
        return new WeftException.NotFound(what + " not found");
    }

    @Override
    public Map<String, String> resolverFiles(String sandbox) {
        call("resolverFiles", sandbox);
        return resolverFiles.getOrDefault(sandbox, Map.of());
    }
}
