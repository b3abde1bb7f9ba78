package dev.weft.cluster.etcd;

import dev.weft.spi.ClusterStore;
import dev.weft.spi.DriverContext;
import java.lang.System.Logger.Level;
import java.util.Hashtable;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Registers a {@link ClusterStore} on etcd when the instance's settings name one
 * ({@code cluster.store}, {@code cluster.advertise}, …; see the bundle's README), and nothing
 * otherwise: no cluster. Its connections are made from the instance's host namespace (the
 * kernel layer's {@code hostThreads}), which is where the underlay is. It does not wait for etcd: calls fail with UNAVAILABLE until it answers.
 * Deactivation stops the keepalive, the watches and the HTTP client.
 */
@Component(immediate = true, service = {})
public final class EtcdComponent {
    private static final System.Logger LOG = System.getLogger(EtcdComponent.class.getName());

    private final EtcdClusterStore store;
    private final ServiceRegistration<ClusterStore> registration;

    @Activate
    public EtcdComponent(@Reference DriverContext context, @Reference dev.weft.linux.Kernel kernel, BundleContext bundle) {
        EtcdClusterStore created = null;
        ServiceRegistration<ClusterStore> registered = null;
        Optional<EtcdSettings> settings;
        try {
            settings = EtcdSettings.parse(context::setting);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "weft instance " + context.instance() + ": no cluster store, the settings are wrong: "
                    + e.getMessage());
            settings = Optional.empty();
        }
        if (settings.isPresent()) {
            try {
                // its sockets are opened in the instance's host namespace, where the underlay is
                created = new EtcdClusterStore(settings.get(), kernel.hostThreads("weft-etcd"));
                Hashtable<String, Object> properties = new Hashtable<>();
                properties.put("weft.instance", context.instance());
                properties.put("weft.cluster.node", created.nodeId());
                properties.put("weft.cluster.endpoints", settings.get().endpoints().toString());
                registered = bundle.registerService(ClusterStore.class, created, properties);
                LOG.log(Level.INFO, "weft instance " + context.instance() + ": cluster store " + created);
            } catch (IllegalArgumentException e) {
                LOG.log(Level.ERROR, "weft instance " + context.instance() + ": no cluster store: " + e.getMessage());
                if (created != null) {
                    created.close();
                    created = null;
                }
            }
        }
        this.store = created;
        this.registration = registered;
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        if (store != null) {
            store.close();
        }
    }
}
