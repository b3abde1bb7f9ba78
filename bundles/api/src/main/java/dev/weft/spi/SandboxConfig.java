package dev.weft.spi;

import dev.weft.net.NetNamespace;

/**
 * The sandbox an endpoint joins.
 *
 * @param id        64 hex characters
 * @param name      its name
 * @param namespace its network namespace (the host's for host mode)
 * @param removing  true only in {@link NetworkDriver#leave} while the sandbox itself is being removed
 *                  and the controller destroys its namespace right after the last leave: interfaces
 *                  inside the namespace go with it, so a driver need not take them down first (that
 *                  costs kernel time on the user's path). The controller then keeps the endpoint's
 *                  addresses reserved until the host-side interface the driver reported in
 *                  {@link JoinInfo#hostInterface()} is gone, so the addresses are never on two
 *                  live interfaces at once. A driver must still remove its firewall state for the
 *                  endpoint and make sure the interface goes even if something else keeps the
 *                  namespace alive (e.g. delete its host end off the user's path).
 */
public record SandboxConfig(String id, String name, NetNamespace namespace, boolean removing) {

    /** A sandbox that is not being removed. */
    public SandboxConfig(String id, String name, NetNamespace namespace) {
        this(id, name, namespace, false);
    }

    /** The same sandbox, marked as being removed (see {@link #removing}). */
    public SandboxConfig asRemoving() {
        return new SandboxConfig(id, name, namespace, true);
    }
}
