package dev.weft.api;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A sandbox: one network namespace.
 *
 * @param id        64 hex characters
 * @param name      its name
 * @param namespace the path that pins its namespace ({@code NETNS_DIR/name}, or the adopted path;
 *                  the host's for {@code host} mode)
 * @param mode      how its namespace came to be
 * @param created   when it was created
 * @param endpoints its endpoints, in the order they joined (eth0 first)
 * @param networkMode Docker's {@code HostConfig.NetworkMode}: the network it was created on (also after
 *                  it left that network; for sandboxes made before 0.8.0 its first endpoint's network,
 *                  {@code ""} when it has none), or for a sandbox sharing
 *                  another's namespace {@code DRIVER:SANDBOX} ({@code container:web}) naming the
 *                  sandbox whose namespace it is (the end of a chain)
 * @param sharedBy  the names of the sandboxes sharing its namespace, sorted
 * @param hostname  the name it calls itself (its name unless {@code --hostname} gave another)
 * @param dns       its own resolver settings ({@code --dns}, {@code --dns-search}, {@code --dns-option})
 * @param links     its legacy links ({@code --link}), on the default {@code bridge} network
 */
public record SandboxInfo(String id, String name, Path namespace, Mode mode, Instant created,
                          List<EndpointInfo> endpoints, String networkMode, List<String> sharedBy, String hostname,
                          DnsSettings dns, List<SandboxLink> links) {

    /** Without resolver settings of its own (the form before 0.9.0). */
    public SandboxInfo(String id, String name, Path namespace, Mode mode, Instant created,
                       List<EndpointInfo> endpoints, String networkMode, List<String> sharedBy) {
        this(id, name, namespace, mode, created, endpoints, networkMode, sharedBy, name, DnsSettings.NONE, List.of());
    }

    /** A sandbox nobody shares, with the network mode its first endpoint gives (the form before 0.8.0). */
    public SandboxInfo(String id, String name, Path namespace, Mode mode, Instant created,
                       List<EndpointInfo> endpoints) {
        this(id, name, namespace, mode, created, endpoints,
                endpoints.isEmpty() ? "" : endpoints.get(0).network(), List.of());
    }

    /** How the sandbox's namespace came to be. */
    public enum Mode {
        /** A namespace Weft created and removes with the sandbox. */
        CREATED,
        /** An existing namespace Weft adopted; removing the sandbox leaves the namespace. */
        ADOPTED,
        /** The host's own namespace ({@code --network host}). */
        HOST,
        /** Another sandbox's namespace ({@code --network container:NAME}). */
        SHARED
    }

    public SandboxInfo {
        endpoints = List.copyOf(endpoints);
        networkMode = networkMode == null ? "" : networkMode;
        sharedBy = sharedBy == null ? List.of() : List.copyOf(sharedBy);
        hostname = hostname == null || hostname.isEmpty() ? name : hostname;
        dns = dns == null ? DnsSettings.NONE : dns;
        links = links == null ? List.of() : List.copyOf(links);
    }
}
