package dev.weft.api;

import java.nio.file.Path;
import java.util.List;

/**
 * A request for a sandbox, as {@code sandbox:create} takes it.
 *
 * @param name      the sandbox's name (its namespace is {@code NETNS_DIR/name} unless adopted)
 * @param network   the first network: a network's name, {@code host}, {@code none},
 *                  {@code container:NAME}, or null for the predefined {@code bridge}
 *                  network when it exists (else {@code none})
 * @param endpoint  how it joins that network (addresses, aliases, published ports)
 * @param namespace an existing namespace to adopt instead of creating one (e.g. {@code /proc/PID/ns/net}),
 *                  or null
 * @param hostname  the name the sandbox calls itself ({@code --hostname}): in its hosts file with its
 *                  address, and a name others resolve it by on user networks; null for its name
 * @param dns       its own resolver settings ({@code --dns}, {@code --dns-search}, {@code --dns-option})
 * @param links     legacy links on the default {@code bridge} network ({@code --link NAME[:ALIAS]})
 */
public record SandboxSpec(String name, String network, EndpointSpec endpoint, Path namespace, String hostname,
                          DnsSettings dns, List<SandboxLink> links) {

    public SandboxSpec {
        endpoint = endpoint == null ? EndpointSpec.defaults() : endpoint;
        hostname = hostname == null || hostname.isEmpty() ? null : hostname;
        dns = dns == null ? DnsSettings.NONE : dns;
        links = links == null ? List.of() : List.copyOf(links);
    }

    public SandboxSpec(String name, String network, EndpointSpec endpoint, Path namespace) {
        this(name, network, endpoint, namespace, null, DnsSettings.NONE, List.of());
    }

    public static SandboxSpec of(String name, String network) {
        return new SandboxSpec(name, network, EndpointSpec.defaults(), null);
    }

    public SandboxSpec withHostname(String name) {
        return new SandboxSpec(this.name, network, endpoint, namespace, name, dns, links);
    }

    public SandboxSpec withDns(DnsSettings settings) {
        return new SandboxSpec(name, network, endpoint, namespace, hostname, settings, links);
    }

    public SandboxSpec withLinks(List<SandboxLink> sandboxLinks) {
        return new SandboxSpec(name, network, endpoint, namespace, hostname, dns, sandboxLinks);
    }
}
