package dev.weft.driver.container;

import dev.weft.spi.NetworkDriver;
import dev.weft.spi.SharedNamespaceDriver;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code container} driver: Docker's {@code --network container:NAME|ID}. A sandbox created
 * with {@code sandbox:create --network container:web app} has {@code web}'s network namespace (the
 * same inode: its interfaces, addresses, routes and published ports) and no endpoint of its own.
 * The controller, which owns namespaces, does the sharing ({@link SharedNamespaceDriver}); this
 * bundle offers the mode: uninstalled, existing sharers keep working and new ones are refused
 * ("needs the network driver container, which is not installed") until it returns. No network, no
 * options, no kernel state.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + ContainerDriver.NAME)
public final class ContainerDriver extends SharedNamespaceDriver {
    public static final String NAME = "container";

    public ContainerDriver() {
        super(NAME);
    }
}
