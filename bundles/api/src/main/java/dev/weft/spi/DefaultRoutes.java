package dev.weft.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to move a sandbox's default routes onto or off one of its endpoints that
 * has already joined, so the controller can follow the endpoints' gateway priorities (Docker's
 * {@code gw-priority}) as sandboxes connect and disconnect. The controller finds it with
 * {@code instanceof}. A driver without it still adds the default routes at {@link NetworkDriver#join}
 * as {@link EndpointConfig#defaultRoute4()} and {@link EndpointConfig#defaultRoute6()} say; its
 * endpoint then keeps them until it leaves, and gets none later.
 *
 * <h2>Which endpoint gives a default route</h2>
 * For each IP family separately, of a sandbox's endpoints that have an address and a gateway of
 * that family on a network that is not internal and whose driver says its endpoints give default
 * routes ({@link NetworkDriver#givesDefaultRoutes}): the one with the highest gateway priority
 * ({@link dev.weft.api.EndpointSpec#gwPriority()}, default 0, negative allowed); on a tie, the one
 * connected first. The controller records which endpoint gives which route (a restart keeps it)
 * and says so in the flags of the {@link EndpointConfig} of every call.
 *
 * <h2>When it is called</h2>
 * <ul>
 * <li>A connect brings an endpoint whose priority is higher than that of the endpoint giving a
 *     family's default route: before the new endpoint's {@code join}, the old one is called with that
 *     family's flag cleared; then the new one joins with it set. When the old endpoint's driver lacks
 *     this capability, or is not registered, or the call throws, the old one keeps the route and the
 *     new one joins without it (logged). When the connect fails after that, the old endpoint is
 *     called again with the flag set.</li>
 * <li>An endpoint that gives a default route is disconnected (not when its sandbox is being removed:
 *     the namespace goes with everything in it): before its {@link ExternalConnectivity#unpublish} and
 *     {@link NetworkDriver#leave} it is called with its flags cleared; after its leave, the family
 *     goes to the best remaining endpoint whose driver has this capability, called with the flag set
 *     (when that throws, to the next best).</li>
 * <li>After {@link Restorable#restore} at start or at a driver's arrival: a family that no endpoint
 *     gives although one could (a crash or a failure in the middle of the above) goes to the best
 *     endpoint, as after a disconnect.</li>
 * </ul>
 * Only for an endpoint between the return of its {@code join} and its {@code leave}; never at the
 * same time as another call for an endpoint of the same sandbox (the controller holds the sandbox's
 * lock, and never holds it across two sandboxes); a flag is set only when the endpoint has that
 * family's address and gateway and its network is not internal and gives default routes.
 *
 * <h2>What it may assume, what it must do</h2>
 * The endpoint's interface is in the sandbox as {@code join} (or {@code restore}) left it, with its
 * addresses. When a flag is set, no other endpoint of the sandbox gives that family's default route:
 * the controller took it off the previous one first, or none had it. The call makes the default
 * routes through this endpoint what the flags say: it adds the default route of a set flag (via the
 * gateway, out of the endpoint's interface), removes the one of a cleared flag, and touches no other
 * route. Idempotent: a route that is already as asked is success, and so is a removal when the route
 * or the interface is gone. Prompt (it is on the user's path): one trip into the namespace.
 *
 * <h2>Failures</h2>
 * Throws with a message for people naming the endpoint, the route and the kernel's reason. It may
 * have made part of the change (one family but not the other): the controller then calls it once
 * more with the flags as they were before, which must put them back (a failure of that is logged),
 * and treats the change as not made.
 *
 * @param <O> the driver's typed options
 * @since 0.6.0
 */
@ConsumerType
public interface DefaultRoutes<O> {

    /**
     * Makes the sandbox's default routes through this endpoint what
     * {@link EndpointConfig#defaultRoute4()} and {@link EndpointConfig#defaultRoute6()} say, adding
     * and removing only those.
     */
    void setDefaultRoutes(NetworkConfig network, O options, EndpointConfig endpoint, SandboxConfig sandbox);
}
