package dev.weft.spi;

import dev.weft.api.SubnetInfo;
import java.util.List;
import java.util.Map;

/**
 * What a driver is told about a network: its identity and the IPAM data the controller allocated.
 * The driver's own options come separately, parsed into its typed record.
 *
 * @param id       64 hex characters; stable for the network's life, also across restarts
 * @param name     the network's name (for messages and link names chosen from it)
 * @param ipv6     it has IPv6 (dual stack, or IPv6 only when {@code ipv4} is false)
 * @param internal no route out and no published ports
 * @param subnets  allocated subnets with gateways, IPv4 first
 * @param labels   the user's labels
 * @param predefined one of the networks Weft makes at its first start ({@code bridge}, {@code host},
 *                 {@code none}); a driver that serves only its predefined network refuses others in
 *                 {@link NetworkDriver#validate}
 * @param ipamDriver the IPAM driver that allocates its subnets: {@link IpamDriver#DEFAULT}, a third
 *                 party's, or {@link IpamDriver#NULL}, whose networks get no subnets and their
 *                 endpoints no addresses ({@link #withoutAddresses()}). In {@link NetworkDriver#validate}
 *                 the subnets are only those the user gave, so this is how a driver that needs
 *                 addresses learns in time that there will be none.
 * @param ipv4     it has IPv4 (Docker's {@code EnableIPv4}; default true). False: an IPv6-only network
 *                 ({@code network:create --ipv4=false --ipv6}): no IPv4 subnet, endpoints without an
 *                 IPv4 address ({@link EndpointConfig#ipv4()} null). The controller has refused IPv4
 *                 subnets, gateways and ip-ranges for it already; a driver refuses its own IPv4-only
 *                 options for it in {@link NetworkDriver#validate}.
 * @since 0.5.0 (ipamDriver), 0.7.0 (ipv4)
 */
public record NetworkConfig(String id, String name, boolean ipv6, boolean internal, List<SubnetInfo> subnets,
                            Map<String, String> labels, boolean predefined, String ipamDriver, boolean ipv4) {
    public NetworkConfig {
        subnets = List.copyOf(subnets);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        ipamDriver = ipamDriver == null ? IpamDriver.DEFAULT : ipamDriver;
    }

    /** A network with IPv4 (the form before 0.7.0). */
    public NetworkConfig(String id, String name, boolean ipv6, boolean internal, List<SubnetInfo> subnets,
                         Map<String, String> labels, boolean predefined, String ipamDriver) {
        this(id, name, ipv6, internal, subnets, labels, predefined, ipamDriver, true);
    }

    /** A network of the default IPAM driver (the form before 0.5.0). */
    public NetworkConfig(String id, String name, boolean ipv6, boolean internal, List<SubnetInfo> subnets,
                         Map<String, String> labels, boolean predefined) {
        this(id, name, ipv6, internal, subnets, labels, predefined, IpamDriver.DEFAULT);
    }

    /** True when its IPAM driver is {@link IpamDriver#NULL}: no subnets, endpoints without addresses. */
    public boolean withoutAddresses() {
        return IpamDriver.NULL.equals(ipamDriver);
    }

    /** The first 12 characters of the id, as Docker shows it and names bridges ({@code br-<short id>}). */
    public String shortId() {
        return id.substring(0, 12);
    }
}
