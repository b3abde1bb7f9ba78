package dev.weft.spi;

import dev.weft.api.NetworkSpec;
import java.util.List;
import java.util.Objects;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A driver's capability to declare networks every instance has while the driver is installed
 * (Docker's {@code bridge}, {@code host} and {@code none}).
 *
 * <h2>When it is called</h2>
 * Once each time the driver's service arrives, after {@link Restorable#restore} of its networks.
 * For each declared network that does not exist yet, the controller creates it as a predefined
 * network (validated and created by this driver as any network, with
 * {@link NetworkConfig#predefined()} true); one that exists already is kept as it is (its subnets
 * and options are not changed). Predefined networks cannot be removed by users, and their names
 * are reserved: no user network may take one while a driver declares it or a predefined network
 * of that name exists. A declaration whose creation fails is logged and tried again at the
 * driver's next arrival.
 *
 * <h2>What it must do</h2>
 * Return the same declarations for the same instance configuration, without side effects; the
 * network's driver in each {@link NetworkSpec} is this driver's name.
 */
@ConsumerType
public interface PredefinedNetworks {

    /**
     * One predefined network.
     *
     * @param spec           the network as {@code network:create} would take it
     * @param sandboxDefault the network a sandbox created without {@code --network} joins (Docker's
     *                       {@code bridge}). When no installed driver declares one, such a sandbox
     *                       gets a predefined network whose driver gives it no interface
     *                       ({@link SandboxMode#NO_INTERFACE}, Docker's {@code none}).
     */
    record Predefined(NetworkSpec spec, boolean sandboxDefault) {
        public Predefined {
            Objects.requireNonNull(spec, "spec");
        }
    }

    /** The networks this driver declares for the instance it serves; empty for none. */
    List<Predefined> predefinedNetworks();
}
