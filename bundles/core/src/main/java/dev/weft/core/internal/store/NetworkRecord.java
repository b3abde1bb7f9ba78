package dev.weft.core.internal.store;

import dev.weft.api.SubnetInfo;
import dev.weft.net.IpPrefix;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.PoolId;
import dev.weft.spi.SandboxMode;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A network as stored in the state directory (survives a reboot). Typed in memory; in the file
 * every prefix, address and pool id is text, parsed once when the record is read ({@link Store}),
 * so the files stay readable and independent of Java types.
 *
 * @param driverBundle the symbolic name of the bundle that served the driver when the network was made
 * @param ipam         the IPAM driver that allocated its pools; records written before IPAM drivers
 *                     were pluggable have none and mean the default one
 * @param noDefaultRoutes true when its driver said at its creation that its endpoints give no default
 *                     route ({@code NetworkDriver.givesDefaultRoutes}: netavark's {@code no_default_route});
 *                     otherwise null, so it is absent from the file, as in records of earlier versions
 * @param ipv4         {@code false} for an IPv6-only network; otherwise null, and absent from the file,
 *                     as in records written before IPv6-only networks, which all have IPv4 (so the
 *                     file of a network with IPv4 is what earlier versions wrote and read). Read it
 *                     through {@link #hasIpv4()}.
 */
public record NetworkRecord(String id, String name, String driver, String driverBundle, State state, Instant created,
                            boolean ipv6, boolean internal, boolean predefined, List<SubnetRecord> subnets,
                            Map<String, String> options, Map<String, String> labels, SandboxMode mode,
                            boolean sandboxDefault, IpamRecord ipam, Boolean noDefaultRoutes, Boolean ipv4,
                            Boolean global) {

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
        ipam = ipam == null ? IpamRecord.DEFAULT : ipam;
        noDefaultRoutes = Boolean.TRUE.equals(noDefaultRoutes) ? Boolean.TRUE : null;
        ipv4 = Boolean.FALSE.equals(ipv4) ? Boolean.FALSE : null;
        global = Boolean.TRUE.equals(global) ? Boolean.TRUE : null;
    }

    /** A local network (the form before global ones). */
    public NetworkRecord(String id, String name, String driver, String driverBundle, State state, Instant created,
                         boolean ipv6, boolean internal, boolean predefined, List<SubnetRecord> subnets,
                         Map<String, String> options, Map<String, String> labels, SandboxMode mode,
                         boolean sandboxDefault, IpamRecord ipam, Boolean noDefaultRoutes, Boolean ipv4) {
        this(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, subnets, options, labels, mode,
                sandboxDefault, ipam, noDefaultRoutes, ipv4, null);
    }

    /**
     * Whether it spans the hosts of a cluster (its driver is of global scope): its definition lives in
     * the cluster store, this record is this host's copy. Null (absent from the file) for a local one.
     */
    public boolean isGlobal() {
        return global != null;
    }

    /** The same network marked global. */
    public NetworkRecord asGlobal() {
        return new NetworkRecord(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, subnets,
                options, labels, mode, sandboxDefault, ipam, noDefaultRoutes, ipv4, Boolean.TRUE);
    }

    /** The same network served by another bundle of its driver (a global network another host made). */
    public NetworkRecord withDriverBundle(String bundle) {
        return new NetworkRecord(id, name, driver, bundle, state, created, ipv6, internal, predefined, subnets,
                options, labels, mode, sandboxDefault, ipam, noDefaultRoutes, ipv4, global);
    }

    /** The same network with other options (a global driver's cluster-wide resources added). */
    public NetworkRecord withOptions(Map<String, String> o) {
        return new NetworkRecord(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, subnets,
                o, labels, mode, sandboxDefault, ipam, noDefaultRoutes, ipv4, global);
    }

    /** A network whose endpoints may give default routes (the form before {@code noDefaultRoutes}). */
    public NetworkRecord(String id, String name, String driver, String driverBundle, State state, Instant created,
                         boolean ipv6, boolean internal, boolean predefined, List<SubnetRecord> subnets,
                         Map<String, String> options, Map<String, String> labels, SandboxMode mode,
                         boolean sandboxDefault, IpamRecord ipam) {
        this(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, subnets, options, labels, mode,
                sandboxDefault, ipam, null, null);
    }

    /** A network with IPv4 (the form before IPv6-only networks). */
    public NetworkRecord(String id, String name, String driver, String driverBundle, State state, Instant created,
                         boolean ipv6, boolean internal, boolean predefined, List<SubnetRecord> subnets,
                         Map<String, String> options, Map<String, String> labels, SandboxMode mode,
                         boolean sandboxDefault, IpamRecord ipam, Boolean noDefaultRoutes) {
        this(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, subnets, options, labels, mode,
                sandboxDefault, ipam, noDefaultRoutes, null);
    }

    /**
     * Whether its endpoints may give their sandbox default routes: not on an internal network, nor
     * when its driver said no at its creation.
     */
    public boolean givesDefaultRoutes() {
        return !internal && noDefaultRoutes == null;
    }

    /** Whether it has IPv4: false only for an IPv6-only network. */
    public boolean hasIpv4() {
        return ipv4 == null;
    }

    /** The same network with IPv4 on or off. */
    public NetworkRecord withIpv4(boolean enable) {
        return new NetworkRecord(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, subnets,
                options, labels, mode, sandboxDefault, ipam, noDefaultRoutes, enable ? null : Boolean.FALSE, global);
    }

    public NetworkRecord withState(State s) {
        return new NetworkRecord(id, name, driver, driverBundle, s, created, ipv6, internal, predefined, subnets,
                options, labels, mode, sandboxDefault, ipam, noDefaultRoutes, ipv4, global);
    }

    public NetworkRecord withSubnets(List<SubnetRecord> s) {
        return new NetworkRecord(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, s,
                options, labels, mode, sandboxDefault, ipam, noDefaultRoutes, ipv4, global);
    }

    /** The same network with its driver's mode and its predefined declaration as the driver states them now. */
    public NetworkRecord declared(SandboxMode m, boolean isDefault) {
        return new NetworkRecord(id, name, driver, driverBundle, state, created, ipv6, internal, predefined, subnets,
                options, labels, m, isDefault, ipam, noDefaultRoutes, ipv4, global);
    }

    /** What its driver is told about it. Nothing is parsed: a few objects around the record's values. */
    public NetworkConfig config() {
        return new NetworkConfig(id, name, ipv6, internal, subnets.stream().map(SubnetRecord::info).toList(), labels,
                predefined, ipam.driver(), hasIpv4());
    }

    /** The gateway of its first IPv4 ({@code v4}) or IPv6 subnet that has one, or null. */
    public InetAddress gateway(boolean v4) {
        for (SubnetRecord s : subnets) {
            if (s.gateway() != null && s.subnet().isIpv4() == v4) {
                return s.gateway();
            }
        }
        return null;
    }

    /** The subnet that contains {@code address}, if any. */
    public Optional<SubnetRecord> subnetOf(InetAddress address) {
        return subnets.stream().filter(s -> s.subnet().contains(address)).findFirst();
    }
    /**
     * The IPAM driver of a network, as libnetwork keeps {@code ipamType} and {@code ipamOptions}: a
     * restart replays the network's leases into the same driver (name and bundle) with the same options.
     *
     * @param driver  its name ({@code default}, {@code null}, or a third party's)
     * @param bundle  the symbolic name of the bundle that served it ({@value #CORE_BUNDLE} for the built-in ones)
     * @param options the {@code --ipam-opt} options as given
     */
    public record IpamRecord(String driver, String bundle, Map<String, String> options) {
        public static final String CORE_BUNDLE = "dev.weft.core";
        public static final IpamRecord DEFAULT = new IpamRecord("default", CORE_BUNDLE, Map.of());
        /** The bundle name that marks the cluster's IPAM: the addresses of global networks, kept in the cluster store. */
        public static final String CLUSTER_BUNDLE = "dev.weft.core/cluster";
        /** The IPAM of global networks. */
        public static final IpamRecord CLUSTER = new IpamRecord("default", CLUSTER_BUNDLE, Map.of());

        public IpamRecord {
            driver = driver == null ? DEFAULT.driver() : driver;
            bundle = bundle == null ? CORE_BUNDLE : bundle;
            options = options == null ? Map.of() : Map.copyOf(options);
        }
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
    public record SubnetRecord(PoolId pool, IpPrefix subnet, IpPrefix ipRange, InetAddress gateway,
                               Map<String, InetAddress> aux) {
        public SubnetRecord {
            aux = aux == null ? Map.of() : Map.copyOf(aux);
        }

        /** As drivers and the API see it. */
        public SubnetInfo info() {
            return new SubnetInfo(subnet, ipRange, gateway, aux);
        }
    }
}
