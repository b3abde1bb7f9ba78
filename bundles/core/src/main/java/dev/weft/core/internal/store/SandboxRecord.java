package dev.weft.core.internal.store;

import dev.weft.api.DnsSettings;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxLink;
import dev.weft.net.NetNamespace;
import dev.weft.spi.SandboxConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A sandbox as stored in the runtime directory (gone after a reboot, with its namespace).
 *
 * @param namespace   the path that pins its namespace
 * @param device      the namespace's device number, to recognise it (a path can be reused)
 * @param inode       the namespace's inode number
 * @param endpoints   ids of its endpoints in the order they joined
 * @param sharedWith  for {@link SandboxInfo.Mode#SHARED}: the id of the sandbox whose namespace it uses (the
 *                    end of a chain: never itself a sharer)
 * @param shareDriver for {@link SandboxInfo.Mode#SHARED}: the driver it was made with ({@code container}), the
 *                    first half of its network mode {@code DRIVER:SANDBOX}; null otherwise (and in records of
 *                    versions before it, which had no shared sandboxes)
 * @param networkMode the network it was created on (Docker's {@code HostConfig.NetworkMode}, kept when it
 *                    leaves that network); null for a sharer and in records of versions before it
 * @param hostname    {@code --hostname}, or null for its name
 * @param dns         its own resolver settings ({@code --dns}, {@code --dns-search}, {@code --dns-option})
 * @param links       its legacy links ({@code --link}) on the default {@code bridge} network
 */
public record SandboxRecord(String id, String name, Path namespace, long device, long inode, SandboxInfo.Mode mode,
                            State state, Instant created, List<String> endpoints, String sharedWith, String shareDriver,
                            String networkMode, String hostname, DnsSettings dns, List<SandboxLink> links) {

    public SandboxRecord {
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        // none kept as null: a record without them is written as records were before 0.9.0
        dns = dns == null || dns.isEmpty() ? null : dns;
        links = links == null || links.isEmpty() ? null : List.copyOf(links);
    }

    /** Its own resolver settings, {@link DnsSettings#NONE} when it has none. */
    public DnsSettings dnsSettings() {
        return dns == null ? DnsSettings.NONE : dns;
    }

    /** Its links, none as an empty list. */
    public List<SandboxLink> linkList() {
        return links == null ? List.of() : links;
    }

    public SandboxRecord(String id, String name, Path namespace, long device, long inode, SandboxInfo.Mode mode,
                         State state, Instant created, List<String> endpoints, String sharedWith, String shareDriver,
                         String networkMode) {
        this(id, name, namespace, device, inode, mode, state, created, endpoints, sharedWith, shareDriver, networkMode,
                null, DnsSettings.NONE, List.of());
    }

    /** The name it calls itself: {@code --hostname}, else its name. */
    public String hostnameOrName() {
        return hostname == null || hostname.isEmpty() ? name : hostname;
    }

    /** With its own names and resolver settings ({@code --hostname}, {@code --dns…}, {@code --link}). */
    public SandboxRecord withNames(String host, DnsSettings settings, List<SandboxLink> sandboxLinks) {
        return new SandboxRecord(id, name, namespace, device, inode, mode, state, created, endpoints, sharedWith,
                shareDriver, networkMode, host, settings, sandboxLinks);
    }

    /** A sandbox with a namespace of its own (not a sharer). */
    public SandboxRecord(String id, String name, Path namespace, long device, long inode, SandboxInfo.Mode mode,
                         State state, Instant created, List<String> endpoints, String sharedWith) {
        this(id, name, namespace, device, inode, mode, state, created, endpoints, sharedWith, null, null);
    }

    /** The same sandbox, created on {@code network}. */
    public SandboxRecord withNetworkMode(String network) {
        return new SandboxRecord(id, name, namespace, device, inode, mode, state, created, endpoints, sharedWith,
                shareDriver, network, hostname, dns, links);
    }

    /** A sandbox sharing the namespace of {@code owner} (its id), made with {@code driver}, being created. */
    public static SandboxRecord sharing(String id, String name, Path namespace, String owner, String driver) {
        return new SandboxRecord(id, name, namespace, 0, 0, SandboxInfo.Mode.SHARED, State.CREATING, Instant.now(),
                List.of(), owner, driver, null);
    }

    public SandboxRecord withState(State s) {
        return new SandboxRecord(id, name, namespace, device, inode, mode, s, created, endpoints, sharedWith, shareDriver,
                networkMode, hostname, dns, links);
    }

    public SandboxRecord withEndpoints(List<String> e) {
        return new SandboxRecord(id, name, namespace, device, inode, mode, state, created, e, sharedWith, shareDriver,
                networkMode, hostname, dns, links);
    }

    public SandboxRecord withNamespace(NetNamespace ns) {
        return new SandboxRecord(id, name, ns.path(), ns.device(), ns.inode(), mode, state, created, endpoints,
                sharedWith, shareDriver, networkMode, hostname, dns, links);
    }

    /**
     * Its namespace as recorded; named only when its path is a name Weft made in the namespace
     * directory: the namespace it created, or a sharer's second name of another's.
     */
    public NetNamespace netns() {
        return new NetNamespace(mode == SandboxInfo.Mode.CREATED || mode == SandboxInfo.Mode.SHARED ? name : null,
                namespace, device, inode);
    }

    /** Whether it shares another sandbox's namespace. */
    public boolean sharer() {
        return mode == SandboxInfo.Mode.SHARED;
    }

    /** What drivers are told about it. */
    public SandboxConfig config() {
        return new SandboxConfig(id, name, netns());
    }
}
