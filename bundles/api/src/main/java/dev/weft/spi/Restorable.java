package dev.weft.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to re-adopt its kernel state: at the runtime's start (after a restart or a
 * crash) and when the driver's service returns after an update. The controller calls
 * {@link #restore} once per network before any other call for it.
 *
 * @param <O> the driver's typed options
 */
@ConsumerType
public interface Restorable<O> {

    /** One endpoint to re-adopt, with what {@link NetworkDriver#join} reported for it. */
    record RestoredEndpoint(EndpointConfig endpoint, SandboxConfig sandbox, JoinInfo joined,
                            List<dev.weft.api.PortBinding> ports) {
        public RestoredEndpoint {
            ports = List.copyOf(ports);
        }
    }

    /**
     * Re-adopts the network and its endpoints: kernel objects that exist are kept (not recreated),
     * missing ones are created again, and objects this driver marked as its own for this network but
     * that no endpoint claims any more are removed. An endpoint's recorded {@code ports} are put back
     * in force as {@link ExternalConnectivity#publish} put them, core's {@link PortMapper}s included
     * (they keep their mappings in memory, so after a restart nothing is mapped until then; the
     * host ports themselves are held again by the controller before this call). Logs one line per
     * thing it fixed. Must be idempotent.
     */
    void restore(NetworkConfig network, O options, List<RestoredEndpoint> endpoints);
}
