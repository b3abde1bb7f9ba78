package dev.weft.driver.cni;

import com.google.gson.JsonObject;
import dev.weft.api.PortBinding;
import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.Link;
import dev.weft.net.MacAddress;
import dev.weft.spi.DriverContext;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.EndpointOperationalInfo;
import dev.weft.spi.ExternalConnectivity;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.Reapplicable;
import dev.weft.spi.Restorable;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code cni} driver: a network served by the CNI plugins of a conflist
 * ({@code -o conflist=PATH}). Join runs the chain's ADD in the sandbox's namespace, leave its DEL
 * with the cached result; the plugins bring their own addresses (their IPAM), so Weft's IPAM does
 * not run ({@link #usesAddresses()} false). See the bundle's README for the contracts.
 */
@Component(service = NetworkDriver.class, property = NetworkDriver.NAME + "=" + CniDriver.NAME)
public final class CniDriver implements NetworkDriver<CniOptions>, Restorable<CniOptions>, Reapplicable,
        ExternalConnectivity<CniOptions>, EndpointOperationalInfo<CniOptions> {
    public static final String NAME = "cni";
    /** Setting: where attachments are cached (default {@code /var/lib/weft/cni/INSTANCE}). */
    public static final String STATE_DIR = "cni.stateDir";
    /** Setting: how long one plugin call may take, in milliseconds (default 30000). */
    public static final String TIMEOUT = "cni.timeoutMs";
    private static final Logger LOG = Logger.getLogger(CniDriver.class.getName());

    private final Kernel kernel;
    private final Attachments attachments;
    private final Plugins plugins;
    private final ExecutorService hostThread;
    private final ExecutorService background;
    /** Endpoints joined or restored since activation, for reapply's CHECK. */
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    /** The last CHECK of each endpoint: "ok" or the failure. */
    private final Map<String, String> checks = new ConcurrentHashMap<>();

    private record Known(NetworkConfig network, CniOptions options, String endpointId) {}

    @Activate
    public CniDriver(@Reference DriverContext context, @Reference Kernel kernel) {
        this.kernel = kernel;
        this.attachments = new Attachments(Path.of(context.setting(STATE_DIR)
                .orElse("/var/lib/weft/cni/" + context.instance())));
        this.hostThread = Executors.newSingleThreadExecutor(kernel.hostThreads("weft-cni-spawn"));
        this.background = Executors.newSingleThreadExecutor(kernel.hostThreads("weft-cni-check"));
        this.plugins = new Plugins(hostThread, Duration.ofMillis(Long.parseLong(context.setting(TIMEOUT).orElse("30000"))));
    }

    @Deactivate
    public void close() {
        background.shutdown();
        try {
            background.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hostThread.shutdownNow();
    }

    /** Waits until the background work queued so far (CHECK, GC) has run; for tests. */
    void awaitBackground() {
        try {
            background.submit(() -> { }).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    /** The plugins' IPAM gives the addresses, not Weft's. */
    @Override
    public boolean usesAddresses() {
        return false;
    }

    @Override
    public CniOptions parseOptions(Map<String, String> options) {
        return CniOptions.parse(options);
    }

    @Override
    public void validate(NetworkConfig network, CniOptions options) {
        Conflist list = Conflist.read(options.conflist());
        for (String type : list.types()) {
            Plugins.find(type, options.path());
        }
        new Chain(list, options.path(), plugins).checkVersions();
    }

    @Override
    public Map<String, String> remarks(NetworkConfig network, CniOptions options) {
        Map<String, String> out = new LinkedHashMap<>();
        Chain chain = chainOrNull(network, options);
        if (chain != null) {
            out.put("CniPlugins", String.join(",", chain.list().types()) + " (conflist \"" + chain.list().name()
                    + "\", cniVersion " + chain.list().cniVersion() + ")");
        }
        for (Attachments.Attachment a : attachments.all(network.id())) {
            if (a.result() != null) {
                out.put("CniResult." + a.endpointId().substring(0, 12), compact(a.result()));
            }
            String check = checks.get(a.endpointId());
            if (check != null && !check.equals("ok")) {
                out.put("CniCheck." + a.endpointId().substring(0, 12), check);
            }
        }
        return out;
    }

    @Override
    public void createNetwork(NetworkConfig network, CniOptions options) {
        attachments.saveConflist(network.id(), Conflist.read(options.conflist()).json());
    }

    /** Deletes the links the plugins made in the host namespace for this network and no other uses. */
    @Override
    public void deleteNetwork(NetworkConfig network, CniOptions options) {
        Set<String> others = new HashSet<>();
        for (String id : attachments.networks()) {
            if (!id.equals(network.id())) {
                others.addAll(attachments.links(id));
            }
        }
        List<String> failures = new ArrayList<>();
        for (String link : attachments.links(network.id())) {
            if (others.contains(link)) {
                continue;
            }
            try {
                if (kernel.host().deleteLinkIfExists(link)) {
                    LOG.info(() -> "network \"" + network.name() + "\": deleted " + link + ", which its CNI plugins made");
                }
            } catch (RuntimeException e) {
                failures.add("link " + link + ": " + e.getMessage());
            }
        }
        attachments.removeNetwork(network.id());
        if (!failures.isEmpty()) {
            throw new IllegalStateException("network \"" + network.name() + "\": " + String.join("; ", failures));
        }
    }

    @Override
    public JoinInfo join(NetworkConfig network, CniOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        Chain chain = chain(network, options);
        if (chain.list().cniVersion().equals("1.1.0") && chain.checkVersions()) {
            chain.status();
        }
        Attachments.Attachment a = new Attachments.Attachment(endpoint.id(), sandbox.id(),
                sandbox.namespace().path().toString(), endpoint.interfaceName(), null, List.of());
        attachments.save(network.id(), a); // before ADD: a crash in it leaves what the next start cleans
        Set<String> before = hostLinks();
        JsonObject result;
        try {
            result = chain.add(a);
        } catch (RuntimeException e) {
            recordNewLinks(network, before);
            attachments.remove(network.id(), endpoint.id());
            throw new IllegalStateException("network \"" + network.name() + "\", sandbox \"" + sandbox.name() + "\": "
                    + e.getMessage(), e);
        }
        recordNewLinks(network, before);
        attachments.save(network.id(), a.withResult(result));
        known.put(endpoint.id(), new Known(network, options, endpoint.id()));
        JsonObject iface = Chain.sandboxInterface(result, endpoint.interfaceName());
        MacAddress mac = null;
        if (iface != null && iface.has("mac")) {
            try {
                mac = MacAddress.parse(iface.get("mac").getAsString());
            } catch (RuntimeException ignored) {
                // a plugin's odd MAC text: the endpoint is recorded without one
            }
        }
        return new JoinInfo(endpoint.interfaceName(), mac);
    }

    @Override
    public void leave(NetworkConfig network, CniOptions options, EndpointConfig endpoint, SandboxConfig sandbox) {
        known.remove(endpoint.id());
        checks.remove(endpoint.id());
        Attachments.Attachment a = attachments.load(network.id(), endpoint.id());
        if (a == null) {
            a = new Attachments.Attachment(endpoint.id(), sandbox.id(), sandbox.namespace().path().toString(),
                    endpoint.interfaceName(), null, List.of());
        }
        List<String> failures = chain(network, options).del(a);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("network \"" + network.name() + "\", sandbox \"" + sandbox.name()
                    + "\": DEL failed (kept in the cache for the next start): " + String.join("; ", failures));
        }
        attachments.remove(network.id(), endpoint.id());
    }

    @Override
    public void publish(NetworkConfig network, CniOptions options, EndpointConfig endpoint, List<PortBinding> ports) {
        Chain chain = chain(network, options);
        if (chain.list().plugins().stream().noneMatch(Conflist::wantsPortMappings)) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": no plugin of its conflist declares "
                    + "the portMappings capability, so it cannot publish ports; add {\"type\": \"portmap\", "
                    + "\"capabilities\": {\"portMappings\": true}} to its plugins");
        }
        Attachments.Attachment a = attachments.load(network.id(), endpoint.id());
        List<PortBinding> all = new ArrayList<>(a.ports());
        all.addAll(ports);
        Attachments.Attachment withPorts = a.withPorts(all);
        attachments.save(network.id(), withPorts); // first: a failure below is undone by DEL with these ports
        try {
            attachments.save(network.id(), withPorts.withResult(chain.addPorts(withPorts)));
        } catch (RuntimeException e) {
            chain.delPorts(withPorts);
            attachments.save(network.id(), a);
            throw new IllegalStateException("network \"" + network.name() + "\": " + e.getMessage(), e);
        }
    }

    @Override
    public void unpublish(NetworkConfig network, CniOptions options, EndpointConfig endpoint, List<PortBinding> ports) {
        Attachments.Attachment a = attachments.load(network.id(), endpoint.id());
        if (a == null) {
            return;
        }
        List<String> failures = chain(network, options).delPorts(a);
        List<PortBinding> left = new ArrayList<>(a.ports());
        left.removeAll(ports);
        attachments.save(network.id(), a.withPorts(left));
        if (!failures.isEmpty()) {
            throw new IllegalStateException("network \"" + network.name() + "\": " + String.join("; ", failures));
        }
    }

    /**
     * Re-adopts the network: attachments cached here whose endpoint is gone (a crash between ADD and
     * the record, or a leave Weft never ran) are collected, by GC where every plugin speaks 1.1.0,
     * else by DEL from the cache as libcni does; then CHECK of every endpoint. All in the background:
     * the start does not wait for plugins.
     */
    @Override
    public void restore(NetworkConfig network, CniOptions options, List<RestoredEndpoint> endpoints) {
        Set<String> valid = endpoints.stream().map(r -> r.endpoint().id()).collect(Collectors.toSet());
        for (RestoredEndpoint r : endpoints) {
            known.put(r.endpoint().id(), new Known(network, options, r.endpoint().id()));
        }
        background.submit(() -> collect(network, options, valid));
        background.submit(() -> checkAll(network, options, valid));
    }

    private void collect(NetworkConfig network, CniOptions options, Set<String> valid) {
        try {
            Chain chain = chain(network, options);
            List<Attachments.Attachment> keep = new ArrayList<>(), stale = new ArrayList<>();
            for (Attachments.Attachment a : attachments.all(network.id())) {
                (valid.contains(a.endpointId()) ? keep : stale).add(a);
            }
            boolean gc = chain.checkVersions();
            for (Attachments.Attachment a : stale) {
                List<String> failures = chain.del(a);
                if (failures.isEmpty()) {
                    attachments.remove(network.id(), a.endpointId());
                    LOG.info(() -> "network \"" + network.name() + "\": DEL of stale CNI attachment " + a.containerId()
                            + "/" + a.ifname() + " from the cache");
                } else {
                    LOG.warning("network \"" + network.name() + "\": stale attachment " + a.endpointId() + ": " + failures);
                }
            }
            if (gc) {
                List<String> failures = chain.gc(keep);
                if (!failures.isEmpty()) {
                    LOG.warning("network \"" + network.name() + "\": GC: " + failures);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "network \"" + network.name() + "\": collecting stale CNI attachments failed", e);
        }
    }

    private void checkAll(NetworkConfig network, CniOptions options, Set<String> endpoints) {
        Chain chain;
        try {
            chain = chain(network, options);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "network \"" + network.name() + "\": no CHECK", e);
            return;
        }
        for (String id : endpoints) {
            Attachments.Attachment a = attachments.load(network.id(), id);
            if (a == null || a.result() == null) {
                checks.put(id, "no cached result to CHECK");
                continue;
            }
            try {
                chain.check(a);
                checks.put(id, "ok");
            } catch (RuntimeException e) {
                checks.put(id, e.getMessage());
                LOG.warning("network \"" + network.name() + "\": CHECK of endpoint " + id.substring(0, 12) + " failed: "
                        + e.getMessage() + "; network:disconnect and connect it again to repair");
            }
        }
    }

    /** CHECK of every endpoint joined or restored since activation, in the background. */
    @Override
    public void reapply() {
        Map<String, List<Known>> byNetwork = known.values().stream().collect(Collectors.groupingBy(k -> k.network().id()));
        for (List<Known> ks : byNetwork.values()) {
            Known first = ks.get(0);
            Set<String> ids = ks.stream().map(Known::endpointId).collect(Collectors.toSet());
            background.submit(() -> checkAll(first.network(), first.options(), ids));
        }
    }

    @Override
    public Map<String, String> endpointInfo(NetworkConfig network, CniOptions options, EndpointConfig endpoint) {
        Attachments.Attachment a = attachments.load(network.id(), endpoint.id());
        if (a == null || a.result() == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : List.of("interfaces", "ips", "routes", "dns")) {
            if (a.result().has(key)) {
                out.put("Cni." + key, compact(a.result().get(key)));
            }
        }
        String check = checks.get(endpoint.id());
        if (check != null) {
            out.put("Cni.check", check);
        }
        return out;
    }

    /** The last CHECK of an endpoint ("ok" or the failure), or null; for tests and inspect. */
    String lastCheck(String endpointId) {
        return checks.get(endpointId);
    }

    private Chain chain(NetworkConfig network, CniOptions options) {
        String json = attachments.conflist(network.id());
        Conflist list = json != null ? Conflist.parse(json, "of network \"" + network.name() + "\"")
                : Conflist.read(options.conflist());
        return new Chain(list, options.path(), plugins);
    }

    private Chain chainOrNull(NetworkConfig network, CniOptions options) {
        try {
            return chain(network, options);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Set<String> hostLinks() {
        return kernel.host().links().stream().map(Link::name).collect(Collectors.toSet());
    }

    /**
     * Records the links that appeared; veths are an attachment's own (its DEL removes them), not the
     * network's, and a link with a Weft ownership alias is another driver's, made meanwhile.
     */
    private void recordNewLinks(NetworkConfig network, Set<String> before) {
        Set<String> now = kernel.host().links().stream().filter(l -> !"veth".equals(l.kind()))
                .filter(l -> l.alias() == null || !l.alias().startsWith("weft:")).map(Link::name)
                .collect(Collectors.toCollection(HashSet::new));
        now.removeAll(before);
        attachments.addLinks(network.id(), now);
    }

    private static String compact(com.google.gson.JsonElement e) {
        return e.toString();
    }
}
