package dev.weft.driver.host;

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
 * The {@code host} driver behind the predefined network {@code host}: a sandbox on it uses the
 * host namespace itself (the controller gives such a sandbox the host's namespace instead of
 * creating one), so there is nothing to plumb and no port to publish: a process in it binds host
 * ports directly. It has no options and serves only the predefined network.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + HostDriver.NAME)
public final class HostDriver implements NetworkDriver<HostDriver.Options> {
    public static final String NAME = "host";

    /** The host driver takes no options. */
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
            throw new WeftException.InvalidRequest("driver \"host\" takes no options, got "
                    + String.join(", ", options.keySet()));
        }
        return new Options();
    }

    @Override
    public void validate(NetworkConfig network, Options options) {
        if (!network.predefined()) {
            throw new WeftException.Conflict("only one network of driver \"host\" is allowed: the predefined network \"host\"");
        }
        if (!network.subnets().isEmpty()) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\" of driver \"host\" takes no subnets");
        }
    }

    @Override
    public void createNetwork(NetworkConfig network, Options options) {
        // the host's own network stack: nothing to create
    }

    @Override
    public void deleteNetwork(NetworkConfig network, Options options) {
        // nothing was created
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
