package dev.weft.core.internal.store;

import dev.weft.api.EndpointDriverOptions;
import dev.weft.api.PortBinding;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.SandboxMode;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An endpoint as stored in the runtime directory; its addresses are the IPAM leases rebuilt at start.
 * Typed: the values are parsed once, when the record is read ({@link Store}).
 *
 * @param interfaceName inside the sandbox (eth0, …)
 * @param ipv4          address with prefix, or null
 * @param ipv6          address with prefix, or null
 * @param mac           as the driver reported it, or null
 * @param defaultRoute  it gives the sandbox its IPv4 default route (in records written before gateway
 *                      priorities: its default routes, both families)
 * @param ports         published ports in force; in the file as the API's {@link PortBinding}
 *                      prints them ({@code protocol}, {@code hostIp} (absent for every address),
 *                      {@code hostPort}, {@code containerPort}), so a change to that record changes
 *                      the files ({@code StoreFormatTest} says so)
 * @param defaultRoute6 it gives the sandbox its IPv6 default route; absent (null) in records written
 *                      before gateway priorities, where {@code defaultRoute} said it for both families
 * @param gwPriority    its gateway priority (Docker's gw-priority; 0 in records written before)
 * @param driverOptions the driver options it was connected with ({@code --driver-opt}, all of them, the
 *                      controller's own included: {@link #config} derives the sysctls from them again), in
 *                      the order given; null when there are none, so a record without them keeps the
 *                      shape of the records written before (read them with {@link #options()})
 */
public record EndpointRecord(String id, String network, String sandbox, State state, String interfaceName,
                             InterfaceAddress ipv4, InterfaceAddress ipv6, MacAddress mac, boolean defaultRoute,
                             List<String> aliases, List<PortBinding> ports, Boolean defaultRoute6, int gwPriority,
                             Map<String, String> driverOptions) {

    public EndpointRecord {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
        defaultRoute6 = defaultRoute6 == null ? defaultRoute : defaultRoute6;
        driverOptions = driverOptions == null || driverOptions.isEmpty() ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(driverOptions));
    }

    /** An endpoint without driver options (the form before them). */
    public EndpointRecord(String id, String network, String sandbox, State state, String interfaceName,
                          InterfaceAddress ipv4, InterfaceAddress ipv6, MacAddress mac, boolean defaultRoute,
                          List<String> aliases, List<PortBinding> ports, Boolean defaultRoute6, int gwPriority) {
        this(id, network, sandbox, state, interfaceName, ipv4, ipv6, mac, defaultRoute, aliases, ports, defaultRoute6,
                gwPriority, null);
    }

    /** An endpoint of priority 0 whose {@code defaultRoute} stands for both families (the form before gw-priority). */
    public EndpointRecord(String id, String network, String sandbox, State state, String interfaceName,
                          InterfaceAddress ipv4, InterfaceAddress ipv6, MacAddress mac, boolean defaultRoute,
                          List<String> aliases, List<PortBinding> ports) {
        this(id, network, sandbox, state, interfaceName, ipv4, ipv6, mac, defaultRoute, aliases, ports, null, 0);
    }

    public EndpointRecord withState(State s) {
        return new EndpointRecord(id, network, sandbox, s, interfaceName, ipv4, ipv6, mac, defaultRoute,
                aliases, ports, defaultRoute6, gwPriority, driverOptions);
    }

    public EndpointRecord joined(MacAddress m) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, m, defaultRoute,
                aliases, ports, defaultRoute6, gwPriority, driverOptions);
    }


    /** The same endpoint giving the sandbox's IPv4 and IPv6 default routes as said. */
    public EndpointRecord withDefaultRoutes(boolean v4, boolean v6) {
        return new EndpointRecord(id, network, sandbox, state, interfaceName, ipv4, ipv6, mac, v4, aliases, ports,
                v6, gwPriority, driverOptions);
    }

    /** Its driver options, empty when it has none. */
    public Map<String, String> options() {
        return driverOptions == null ? Map.of() : driverOptions;
    }

    /**
     * What its driver is told about it on {@code network}: its addresses with the network's gateways,
     * and the default-route flags only where it can give them (records before gw-priority set them
     * for both families, also on internal networks): not on a network that gives no default routes
     * ({@link NetworkRecord#givesDefaultRoutes()}); the driver's own options and the sysctls of
     * its interface (checked when it connected, derived again here with its interface's name).
     */
    public EndpointConfig config(NetworkRecord network) {
        InetAddress gw4 = ipv4 == null ? null : network.gateway(true);
        InetAddress gw6 = ipv6 == null ? null : network.gateway(false);
        boolean out = network.givesDefaultRoutes() && network.mode() == SandboxMode.OWN_NAMESPACE;
        String sysctls = options().get(EndpointDriverOptions.SYSCTLS);
        return new EndpointConfig(id, interfaceName, ipv4, ipv6, gw4, gw6, out && gw4 != null && defaultRoute,
                out && gw6 != null && defaultRoute6, mac, aliases, EndpointDriverOptions.forDriver(options()),
                sysctls == null || interfaceName == null ? Map.of() : EndpointDriverOptions.sysctls(sysctls, interfaceName));
    }

    /** Its addresses, IPv4 first. */
    public List<InterfaceAddress> addresses() {
        return Stream.of(ipv4, ipv6).filter(Objects::nonNull).toList();
    }

    /** What its driver reported when it joined, as recorded. */
    public JoinInfo joinInfo() {
        return new JoinInfo(interfaceName, mac);
    }
}
