package dev.weft.spi;

import dev.weft.api.WeftException;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Base of drivers of {@link SandboxMode#SHARED_NAMESPACE} (Docker's {@code --network container:NAME}):
 * a sandbox created with {@code --network DRIVER:SANDBOX} gets no namespace of its own but the one
 * of the named sandbox, and no endpoint. The controller, which owns namespaces, does the sharing:
 * it names the other sandbox's namespace a second time in the namespace directory (so {@code ip
 * netns exec NAME} works), copies its {@code /etc/netns} files, and keeps the two together (the
 * shared one cannot be removed while shared, except with its sharers). What the driver decides is
 * that the mode is offered at all: while no such driver is installed, new sharers are refused and
 * existing ones keep working. Such a driver declares no network, and no network can be made with
 * it; it touches no kernel state.
 *
 * @since 0.8.0
 */
@ConsumerType
public abstract class SharedNamespaceDriver implements NetworkDriver<Map<String, String>> {
    private final String name;

    /** @param name the driver's name, the {@code DRIVER} of {@code --network DRIVER:SANDBOX} */
    protected SharedNamespaceDriver(String name) {
        this.name = name;
    }

    @Override
    public final SandboxMode sandboxMode() {
        return SandboxMode.SHARED_NAMESPACE;
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

    /** Refuses every network: the mode is asked for with {@code sandbox:create --network NAME:SANDBOX}. */
    @Override
    public final void validate(NetworkConfig n, Map<String, String> options) {
        throw new WeftException.InvalidRequest("driver \"" + name + "\" makes no networks: a sandbox shares another's "
                + "network namespace with sandbox:create --network " + name + ":SANDBOX");
    }

    @Override
    public final void createNetwork(NetworkConfig n, Map<String, String> options) {
        throw new IllegalStateException("driver \"" + name + "\" makes no networks");
    }

    @Override
    public final void deleteNetwork(NetworkConfig n, Map<String, String> options) {
        // none was made
    }

    @Override
    public final JoinInfo join(NetworkConfig n, Map<String, String> options, EndpointConfig e, SandboxConfig s) {
        throw new IllegalStateException("driver \"" + name + "\" has no endpoints");
    }

    @Override
    public final void leave(NetworkConfig n, Map<String, String> options, EndpointConfig e, SandboxConfig s) {
        // none joined
    }
}
