package dev.weft.api;

import java.util.List;
import java.util.Map;

/**
 * A request for a network, as {@code network:create} takes it.
 *
 * @param name        1-64 characters: letters, digits, '_', '.', '-', starting with a letter or digit
 * @param driver      the driver's name ({@code bridge} when null; an empty name is refused)
 * @param subnets     requested subnets (IPv4 unless ipv4 is false, and IPv6 with ipv6); empty: one
 *                    free IPv4 subnet (unless ipv4 is false) and one IPv6 subnet with ipv6 from the
 *                    IPAM driver's pools. A subnet of the unspecified address ({@code 0.0.0.0/24},
 *                    {@code ::/64}, Docker 29) asks for any free subnet of that prefix length from
 *                    the pools; it takes no ip-range, gateway or auxiliary address
 * @param ipv6        the network gets an IPv6 subnet (dual stack, or IPv6 only when ipv4 is false)
 * @param internal    no route out of the network, no published ports
 * @param options     driver options ({@code -o KEY=VALUE}); the driver refuses keys it does not know
 * @param labels      free-form labels ({@code --label KEY=VALUE})
 * @param ipamDriver  the IPAM driver that gives the network its subnets and its endpoints their
 *                    addresses ({@code --ipam-driver}): {@value #DEFAULT_IPAM_DRIVER} when null (an
 *                    empty name is refused), {@code null} for none (the network gets no subnets, its
 *                    endpoints no addresses), or a third party's
 * @param ipamOptions IPAM driver options ({@code --ipam-opt KEY=VALUE}), passed with every pool
 *                    request; the IPAM driver refuses keys it does not know (the default one takes none)
 * @param ipv4        the network gets an IPv4 subnet (Docker's {@code EnableIPv4}, default true);
 *                    false makes an IPv6-only network, which needs ipv6 and takes no IPv4 subnet,
 *                    and whose endpoints get no IPv4 address ({@code network:create --ipv4=false --ipv6})
 * @since 0.5.0 (ipamDriver, ipamOptions), 0.7.0 (ipv4)
 */
public record NetworkSpec(String name, String driver, List<SubnetSpec> subnets, boolean ipv6, boolean internal,
                          Map<String, String> options, Map<String, String> labels, String ipamDriver,
                          Map<String, String> ipamOptions, boolean ipv4) {

    public static final String DEFAULT_DRIVER = "bridge";
    /** The IPAM driver of networks that name none: Weft's own, in core (Docker's name). */
    public static final String DEFAULT_IPAM_DRIVER = "default";

    public NetworkSpec {
        driver = driver == null ? DEFAULT_DRIVER : driver; // an empty name is refused, not taken for the default
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        options = options == null ? Map.of() : Map.copyOf(options);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        ipamDriver = ipamDriver == null ? DEFAULT_IPAM_DRIVER : ipamDriver; // likewise
        ipamOptions = ipamOptions == null ? Map.of() : Map.copyOf(ipamOptions);
    }

    /** A request with IPv4 (the form before 0.7.0). */
    public NetworkSpec(String name, String driver, List<SubnetSpec> subnets, boolean ipv6, boolean internal,
                       Map<String, String> options, Map<String, String> labels, String ipamDriver,
                       Map<String, String> ipamOptions) {
        this(name, driver, subnets, ipv6, internal, options, labels, ipamDriver, ipamOptions, true);
    }

    /** A request with the default IPAM driver and no IPAM options (the form before 0.5.0). */
    public NetworkSpec(String name, String driver, List<SubnetSpec> subnets, boolean ipv6, boolean internal,
                       Map<String, String> options, Map<String, String> labels) {
        this(name, driver, subnets, ipv6, internal, options, labels, null, null);
    }

    /** A network of {@code driver} with defaults for everything else. */
    public static NetworkSpec of(String name, String driver) {
        return new NetworkSpec(name, driver, List.of(), false, false, Map.of(), Map.of());
    }

    /** This request with another IPAM driver and its options. */
    public NetworkSpec withIpam(String driver, Map<String, String> options) {
        return new NetworkSpec(name, this.driver, subnets, ipv6, internal, this.options, labels, driver, options, ipv4);
    }

    /** This request with IPv4 on or off ({@code --ipv4=false} with {@code ipv6}: an IPv6-only network). */
    public NetworkSpec withIpv4(boolean enable) {
        return new NetworkSpec(name, driver, subnets, ipv6, internal, options, labels, ipamDriver, ipamOptions, enable);
    }
}
