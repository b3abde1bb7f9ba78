package dev.weft.api;

import dev.weft.net.IpPrefix;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network as the controller knows it (the shape of {@code docker network inspect}).
 *
 * @param id          64 hex characters
 * @param name        its name
 * @param driver      its driver's name
 * @param scope       {@code local} or {@code global}
 * @param created     when it was created
 * @param ipv6        dual stack
 * @param internal    no route out
 * @param predefined  one of {@code bridge}, {@code host}, {@code none}: cannot be removed
 * @param available   its driver and its IPAM driver are installed (false: kernel state and leases
 *                    kept, new endpoints and removal refused until both are back)
 * @param subnets     allocated subnets
 * @param options     driver options as given
 * @param labels      labels
 * @param endpoints   its endpoints
 * @param ipamDriver  the IPAM driver that allocated its subnets ({@code default}, {@code null}, or a
 *                    third party's)
 * @param ipamOptions the IPAM driver options as given
 * @param ipv4        it has IPv4 ({@link NetworkSpec#ipv4()}; false: IPv6 only)
 * @param ipamStatus  per subnet, how much of it is allocated (Docker's {@code Status.IPAM.Subnets}),
 *                    as its IPAM driver counts it at the moment of the request; empty when the IPAM
 *                    driver cannot tell ({@code dev.weft.spi.IpamPoolStatus}), is not installed, or
 *                    the network has no subnets, and in {@code ControllerListener} events
 * @param remarks     what its driver says people should know about it, by topic (a sentence each; e.g.
 *                    macvlan's: the host cannot reach its sandboxes), from
 *                    {@code dev.weft.spi.NetworkDriver#remarks}; empty when there are none, when the driver
 *                    is not here, and in {@code ControllerListener} events
 * @since 0.5.0 (ipamDriver, ipamOptions), 0.7.0 (ipv4, ipamStatus), 0.8.0 (remarks)
 */
public record NetworkInfo(String id, String name, String driver, String scope, Instant created, boolean ipv6,
                          boolean internal, boolean predefined, boolean available, List<SubnetInfo> subnets,
                          Map<String, String> options, Map<String, String> labels, List<EndpointInfo> endpoints,
                          String ipamDriver, Map<String, String> ipamOptions, boolean ipv4,
                          Map<IpPrefix, SubnetStatus> ipamStatus, Map<String, String> remarks) {
    public NetworkInfo {
        subnets = List.copyOf(subnets);
        options = Map.copyOf(options);
        labels = Map.copyOf(labels);
        endpoints = List.copyOf(endpoints);
        ipamDriver = ipamDriver == null ? NetworkSpec.DEFAULT_IPAM_DRIVER : ipamDriver;
        ipamOptions = ipamOptions == null ? Map.of() : Map.copyOf(ipamOptions);
        ipamStatus = ipamStatus == null ? Map.of() : Map.copyOf(ipamStatus);
        remarks = remarks == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(remarks));
    }

    /** A network without remarks (the form before 0.8.0). */
    public NetworkInfo(String id, String name, String driver, String scope, Instant created, boolean ipv6,
                       boolean internal, boolean predefined, boolean available, List<SubnetInfo> subnets,
                       Map<String, String> options, Map<String, String> labels, List<EndpointInfo> endpoints,
                       String ipamDriver, Map<String, String> ipamOptions, boolean ipv4,
                       Map<IpPrefix, SubnetStatus> ipamStatus) {
        this(id, name, driver, scope, created, ipv6, internal, predefined, available, subnets, options, labels,
                endpoints, ipamDriver, ipamOptions, ipv4, ipamStatus, null);
    }

    /** A network with IPv4 and no IPAM status (the form before 0.7.0). */
    public NetworkInfo(String id, String name, String driver, String scope, Instant created, boolean ipv6,
                       boolean internal, boolean predefined, boolean available, List<SubnetInfo> subnets,
                       Map<String, String> options, Map<String, String> labels, List<EndpointInfo> endpoints,
                       String ipamDriver, Map<String, String> ipamOptions) {
        this(id, name, driver, scope, created, ipv6, internal, predefined, available, subnets, options, labels,
                endpoints, ipamDriver, ipamOptions, true, null);
    }

    /** The same network with the IPAM status given. */
    public NetworkInfo withIpamStatus(Map<IpPrefix, SubnetStatus> status) {
        return new NetworkInfo(id, name, driver, scope, created, ipv6, internal, predefined, available, subnets, options,
                labels, endpoints, ipamDriver, ipamOptions, ipv4, status, remarks);
    }

    /** The same network with its driver's remarks. */
    public NetworkInfo withRemarks(Map<String, String> driverRemarks) {
        return new NetworkInfo(id, name, driver, scope, created, ipv6, internal, predefined, available, subnets, options,
                labels, endpoints, ipamDriver, ipamOptions, ipv4, ipamStatus, driverRemarks);
    }

    /** A network of the default IPAM driver without IPAM options (the form before 0.5.0). */
    public NetworkInfo(String id, String name, String driver, String scope, Instant created, boolean ipv6,
                       boolean internal, boolean predefined, boolean available, List<SubnetInfo> subnets,
                       Map<String, String> options, Map<String, String> labels, List<EndpointInfo> endpoints) {
        this(id, name, driver, scope, created, ipv6, internal, predefined, available, subnets, options, labels,
                endpoints, null, null);
    }
}
