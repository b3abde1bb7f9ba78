package dev.weft.spi;

import dev.weft.api.NetworkSpec;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to name the network that gives its endpoints their way out and their
 * published ports, because its own networks give neither (Docker's {@code docker_gwbridge} for
 * overlays: a bridge on each host, with masquerading, whose sandboxes do not reach each other).
 *
 * <h2>What the controller does with it</h2>
 * When a sandbox joins a network of this driver that is not internal, the controller connects it
 * to the egress network too, unless it is there already or another of its networks gives it a
 * default route and no ports are asked for; ports asked for on this driver's endpoint
 * ({@code -p}) are published on the egress endpoint instead. The egress network is made on first
 * need, on this host only, as a predefined network (it cannot be removed by people and serves no
 * names of its own). When the sandbox leaves its last such network, its egress endpoint goes too.
 *
 * <h2>When it is called</h2>
 * At any time; no side effects; the same answer every time for one driver registration.
 *
 * @param <O> the driver's typed options
 * @since 0.10.0
 */
@ConsumerType
public interface EgressNetwork<O> {

    /** The egress network: name, driver and options (e.g. {@code docker_gwbridge}, {@code bridge}, ICC off). */
    NetworkSpec egressNetwork();
}
