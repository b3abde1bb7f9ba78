package dev.weft.dockerplugins;

import dev.weft.spi.IpamDriver;
import dev.weft.spi.NetworkDriver;

/**
 * Where plugins become drivers: OSGi services in the runtime ({@link PluginsComponent}), a
 * controller's registries in tests. Registration is the whiteboard's: the first of a name serves.
 */
interface Registrar {

    /** Offers {@code driver} under {@link NetworkDriver#NAME} = {@code name}. */
    Registration network(String name, NetworkDriver<?> driver);

    /** Offers {@code ipam} under {@link IpamDriver#NAME} = {@code name}. */
    Registration ipam(String name, IpamDriver ipam);

    /** A registration, undone once. */
    interface Registration {
        void unregister();
    }
}
