package dev.weft.spi;

import dev.weft.linux.NetNamespace;

/**
 * The sandbox an endpoint joins.
 *
 * @param id        64 hex characters
 * @param name      its name
 * @param namespace its network namespace (the host's for host mode)
 */
public record SandboxConfig(String id, String name, NetNamespace namespace) {}
