package dev.weft.spi;

import dev.weft.net.NetNamespace;

/**
 * The sandbox an endpoint joins.
 *
 * @param id        64 hex characters
 * @param name      its name
 * @param namespace its network namespace (the host's for host mode)
 * @param removal   only in {@link NetworkDriver#leave} while the sandbox itself is being removed and
 *                  the controller destroys its namespace right after the last leave; null otherwise.
 *                  Interfaces inside the namespace go with it, so a driver need not take them down
 *                  first (that costs kernel time on the user's path); see {@link Removal} for how it
 *                  keeps the endpoint's addresses until its interfaces are gone. A driver must still
 *                  remove its firewall state for the endpoint, and make sure its interfaces go even if
 *                  something else keeps the namespace alive.
 */
public record SandboxConfig(String id, String name, NetNamespace namespace, Removal removal) {

    /** A sandbox that is not being removed. */
    public SandboxConfig(String id, String name, NetNamespace namespace) {
        this(id, name, namespace, null);
    }

    /** Whether the sandbox is being removed (see {@link #removal}). */
    public boolean removing() {
        return removal != null;
    }

    /** The same sandbox, being removed. */
    public SandboxConfig asRemoving(Removal r) {
        return new SandboxConfig(id, name, namespace, r);
    }

    /**
     * What a driver's leave is told about a sandbox being removed: the controller deletes the
     * namespace at a quiet moment after the sandbox's last leave (see {@link DeferredWork}), and
     * the kernel then destroys its interfaces.
     */
    public interface Removal {

        /**
         * Tells the controller that the endpoint's addresses stay on an interface of this driver
         * until the namespace's destruction has taken it down (a veth whose host end is a bridge
         * port: until it is gone, the old endpoint's address and MAC answer on the bridge). The
         * controller then reuses the addresses only once the returned action has run (it may run
         * once; later runs do nothing), or after a deadline of its own with a warning. Without
         * this call the addresses are released once the controller has deleted the namespace.
         * Called in leave, at most once.
         */
        Runnable holdAddresses();

        /**
         * Runs {@code action} once the controller has deleted the namespace and let go of it (the
         * kernel destroys its interfaces right after): the moment to look for what that takes
         * down. At once when that has happened already. It runs on core's background thread:
         * keep it short (submit to a {@link DeferredWork} queue).
         */
        void whenNamespaceGone(Runnable action);
    }
}
