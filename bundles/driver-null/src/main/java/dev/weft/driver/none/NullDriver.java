package dev.weft.driver.none;

import dev.weft.api.WeftException;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code null} driver behind the predefined network {@code none}: a sandbox on it has only its
 * loopback interface (which the controller brings up for every sandbox it creates). It has no
 * options, serves only the predefined network, and touches no kernel state.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + NullDriver.NAME)
public final class NullDriver implements NetworkDriver<NullDriver.Options> {
    public static final String NAME = "null";

    /** The null driver takes no options. */
    public record Options() {}

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public boolean usesAddresses() {
        return false;
    }

    @Override
    public Options parseOptions(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new WeftException.InvalidRequest("driver \"null\" takes no options, got "
                    + String.join(", ", options.keySet()));
        }
        return new Options();
    }

    @Override
    public void validate(NetworkConfig network, Options options) {
        if (!network.predefined()) {
            throw new WeftException.Conflict("only one network of driver \"null\" is allowed: the predefined network \"none\"");
        }
        if (!network.subnets().isEmpty()) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\" of driver \"null\" takes no subnets");
        }
    }

    @Override
    public void createNetwork(NetworkConfig network, Options options) {
        // nothing in the kernel: the network only names the "loopback only" mode
    }

    @Override
    public void deleteNetwork(NetworkConfig network, Options options) {
        // nothing in the kernel
    }

    @Override
    public JoinInfo join(NetworkConfig network, Options options, EndpointConfig endpoint, SandboxConfig sandbox) {
        return JoinInfo.NONE;
    }

    @Override
    public void leave(NetworkConfig network, Options options, EndpointConfig endpoint, SandboxConfig sandbox) {
        // nothing was plumbed in
    }
}
