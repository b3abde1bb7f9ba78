package dev.weft.api;

import dev.weft.net.MacAddress;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a sandbox joins a network ({@code network:connect}, or the first network of {@code sandbox:create}).
 * Checked when made: a MAC that cannot be an interface's and malformed {@link EndpointDriverOptions}
 * are refused here ({@link WeftException.InvalidRequest}), before any request is made.
 *
 * @param ipv4          a static IPv4 address in the network's subnet, or null for the next free one; refused
 *                      for an IPv6-only network ({@link NetworkSpec#ipv4()} false), whose endpoints get none
 * @param ipv6          a static IPv6 address, or null
 * @param aliases       extra names of the sandbox on this network (name resolution)
 * @param ports         ports to publish through this network's driver
 * @param gwPriority    Docker's {@code gw-priority}: of a sandbox's endpoints that have a gateway, the one
 *                      with the highest priority gives the sandbox its default route, IPv4 and IPv6 chosen
 *                      separately; on a tie the one connected first keeps it. Default 0; negative values
 *                      rank below the default.
 * @param mac           the interface's MAC address ({@code --mac-address}), or null for the driver's
 *                      choice (the bridge: a random locally administered one); unicast and not all zeros
 *                      ({@link MacAddress#interfaceAddressProblem()}). Not checked for uniqueness, as
 *                      Docker does not: two endpoints may be given the same one.
 * @param driverOptions Docker's {@code EndpointSettings.DriverOpts} ({@code --driver-opt KEY=VALUE}), in
 *                      the order given: the keys of {@link EndpointDriverOptions} are the controller's,
 *                      the others the network driver's
 * @since 0.6.0 (gwPriority), 0.7.0 (mac, driverOptions)
 */
public record EndpointSpec(InetAddress ipv4, InetAddress ipv6, List<String> aliases, List<PortSpec> ports,
                           int gwPriority, MacAddress mac, Map<String, String> driverOptions) {

    public EndpointSpec {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
        driverOptions = driverOptions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(driverOptions));
        if (mac != null && mac.interfaceAddressProblem() != null) {
            throw new WeftException.InvalidRequest("MAC address " + mac + ": " + mac.interfaceAddressProblem());
        }
        EndpointDriverOptions.check(driverOptions);
    }

    /** A request without MAC and driver options (the form before 0.7.0). */
    public EndpointSpec(InetAddress ipv4, InetAddress ipv6, List<String> aliases, List<PortSpec> ports,
                        int gwPriority) {
        this(ipv4, ipv6, aliases, ports, gwPriority, null, Map.of());
    }

    /** A request with gateway priority 0 (the form before 0.6.0). */
    public EndpointSpec(InetAddress ipv4, InetAddress ipv6, List<String> aliases, List<PortSpec> ports) {
        this(ipv4, ipv6, aliases, ports, 0);
    }

    public static EndpointSpec defaults() {
        return new EndpointSpec(null, null, List.of(), List.of(), 0);
    }

    /** The same request with another gateway priority. */
    public EndpointSpec withGwPriority(int priority) {
        return new EndpointSpec(ipv4, ipv6, aliases, ports, priority, mac, driverOptions);
    }

    /** The same request with another MAC address (null: the driver's choice). */
    public EndpointSpec withMac(MacAddress address) {
        return new EndpointSpec(ipv4, ipv6, aliases, ports, gwPriority, address, driverOptions);
    }

    /** The same request with other driver options. */
    public EndpointSpec withDriverOptions(Map<String, String> options) {
        return new EndpointSpec(ipv4, ipv6, aliases, ports, gwPriority, mac, options);
    }

    /** The interface name asked for with {@link EndpointDriverOptions#IFNAME}, or null. */
    public String interfaceName() {
        return driverOptions.get(EndpointDriverOptions.IFNAME);
    }
}
