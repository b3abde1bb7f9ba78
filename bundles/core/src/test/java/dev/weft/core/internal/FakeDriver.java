package dev.weft.core.internal;

import dev.weft.api.WeftException;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A network driver that touches no kernel, for controller tests without root: it remembers what it
 * was told, and refuses networks without addresses when told to (as the bridge does).
 */
final class FakeDriver implements NetworkDriver<Map<String, String>> {
    final List<NetworkConfig> validated = new CopyOnWriteArrayList<>();
    final List<NetworkConfig> created = new CopyOnWriteArrayList<>();
    final List<EndpointConfig> joined = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final boolean usesAddresses;
    volatile boolean refuseWithoutAddresses;

    FakeDriver(boolean usesAddresses) {
        this.usesAddresses = usesAddresses;
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public boolean usesAddresses() {
        return usesAddresses;
    }

    @Override
    public Map<String, String> parseOptions(Map<String, String> options) {
        return options;
    }

    @Override
    public void validate(NetworkConfig network, Map<String, String> options) {
        validated.add(network);
        if (refuseWithoutAddresses && network.withoutAddresses()) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": this driver needs addresses");
        }
    }

    @Override
    public void createNetwork(NetworkConfig network, Map<String, String> options) {
        calls.add("createNetwork " + network.name());
        created.add(network);
    }

    @Override
    public void deleteNetwork(NetworkConfig network, Map<String, String> options) {
        calls.add("deleteNetwork " + network.name());
    }

    @Override
    public JoinInfo join(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint, SandboxConfig sandbox) {
        calls.add("join " + sandbox.name());
        joined.add(endpoint);
        return new JoinInfo(endpoint.interfaceName(), null);
    }

    @Override
    public void leave(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint, SandboxConfig sandbox) {
        calls.add("leave " + sandbox.name());
    }
}
