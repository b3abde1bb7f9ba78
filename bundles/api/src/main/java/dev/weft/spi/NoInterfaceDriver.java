package dev.weft.spi;

import dev.weft.api.WeftException;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Base of drivers that only name a mode of a sandbox's network stack and give it no interface of
 * their own ({@code null}: loopback only, {@link SandboxMode#NO_INTERFACE}; {@code host}: the host's
 * namespace, {@link SandboxMode#HOST_NAMESPACE}). Such a driver declares exactly one predefined
 * network and serves no other, takes no options or subnets, and touches no kernel state: every
 * lifecycle call is complete as it is.
 */
@ConsumerType
public abstract class NoInterfaceDriver implements NetworkDriver<Map<String, String>>, PredefinedNetworks {
    private final String name;
    private final String network;
    private final SandboxMode mode;

    /**
     * @param name    the driver's name
     * @param network the predefined network it declares and serves
     * @param mode    {@link SandboxMode#NO_INTERFACE} or {@link SandboxMode#HOST_NAMESPACE}
     */
    protected NoInterfaceDriver(String name, String network, SandboxMode mode) {
        if (mode != SandboxMode.NO_INTERFACE && mode != SandboxMode.HOST_NAMESPACE) {
            throw new IllegalArgumentException("a driver without interfaces is NO_INTERFACE or HOST_NAMESPACE, not " + mode);
        }
        this.name = name;
        this.network = network;
        this.mode = mode;
    }

    @Override
    public final SandboxMode sandboxMode() {
        return mode;
    }

    @Override
    public final java.util.List<Predefined> predefinedNetworks() {
        return java.util.List.of(new Predefined(dev.weft.api.NetworkSpec.of(network, name), false));
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
