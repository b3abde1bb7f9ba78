package dev.weft.core.internal.store;

import dev.weft.spi.SandboxMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network as stored in the state directory (survives a reboot). Addresses are kept as text so
 * the files stay readable and independent of Java types.
 *
 * @param driverBundle the symbolic name of the bundle that served the driver when the network was made
 */
public record NetworkRecord(String id, String name, String driver, String driverBundle, State state, Instant created,
                            boolean ipv6, boolean internal, boolean predefined, List<SubnetRecord> subnets,
                            Map<String, String> options, Map<String, String> labels, SandboxMode mode,
                            boolean sandboxDefault) {

    /**
     * @param mode           how its driver gives sandboxes their stack (recorded so it is known while
     *                       the driver is away; absent in records of earlier versions: own namespace,
     *                       until the driver's next arrival records its own)
     * @param sandboxDefault the predefined network a sandbox created without --network joins
     */
    public NetworkRecord {
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        options = options == null ? Map.of() : Map.copyOf(options);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        mode = mode == null ? SandboxMode.OWN_NAMESPACE : mode;
    }

    public NetworkRecord withState(State s) {
        return new NetworkRecord(id, name, driver, driverBundle, s, created, ipv6, internal, predefined, subnets,
                options, labels, mode, sandboxDefault);
    }

    public NetworkRecord withSubnets(List<SubnetRecord> s) {
        return new NetworkRecord(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, s,
                options, labels, mode, sandboxDefault);
    }

    /** The same network with its driver's mode and its predefined declaration as the driver states them now. */
    public NetworkRecord declared(SandboxMode m, boolean isDefault) {
        return new NetworkRecord(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, subnets,
                options, labels, m, isDefault);
    }

    /**
     * One allocated subnet.
     *
     * @param pool    the IPAM pool id
     * @param subnet  e.g. 10.1.0.0/24
     * @param ipRange or null
     * @param gateway or null
     * @param aux     auxiliary addresses by name
     */
    public record SubnetRecord(String pool, String subnet, String ipRange, String gateway, Map<String, String> aux) {
        public SubnetRecord {
            aux = aux == null ? Map.of() : Map.copyOf(aux);
        }
    }
}
