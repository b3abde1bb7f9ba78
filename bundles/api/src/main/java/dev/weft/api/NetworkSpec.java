package dev.weft.api;

import java.util.List;
import java.util.Map;

/**
 * A request for a network, as {@code network:create} takes it.
 *
 * @param name     1-64 characters: letters, digits, '_', '.', '-', starting with a letter or digit
 * @param driver   the driver's name ({@code bridge} when null; an empty name is refused)
 * @param subnets  requested subnets (IPv4 and, with ipv6, IPv6); empty: one free IPv4 subnet (and
 *                 one IPv6 subnet with ipv6) from the default pools
 * @param ipv6     dual stack: the network also gets an IPv6 subnet
 * @param internal no route out of the network, no published ports
 * @param options  driver options ({@code -o KEY=VALUE}); the driver refuses keys it does not know
 * @param labels   free-form labels ({@code --label KEY=VALUE})
 */
public record NetworkSpec(String name, String driver, List<SubnetSpec> subnets, boolean ipv6, boolean internal,
                          Map<String, String> options, Map<String, String> labels) {

    public static final String DEFAULT_DRIVER = "bridge";

    public NetworkSpec {
        driver = driver == null ? DEFAULT_DRIVER : driver; // an empty name is refused, not taken for the default
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        options = options == null ? Map.of() : Map.copyOf(options);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** A network of {@code driver} with defaults for everything else. */
    public static NetworkSpec of(String name, String driver) {
        return new NetworkSpec(name, driver, List.of(), false, false, Map.of(), Map.of());
    }
}
