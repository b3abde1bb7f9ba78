package dev.weft.dockerplugins;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.linux.Kernel;
import dev.weft.spi.AddressSpaces;
import dev.weft.spi.DriverContext;
import dev.weft.spi.IpamDriver;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The plugins that are there now, as drivers. One thread follows the plugin directories (a
 * {@link WatchService}, plus a full rescan every {@link Settings#rescan()}, which also catches
 * directories that appear later and sockets under {@code NAME/}): a new plugin is activated
 * ({@code Plugin.Activate}, as Docker does) and each protocol it implements is registered
 * ({@code NetworkDriver}, {@code IpamDriver}); a plugin whose file went, whose address changed, or
 * whose socket no longer accepts connections is unregistered. Its networks stay, reported
 * unavailable, until it returns.
 */
final class Plugins implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Plugins.class.getName());
    static final String ACTIVATE = "Plugin.Activate";
    static final String NETWORK_DRIVER = "NetworkDriver";
    static final String IPAM_DRIVER = "IpamDriver";
    /** Docker's default IPAM's local address space, sent as {@code AddressSpace} for its networks. */
    static final String DOCKER_LOCAL_SPACE = "LocalDefault";

    private final Settings settings;
    private final Kernel kernel;
    private final DriverContext context;
    private final Registrar registrar;
    /**
     * The plugins in use, by name. Read without a lock by the drivers (address spaces), changed only
     * by {@link #rescan}: a registry's unregistration waits for the driver's calls in flight, so no
     * call may wait for a rescan.
     */
    private final Map<String, Active> active = new java.util.concurrent.ConcurrentHashMap<>();
    /** Problems reported once each (path: message, or name: message), until they go away. */
    private final Set<String> reported = new HashSet<>();
    private final ExecutorService undo;
    private final Thread watcher;
    private final WatchService watch;
    private volatile boolean closed;

    private record Active(PluginAddress address, PluginClient client, Registrar.Registration network,
                          Registrar.Registration ipamRegistration, RemoteIpam ipam) {}

    Plugins(Settings settings, Kernel kernel, DriverContext context, Registrar registrar) {
        this.settings = settings;
        this.kernel = kernel;
        this.context = context;
        this.registrar = registrar;
        this.undo = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "docker-plugins-undo");
            t.setDaemon(true);
            return t;
        });
        try {
            this.watch = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch the Docker plugin directories: " + e.getMessage(), e);
        }
        this.watcher = new Thread(this::run, "docker-plugins-watch");
        watcher.setDaemon(true);
    }

    /**
     * Starts following the directories. The first scan runs on the watcher thread too: a plugin that
     * hangs at activation must not hold up the caller (in Karaf, the thread installing features).
     */
    Plugins start() {
        LOG.info("Docker plugins: looking in " + settings.dirs() + " (calls time out after "
                + settings.timeout().toMillis() + " ms)");
        watcher.start();
        return this;
    }

    private void run() {
        try {
            rescan();
        } catch (RuntimeException e) {
            LOG.warning("Docker plugins: scan failed: " + e);
        }
        while (!closed) {
            try {
                WatchKey key = watch.poll(settings.rescan().toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    Thread.sleep(20); // let the rest of a burst (a socket bound, then listened on) arrive
                    drain(key);
                    WatchKey more;
                    while ((more = watch.poll()) != null) {
                        drain(more);
                    }
                }
                if (!closed) {
                    rescan();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warning("Docker plugins: rescan failed: " + e);
            }
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    /** Brings the registrations in line with the directories. */
    synchronized void rescan() {
        if (closed) {
            return;
        }
        watchDirectories();
        Set<String> problems = new HashSet<>();
        Map<String, PluginAddress> found = PluginScan.scan(settings.dirs(), (path, why) -> {
            String line = path + ": " + why;
            problems.add(line);
            if (!reported.contains(line)) {
                LOG.warning("Docker plugins: " + line);
            }
        });
        for (var it = active.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            PluginAddress now = found.get(e.getKey());
            String gone = null;
            if (now == null) {
                gone = "its " + (e.getValue().address().isUnix() ? "socket" : "spec") + " "
                        + e.getValue().address().source() + " is gone";
            } else if (!sameAddress(now, e.getValue().address())) {
                gone = "it moved to " + now.url();
            } else if (!answers(e.getValue().client())) {
                gone = "it no longer accepts connections at " + now.url();
            }
            if (gone != null) {
                LOG.info("Docker plugin \"" + e.getKey() + "\" dropped: " + gone);
                drop(e.getValue());
                it.remove();
            }
        }
        for (PluginAddress a : found.values()) {
            if (!active.containsKey(a.name())) {
                try {
                    active.put(a.name(), activate(a));
                    reported.removeIf(r -> r.startsWith(a.name() + ": "));
                } catch (RuntimeException e) {
                    String line = a.name() + ": " + e.getMessage();
                    problems.add(line);
                    if (!reported.contains(line)) {
                        LOG.warning("Docker plugin \"" + a.name() + "\" at " + a.url() + " is not used: " + e.getMessage()
                                + " (tried again every " + settings.rescan().toMillis() + " ms)");
                    }
                }
            }
        }
        reported.retainAll(problems);
        reported.addAll(problems);
    }

    private static boolean sameAddress(PluginAddress a, PluginAddress b) {
        return Objects.equals(a.socket(), b.socket()) && Objects.equals(a.host(), b.host()) && a.port() == b.port();
    }

    /** Whether the plugin still accepts connections: a timeout counts as alive (busy), a refusal does not. */
    private static boolean answers(PluginClient client) {
        try {
            client.call(ACTIVATE, new JsonObject());
            return true;
        } catch (PluginCallException e) {
            return e.kind() != PluginCallException.Kind.UNREACHABLE;
        }
    }

    /** {@code Plugin.Activate}, then what it implements registered; on failure nothing is. */
    private Active activate(PluginAddress a) {
        PluginClient client = new PluginClient(a, settings.timeout(), kernel.hostThreads("docker-plugin-" + a.name()));
        Registrar.Registration ipamReg = null, netReg = null;
        try {
            List<String> implemented = client.call(ACTIVATE, new JsonObject(), Plugins::implemented);
            if (!implemented.contains(NETWORK_DRIVER) && !implemented.contains(IPAM_DRIVER)) {
                throw new IllegalStateException("it implements " + implemented + ", neither " + NETWORK_DRIVER + " nor "
                        + IPAM_DRIVER);
            }
            RemoteIpam ipam = null;
            if (implemented.contains(IPAM_DRIVER)) {
                AddressSpaces spaces = client.call(IpamApi.GET_DEFAULT_ADDRESS_SPACES, new JsonObject(),
                        IpamApi::addressSpaces);
                IpamApi.Capabilities caps = ipamCapabilities(client);
                ipam = new RemoteIpam(client, spaces);
                ipamReg = registrar.ipam(a.name(), ipam);
                LOG.info("Docker plugin \"" + a.name() + "\" at " + a.url() + ": IPAM driver (address spaces "
                        + spaces.local() + ", " + spaces.global() + (caps.requiresMacAddress() ? "; it asks for MAC "
                        + "addresses, which Weft does not send" : "") + ")");
            }
            if (implemented.contains(NETWORK_DRIVER)) {
                NetworkApi.Capabilities caps = client.call(NetworkApi.GET_CAPABILITIES, new JsonObject(),
                        NetworkApi::capabilities);
                netReg = registrar.network(a.name(), RemoteDriver.of(client, caps, kernel, context, this::addressSpace,
                        undo));
                LOG.info("Docker plugin \"" + a.name() + "\" at " + a.url() + ": network driver (scope "
                        + caps.scope().label() + ")");
            }
            return new Active(a, client, netReg, ipamReg, ipam);
        } catch (RuntimeException e) {
            if (ipamReg != null) {
                ipamReg.unregister();
            }
            client.close();
            throw e;
        }
    }

    /** Docker's default when the plugin does not know the call (HTTP 404): nothing required. */
    private static IpamApi.Capabilities ipamCapabilities(PluginClient client) {
        try {
            return client.call(IpamApi.GET_CAPABILITIES, new JsonObject(), IpamApi::capabilities);
        } catch (PluginCallException e) {
            if (e.kind() == PluginCallException.Kind.HTTP_STATUS) {
                return new IpamApi.Capabilities(false, false);
            }
            throw e;
        }
    }

    /** {@code {"Implements": ["NetworkDriver", ...]}}. */
    static List<String> implemented(JsonObject o) {
        List<String> out = new java.util.ArrayList<>();
        for (JsonElement e : Json.array(o, "Implements")) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new Json.Shape("\"Implements\" holds " + e + ", not a string");
            }
            out.add(e.getAsString());
        }
        return out;
    }

    /** The local address space of an IPAM driver by name, for the network calls' {@code AddressSpace}. */
    private String addressSpace(String ipamDriver) {
        if (IpamDriver.DEFAULT.equals(ipamDriver)) {
            return DOCKER_LOCAL_SPACE;
        }
        Active a = active.get(ipamDriver);
        return a != null && a.ipam() != null ? a.ipam().addressSpaces().local() : "";
    }

    private static void drop(Active a) {
        if (a.network() != null) {
            a.network().unregister();
        }
        if (a.ipamRegistration() != null) {
            a.ipamRegistration().unregister();
        }
        a.client().close();
    }

    /** The directories and their subdirectories (sockets under NAME/) that exist now. */
    private void watchDirectories() {
        for (Path dir : settings.dirs()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            register(dir);
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isDirectory).forEach(this::register);
            } catch (IOException ignored) {
                // gone meanwhile: the next scan sees it
            }
        }
    }

    private void register(Path dir) {
        try {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | ClosedWatchServiceException ignored) {
            // gone meanwhile, or closing
        }
    }

    /** Unregisters every plugin (their networks stay, unavailable) and stops following. */
    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing
        }
        watcher.interrupt();
        try {
            watcher.join(settings.timeout().toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            active.values().forEach(Plugins::drop);
            active.clear();
        }
        undo.shutdownNow();
    }
}
