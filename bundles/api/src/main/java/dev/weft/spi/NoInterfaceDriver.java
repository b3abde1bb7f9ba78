package dev.weft.spi;

import dev.weft.api.WeftException;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Base of drivers that only name a mode of a sandbox's network stack and give it no interface of
 * their own ({@code null}: loopback only; {@code host}: the host's namespace). Such a driver serves
 * exactly one predefined network, takes no options or subnets, and touches no kernel state: every
 * lifecycle call is complete as it is.
 */
@ConsumerType
public abstract class NoInterfaceDriver implements NetworkDriver<Map<String, String>> {
    private final String name;
    private final String network;

    /**
     * @param name    the driver's name
     * @param network the predefined network it serves
     */
    protected NoInterfaceDriver(String name, String network) {
        this.name = name;
        this.network = network;
    }

    @Override
    public final Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public final boolean usesAddresses() {
        return false;
    }

    @Override
    public final Map<String, String> parseOptions(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new WeftException.InvalidRequest("driver \"" + name + "\" takes no options, got "
                    + String.join(", ", options.keySet()));
        }
        return Map.of();
    }

    @Override
    public final void validate(NetworkConfig n, Map<String, String> options) {
        if (!n.predefined()) {
            throw new WeftException.Conflict("only one network of driver \"" + name
                    + "\" is allowed: the predefined network \"" + network + "\"");
        }
        if (!n.subnets().isEmpty()) {
            throw new WeftException.InvalidRequest("network \"" + n.name() + "\" of driver \"" + name + "\" takes no subnets");
        }
    }

    @Override
    public final void createNetwork(NetworkConfig n, Map<String, String> options) {
        // nothing in the kernel: the network only names the mode
    }

    @Override
    public final void deleteNetwork(NetworkConfig n, Map<String, String> options) {
        // nothing was created
    }

    @Override
    public final JoinInfo join(NetworkConfig n, Map<String, String> options, EndpointConfig e, SandboxConfig s) {
        return JoinInfo.NONE;
    }

    @Override
    public final void leave(NetworkConfig n, Map<String, String> options, EndpointConfig e, SandboxConfig s) {
        // nothing was plumbed in
    }
}
