package dev.weft.core.internal;

import dev.weft.api.WeftException;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.util.Map;

/** Stands in for the null and host drivers (other bundles) in core's tests: no interface, predefined only. */
final class NoInterfaceDriver implements NetworkDriver<Map<String, String>> {
    private final String name;
    private final String network;

    NoInterfaceDriver(String name, String network) {
        this.name = name;
        this.network = network;
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public boolean usesAddresses() {
        return false;
    }

    @Override
    public Map<String, String> parseOptions(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new WeftException.InvalidRequest("driver \"" + name + "\" takes no options");
        }
        return options;
    }

    @Override
    public void validate(NetworkConfig n, Map<String, String> options) {
        if (!n.predefined()) {
            throw new WeftException.Conflict("only one network of driver \"" + name + "\" is allowed: the predefined network \""
                    + network + "\"");
        }
    }

    @Override
    public void createNetwork(NetworkConfig n, Map<String, String> options) {}

    @Override
    public void deleteNetwork(NetworkConfig n, Map<String, String> options) {}

    @Override
    public JoinInfo join(NetworkConfig n, Map<String, String> o, EndpointConfig e, SandboxConfig s) {
        return JoinInfo.NONE;
    }

    @Override
    public void leave(NetworkConfig n, Map<String, String> o, EndpointConfig e, SandboxConfig s) {}
}
