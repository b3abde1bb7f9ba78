package dev.weft.driver.none;

import dev.weft.spi.NetworkDriver;
import dev.weft.spi.NoInterfaceDriver;
import dev.weft.spi.SandboxMode;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code null} driver behind the predefined network {@code none}: a sandbox on it has only its
 * loopback interface (which the controller brings up for every sandbox it creates). No options, no
 * subnets, no kernel state.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + NullDriver.NAME)
public final class NullDriver extends NoInterfaceDriver {
    public static final String NAME = "null";

    public NullDriver() {
        super(NAME, "none", SandboxMode.NO_INTERFACE);
    }
}
