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
 */
public record SandboxInfo(String id, String name, Path namespace, Mode mode, Instant created,
                          List<EndpointInfo> endpoints) {

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
    }
}
