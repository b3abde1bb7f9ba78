package dev.weft.core.internal;

import dev.weft.api.Controller;
import dev.weft.core.internal.ipam.DefaultIpam;
import dev.weft.core.internal.ipam.DefaultPool;
import dev.weft.core.internal.ipam.NullIpam;
import dev.weft.core.internal.store.Store;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DeferredPolicy;
import dev.weft.spi.DeferredWork;
import dev.weft.spi.DriverContext;
import dev.weft.spi.IpamDriver;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.PortMapper;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The controller without OSGi, for benchmarks and for tests that drive it from plain Java: the
 * same parts {@link CoreRuntime} wires, with drivers handed in directly. Not exported.
 */
public final class Standalone implements AutoCloseable {
    private final Kernel kernel;
    private final ControllerImpl controller;
    private final DriverRegistry drivers;
    private final IpamRegistry ipams;

    private Standalone(Builder b) {
        kernel = Kernel.open(new KernelConfig(b.hostNamespace, b.netnsDir, null));
        HostSystem system = new KernelHostSystem(kernel);
        drivers = new DriverRegistry();
        ipams = new IpamRegistry();
        ipams.addBuiltIns("0.1.0", new DefaultIpam(DefaultPool.defaults(), b.ipv6, CoreRuntime.hostRoutes(system)),
                new NullIpam());
        controller = new ControllerImpl(system, new Store(b.stateDir, b.runDir), ipams, drivers, b.etcNetns,
                HostResolvConf.effective(b.resolvConf, b.hostNamespace == null ? "" : b.hostNamespace.toString(), b.etcNetns));
        controller.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Controller controller() {
        return controller;
    }

    public Kernel kernel() {
        return kernel;
    }

    /** A deferred-work queue on the runtime's background (for a test's or a benchmark's {@code DriverContext}). */
    public <K> dev.weft.spi.DeferredWork<K> deferredWork(dev.weft.spi.DeferredPolicy policy,
                                                         dev.weft.spi.DeferredWork.Task<K> task) {
        return controller.deferredWork(policy, task);
    }


    /** The port mapper core offers under {@code name} (for a {@code DriverContext}). */
    public Optional<PortMapper> portMapper(String name) {
        return controller.portMapper(name);
    }

    /** Waits until removed sandboxes' namespaces, interfaces and addresses are entirely gone. */
    public void awaitRemovals() {
        controller.awaitRemovals();
    }

    /** Subscribes a listener as the whiteboard would. */
    public void addListener(dev.weft.spi.ControllerListener listener) {
        controller.addListener(listener);
    }

    /** Unsubscribes a listener as the whiteboard would when its service goes. */
    public void removeListener(dev.weft.spi.ControllerListener listener) {
        controller.removeListener(listener);
    }

    /**
     * Joins a cluster through {@code store}, as the cluster store's service arriving does in OSGi:
     * global networks can then be made (a host whose addresses lapsed is reclaimed after
     * {@code reclaimAfter}).
     */
    public void attachCluster(dev.weft.spi.ClusterStore store, String instance, java.time.Duration reclaimAfter) {
        controller.attachCluster(store, instance, CoreRuntime.hostRoutes(new KernelHostSystem(kernel)), reclaimAfter);
    }

    /** Leaves the cluster, as the store's service going away does. */
    public void detachCluster() {
        controller.detachCluster();
    }

    /** Registers a driver as the whiteboard would (bundle and version name its origin). */
    public void addDriver(String name, String bundle, String version, NetworkDriver<?> driver) {
        drivers.add(name, bundle, version, driver, name + "/" + bundle);
    }

    /**
     * Unregisters a driver added with {@link #addDriver}, as its bundle's departure would: its
     * networks stay in the kernel, unavailable, until it returns.
     */
    public void removeDriver(String name, String bundle) {
        drivers.remove(name + "/" + bundle);
    }

    /**
     * Registers an IPAM driver as the whiteboard would; the leases of its networks are replayed
     * into it before it returns.
     */
    public void addIpam(String name, String bundle, String version, IpamDriver ipam) {
        ipams.add(name, bundle, version, ipam, "ipam:" + name + "/" + bundle);
    }

    /** Unregisters an IPAM driver added with {@link #addIpam}: its networks take no new endpoints until it returns. */
    public void removeIpam(String name, String bundle) {
        ipams.remove("ipam:" + name + "/" + bundle);
    }

    /**
     * The instance settings a driver of this runtime is given, as {@code CoreRuntime} registers them
     * for the drivers in OSGi: the instance's name, link prefix, nf_tables table, firewall mode and
     * default MTU (0: none), its driver settings ({@link DriverContext#setting}), and this runtime's
     * port mappers and deferred work. For embedding and tests, which construct drivers themselves.
     */
    public DriverContext driverContext(String instance, String linkPrefix, String nftTable,
                                       DriverContext.FirewallMode mode, int defaultMtu, Map<String, String> settings) {
        Map<String, String> copy = Map.copyOf(settings);
        return new DriverContext() {
            @Override
            public String instance() {
                return instance;
            }

            @Override
            public String linkPrefix() {
                return linkPrefix;
            }

            @Override
            public String nftTable() {
                return nftTable;
            }

            @Override
            public FirewallMode firewallMode() {
                return mode;
            }

            @Override
            public Path hostResolvConf() {
                return controller.hostResolvConf();
            }

            @Override
            public int defaultMtu() {
                return defaultMtu;
            }

            @Override
            public Optional<PortMapper> portMapper(String name) {
                return Standalone.this.portMapper(name);
            }

            @Override
            public <K> DeferredWork<K> deferredWork(DeferredPolicy policy, DeferredWork.Task<K> task) {
                return Standalone.this.deferredWork(policy, task);
            }

            @Override
            public Optional<String> setting(String key) {
                return Optional.ofNullable(copy.get(key));
            }

            @Override
            public Optional<dev.weft.spi.ClusterStore> cluster() {
                return controller.clusterStore();
            }
        };
    }

    /** Frees JVM resources only; kernel state and records stay. */
    @Override
    public void close() {
        controller.close();
        kernel.close();
    }

    /** Directories and the host namespace of one instance. */
    public static final class Builder {
        private Path hostNamespace;
        private Path netnsDir = KernelConfig.DEFAULT_NAMESPACE_DIRECTORY;
        private Path stateDir;
        private Path runDir;
        private Path etcNetns;
        private Path resolvConf = Path.of("/etc/resolv.conf");
        private IpPrefix ipv6 = IpPrefix.parse("fd00:5745:4654::/48");

        public Builder hostNamespace(Path p) {
            this.hostNamespace = p;
            return this;
        }

        public Builder netnsDir(Path p) {
            this.netnsDir = p;
            return this;
        }

        /** State, runtime and etc-netns directories under one root. */
        public Builder directories(Path root) {
            this.stateDir = root.resolve("state");
            this.runDir = root.resolve("run");
            this.etcNetns = root.resolve("etc-netns");
            return this;
        }

        /** Where sandboxes' resolv.conf and hosts go: {@code /etc/netns} for {@code ip netns exec}. */
        public Builder etcNetns(Path p) {
            this.etcNetns = p;
            return this;
        }

        public Builder resolvConf(Path p) {
            this.resolvConf = p;
            return this;
        }

        public Standalone build() {
            Objects.requireNonNull(stateDir, "directories");
            return new Standalone(this);
        }
    }
}
