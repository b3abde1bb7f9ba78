package dev.weft.driver.host;

import dev.weft.spi.NetworkDriver;
import dev.weft.spi.NoInterfaceDriver;
import dev.weft.spi.SandboxMode;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code host} driver behind the predefined network {@code host}: a sandbox on it uses the host
 * namespace itself (the controller gives such a sandbox the host's namespace instead of creating
 * one), so there is nothing to plumb and no port to publish: a process in it binds host ports
 * directly. No options, no subnets, no kernel state.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + HostDriver.NAME)
public final class HostDriver extends NoInterfaceDriver {
    public static final String NAME = "host";

    public HostDriver() {
        super(NAME, "host", SandboxMode.HOST_NAMESPACE);
    }
}
