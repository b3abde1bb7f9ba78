package dev.weft.dockerplugins;

import dev.weft.linux.Kernel;
import dev.weft.spi.DriverContext;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.NetworkDriver;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The bundle's one component: follows the Docker plugin directories of the instance (settings in
 * {@link Settings}) and registers each plugin as a {@link NetworkDriver} ({@value NetworkDriver#NAME}
 * = its name) and/or an {@link IpamDriver} ({@value IpamDriver#NAME} = its name) while it is there.
 * It references {@link DriverContext} (mandatory), so it restarts with core and its IPAM drivers
 * start empty for a new controller's replay.
 */
@Component(immediate = true, service = {})
public final class PluginsComponent {
    private final Plugins plugins;

    @Activate
    public PluginsComponent(@Reference DriverContext context, @Reference Kernel kernel, BundleContext bundle) {
        this.plugins = new Plugins(Settings.of(context), kernel, context, new Registrar() {
            @Override
            public Registration network(String name, NetworkDriver<?> driver) {
                Hashtable<String, Object> p = new Hashtable<>();
                p.put(NetworkDriver.NAME, name);
                return registration(bundle.registerService(NetworkDriver.class.getName(), driver, p));
            }

            @Override
            public Registration ipam(String name, IpamDriver ipam) {
                Hashtable<String, Object> p = new Hashtable<>();
                p.put(IpamDriver.NAME, name);
                return registration(bundle.registerService(IpamDriver.class.getName(), ipam, p));
            }
        }).start();
    }

    private static Registrar.Registration registration(ServiceRegistration<?> r) {
        return () -> {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework unregistered it
            }
        };
    }

    @Deactivate
    void deactivate() {
        plugins.close();
    }
}
