package dev.weft.spi;

import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Follows what the controller does, for bundles that keep their own picture of it: an embedded DNS
 * server (names resolve the moment {@code sandbox:create} returns), a Docker API's events, a CNI
 * caller. An OSGi service of this type (whiteboard) is found by core; every method has a default
 * that ignores the event.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Synchronous.</b> Each event is delivered inside the operation that caused it, after the
 *       change and before the operation returns to its caller: once {@code createSandbox} returns,
 *       every listener has seen its endpoint join.</li>
 *   <li><b>Atomic start.</b> {@link #snapshot} is called once, first, with the state at
 *       subscription; every change after it arrives as an event and none before it does: the
 *       snapshot plus the events is the controller's state, nothing missed, nothing twice.</li>
 *   <li><b>In order, one at a time.</b> A listener's calls never overlap and come in the order the
 *       changes happened.</li>
 *   <li><b>Bounded.</b> A listener that throws is logged and the operation goes on. A listener
 *       still running after a bound (a second) is logged and the operation goes on without it; its
 *       later events wait until it returns, still in order.</li>
 * </ul>
 *
 * <h2>What a listener must do</h2>
 * Return quickly, and not change the controller's state from a callback (such a call waits until
 * the event's bound has passed). Reading it ({@code Controller.network}, …) is fine.
 */
@ConsumerType
public interface ControllerListener {

    /** The state at subscription: every network (with its endpoints) and every sandbox. */
    default void snapshot(List<NetworkInfo> networks, List<SandboxInfo> sandboxes) {}

    /** A network was created (also a predefined one a driver declared). */
    default void networkCreated(NetworkInfo network) {}

    /**
     * A network's driver arrived (after a restart, or installed again) and has restored it: what
     * the driver says of it, e.g. {@code Controller.hostGateways}, holds now. Also for networks the
     * snapshot showed unavailable.
     *
     * @since 0.9.0
     */
    default void networkAvailable(NetworkInfo network) {}

    /** A network was removed (it had no endpoints left). */
    default void networkRemoved(NetworkInfo network) {}

    /**
     * An endpoint joined its network: its sandbox's name and id, its interface, addresses, MAC,
     * aliases and published ports are final. Also for the first network of a new sandbox.
     */
    default void endpointJoined(EndpointInfo endpoint) {}

    /** An endpoint left its network (disconnected, or its sandbox removed); as it was before. */
    default void endpointLeft(EndpointInfo endpoint) {}
}
