package dev.weft.api;

import java.nio.file.Path;

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
 */
public record SandboxSpec(String name, String network, EndpointSpec endpoint, Path namespace) {

    public SandboxSpec {
        endpoint = endpoint == null ? EndpointSpec.defaults() : endpoint;
    }

    public static SandboxSpec of(String name, String network) {
        return new SandboxSpec(name, network, EndpointSpec.defaults(), null);
    }
}
