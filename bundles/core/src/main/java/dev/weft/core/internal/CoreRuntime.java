package dev.weft.core.internal;

import dev.weft.api.Controller;
import dev.weft.core.internal.ipam.DefaultIpam;
import dev.weft.core.internal.ipam.DefaultPool;
import dev.weft.core.internal.ipam.DefaultPoolList;
import dev.weft.core.internal.ipam.NullIpam;
import dev.weft.core.internal.store.PrivateFiles;
import dev.weft.core.internal.store.Store;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.net.IpPrefix;
import dev.weft.spi.ControllerListener;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import dev.weft.spi.DriverContext;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.PortMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Weft's runtime in OSGi: opens the kernel layer for the configured instance, reconciles the
 * records, then offers the {@link Controller} and the {@link DriverContext} (and the {@link Kernel})
 * as services, and follows network drivers and IPAM drivers on the whiteboard (service properties
 * {@value NetworkDriver#NAME} and {@value IpamDriver#NAME}); the IPAM drivers {@code default} and
 * {@code null} are its own. Deactivation frees JVM resources only: kernel state stays, so
 * restarting or updating Weft does not cut traffic.
 */
// REQUIRE: without its configuration core would configure the machine's own namespace with the
// built-in defaults; it waits for etc/dev.weft.cfg (Karaf) or the embedder's configuration instead.
@Component(immediate = true, service = {}, configurationPid = "dev.weft", configurationPolicy = ConfigurationPolicy.REQUIRE)
// The services are registered by hand, so DS declares no capability for them. Resolvers that check
// service requirements (Karaf's, for features of schema 1.3.0 and later) would otherwise refuse every
// driver with a @Reference to DriverContext: bnd writes Require-Capability osgi.service for it.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"dev.weft.api.Controller\"",
        uses = Controller.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"dev.weft.spi.DriverContext\"",
        uses = DriverContext.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"dev.weft.linux.Kernel\"",
        uses = Kernel.class)
@Designate(ocd = CoreConfig.class)
public final class CoreRuntime {
    private static final Logger LOG = Logger.getLogger(CoreRuntime.class.getName());

    private final DriverRegistry registry = new DriverRegistry();
    private final IpamRegistry ipams = new IpamRegistry();
    private Kernel kernel;
    private volatile ControllerImpl controller;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDriver(ServiceReference<NetworkDriver<?>> ref, NetworkDriver<?> driver) {
        Object name = ref.getProperty(NetworkDriver.NAME);
        if (!(name instanceof String n) || n.isBlank()) {
            LOG.warning("ignoring a network driver of " + ref.getBundle().getSymbolicName() + " without the "
                    + NetworkDriver.NAME + " property");
            return;
        }
        registry.add(n, ref.getBundle().getSymbolicName(), ref.getBundle().getVersion().toString(), driver,
                ref.getProperty("service.id"));
    }

    void unbindDriver(ServiceReference<NetworkDriver<?>> ref, NetworkDriver<?> driver) {
        registry.remove(ref.getProperty("service.id"));
    }

    /** Listeners that arrive before the controller exists wait here for it. */
    private final List<ControllerListener> earlyListeners = new ArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindListener(ControllerListener listener) {
        ControllerImpl c;
        synchronized (earlyListeners) {
            c = controller;
            if (c == null) {
                earlyListeners.add(listener);
                return;
            }
        }
        c.addListener(listener);
    }

    void unbindListener(ControllerListener listener) {
        synchronized (earlyListeners) {
            earlyListeners.remove(listener);
        }
        ControllerImpl c = controller;
        if (c != null) {
            c.removeListener(listener);
        }
    }

    /** The cluster store (bundle cluster-etcd), when the instance is configured for a cluster; bound once the controller runs. */
    private dev.weft.spi.ClusterStore clusterStore;
    private Runnable attachCluster = () -> { };

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindClusterStore(dev.weft.spi.ClusterStore store) {
        synchronized (earlyListeners) {
            clusterStore = store;
            if (controller != null) {
                attachCluster.run();
            }
        }
    }

    void unbindClusterStore(dev.weft.spi.ClusterStore store) {
        synchronized (earlyListeners) {
            if (clusterStore != store) {
                return;
            }
            clusterStore = null;
            ControllerImpl c = controller;
            if (c != null) {
                c.detachCluster();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindIpam(ServiceReference<IpamDriver> ref, IpamDriver ipam) {
        Object name = ref.getProperty(IpamDriver.NAME);
        if (!(name instanceof String n) || n.isBlank()) {
            LOG.warning("ignoring an IPAM driver of " + ref.getBundle().getSymbolicName() + " without the "
                    + IpamDriver.NAME + " property");
            return;
        }
        ipams.add(n, ref.getBundle().getSymbolicName(), ref.getBundle().getVersion().toString(), ipam,
                ref.getProperty("service.id"));
    }

    void unbindIpam(ServiceReference<IpamDriver> ref, IpamDriver ipam) {
        ipams.remove(ref.getProperty("service.id"));
    }

    @Activate
    void activate(BundleContext context, CoreConfig config, Map<String, Object> properties) {
        requireInterpolated(config);
        List<DefaultPool> pools = pools(config.defaultPools()); // a list that does not parse stops the start here
        Path stateDir = Path.of(config.stateDir());
        Path runDir = Path.of(config.runDir());
        kernel = Kernel.open(new KernelConfig(config.hostNamespace().isBlank() ? null : Path.of(config.hostNamespace()),
                Path.of(config.netnsDir()), null));
        HostSystem system = new KernelHostSystem(kernel);
        Store store = new Store(stateDir, runDir);     // first: it creates the directories with their modes
        // configured IPv6 pools replace the ULA /48, which is then neither generated nor used
        IpPrefix ula = pools.stream().anyMatch(p -> !p.base().isIpv4()) ? null : ula(stateDir, config.ipv6Pool());
        // Bound here, not registered as services: always present, and no one else can take their names.
        ipams.addBuiltIns(context.getBundle().getVersion().toString(),
                new DefaultIpam(pools, ula, hostRoutes(system)), new NullIpam());
        ControllerImpl started = new ControllerImpl(system, store, ipams, registry,
                Path.of(config.etcNetnsDir()),
                HostResolvConf.effective(Path.of(config.resolvConf()), config.hostNamespace(), Path.of(config.etcNetnsDir())));
        started.start();
        Predicate<IpPrefix> routes = hostRoutes(system);
        String reclaimText = String.valueOf(properties.getOrDefault("cluster.reclaim", "")).trim();
        java.time.Duration reclaim = java.time.Duration.ofSeconds(reclaimText.matches("[0-9]{1,6}")
                ? Long.parseLong(reclaimText) : 30);
        synchronized (earlyListeners) { // listeners see the reconciled state, never an empty one
            controller = started;
            earlyListeners.forEach(started::addListener);
            earlyListeners.clear();
            attachCluster = () -> {
                if (clusterStore != null) {
                    started.attachCluster(clusterStore, config.instance(), routes, reclaim);
                }
            };
            attachCluster.run();
        }
        DriverContext driverContext = new RuntimeDriverContext(config, Map.copyOf(properties), started);
        registrations.add(context.registerService(Kernel.class, kernel, null));
        registrations.add(context.registerService(DriverContext.class, driverContext, null));
        registrations.add(context.registerService(Controller.class, controller, null));
        LOG.info("weft instance " + config.instance() + " started (host namespace " + kernel.hostNamespace() + ")");
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with the bundle
            }
        }
        registrations.clear();
        if (controller != null) {
            controller.close();
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    /**
     * Refuses a setting that still holds a {@code $[prop:NAME]} placeholder: the framework property
     * it names is not set (Karaf's interpolation leaves it as it is), and taken as a path or a name
     * it would make kernel objects nobody can find again.
     */
    static void requireInterpolated(CoreConfig c) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("instance", c.instance());
        values.put("stateDir", c.stateDir());
        values.put("runDir", c.runDir());
        values.put("netnsDir", c.netnsDir());
        values.put("etcNetnsDir", c.etcNetnsDir());
        values.put("resolvConf", c.resolvConf());
        values.put("hostNamespace", c.hostNamespace());
        values.put("nftTable", c.nftTable());
        values.put("linkPrefix", c.linkPrefix());
        values.put("defaultPools", c.defaultPools());
        values.forEach((key, value) -> {
            if (value != null && value.contains("$[")) {
                throw new IllegalArgumentException("configuration dev.weft: " + key + " = " + value
                        + " was not replaced: set the property it names in etc/custom.properties");
            }
        });
    }

    /**
     * The default address pools ({@link DefaultPoolList}: {@code base=CIDR,size=N;…}, the older
     * {@code BASE/LEN:SIZE,…}, or empty for the built-in ones). A list that does not parse is refused
     * with the configuration key, the item and the shape expected.
     */
    static List<DefaultPool> pools(String text) {
        try {
            return DefaultPoolList.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration dev.weft: defaultPools = " + text + ": " + e.getMessage(), e);
        }
    }

    /** The configured ULA /48, or one generated at the first start and kept in the state directory. */
    static IpPrefix ula(Path stateDir, String configured) {
        if (configured != null && !configured.isBlank()) {
            return IpPrefix.parse(configured.trim());
        }
        Path file = stateDir.resolve("ipv6-ula-prefix");
        try {
            if (Files.exists(file)) {
                return IpPrefix.parse(Files.readString(file, StandardCharsets.US_ASCII).trim());
            }
            IpPrefix fresh = DefaultPool.randomUla();
            PrivateFiles.createDirectory(stateDir, PrivateFiles.RECORDS_DIRECTORY);
            Files.writeString(file, fresh + "\n", StandardCharsets.US_ASCII);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the IPv6 prefix in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * True for a prefix that overlaps a (non-default) route of the host namespace. IPAM asks once
     * per candidate pool, so the routes are read at most once a second, not once per candidate.
     */
    static Predicate<IpPrefix> hostRoutes(HostSystem system) {
        return new Predicate<>() {
            private List<IpPrefix> routes = List.of();
            private long readAt;

            @Override
            public synchronized boolean test(IpPrefix p) {
                long now = System.nanoTime();
                if (readAt == 0 || now - readAt > 1_000_000_000L) {
                    routes = system.hostRoutes();
                    readAt = now;
                }
                for (IpPrefix r : routes) {
                    if (r.overlaps(p)) {
                        return true;
                    }
                }
                return false;
            }
        };
    }

    /** The instance settings drivers see. */
    private record RuntimeDriverContext(CoreConfig config, Map<String, Object> properties, ControllerImpl controller)
            implements DriverContext {
        @Override
        public Optional<String> setting(String key) {
            return Optional.ofNullable(properties.get(key)).map(String::valueOf);
        }

        @Override
        public <K> DeferredWork<K> deferredWork(DeferredPolicy policy, DeferredWork.Task<K> task) {
            return controller.deferredWork(policy, task);
        }

        @Override
        public Optional<PortMapper> portMapper(String name) {
            return controller.portMapper(name);
        }

        @Override
        public String instance() {
            return config.instance();
        }

        @Override
        public Path hostResolvConf() {
            return controller.hostResolvConf();
        }

        @Override
        public String linkPrefix() {
            return config.linkPrefix();
        }

        @Override
        public String nftTable() {
            return config.nftTable();
        }

        @Override
        public Optional<dev.weft.spi.ClusterStore> cluster() {
            return controller.clusterStore();
        }

        @Override
        public FirewallMode firewallMode() {
            return config.firewallMode().equalsIgnoreCase("none") ? FirewallMode.NONE : FirewallMode.NFTABLES;
        }

        @Override
        public int defaultMtu() {
            return config.defaultMtu();
        }
    }
}
