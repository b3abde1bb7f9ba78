package dev.weft.spi;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One endpoint as the controller allocated it.
 *
 * @param id             64 hex characters
 * @param interfaceName  the name its interface gets inside the sandbox: the one the user gave
 *                       ({@code com.docker.network.endpoint.ifname}), else the first free of eth0, eth1, …;
 *                       unique among the sandbox's endpoints
 * @param ipv4           its IPv4 address and prefix length, or null
 * @param ipv6           its IPv6 address, or null
 * @param gateway4       the network's IPv4 gateway, or null
 * @param gateway6       the network's IPv6 gateway, or null
 * @param defaultRoute4  this endpoint gives the sandbox its IPv4 default route, through {@code gateway4}
 *                       (only when it has {@code ipv4} and {@code gateway4}); the controller gives it
 *                       to one endpoint of the sandbox at most: the one with the highest gateway
 *                       priority, on a tie the one connected first ({@link DefaultRoutes}). Other
 *                       endpoints only add the routes of their subnets.
 * @param defaultRoute6  the same for IPv6, through {@code gateway6}; chosen separately from IPv4, so
 *                       it may be another endpoint's
 * @param mac            the MAC address the user gave it ({@code --mac-address}: the interface MUST get
 *                       exactly this one) or the one recorded when it joined, or null to let the driver
 *                       choose (a driver returns what it chose in {@link JoinInfo}, and gets it here on
 *                       restore, so the interface keeps it)
 * @param aliases        extra names on this network
 * @param driverOptions  the endpoint's driver options ({@code --driver-opt KEY=VALUE}, Docker's
 *                       {@code EndpointSettings.DriverOpts}) without the ones the controller handles
 *                       itself ({@link dev.weft.api.EndpointDriverOptions}: the interface's name and
 *                       its sysctls arrive as {@code interfaceName} and {@code sysctls}). A driver checks
 *                       them in {@link NetworkDriver#validateEndpoint} (before anything is allocated) and
 *                       uses them at {@link NetworkDriver#join}; the same map comes again on restore.
 * @param sysctls        per-interface sysctls the user asked for, checked by the controller (only keys of
 *                       this interface's trees): paths under {@code /proc/sys} with the interface's real
 *                       name in them ({@code net/ipv4/conf/eth0/log_martians}) and their values, in the
 *                       order given. A driver that makes the interface MUST write them inside the
 *                       sandbox's namespace once the interface exists there under its name and before
 *                       it carries traffic, and again when it makes the interface anew (restore);
 *                       a driver without an interface gets none.
 * @since 0.6.0 (defaultRoute4 and defaultRoute6 in place of one defaultRoute), 0.7.0 (driverOptions,
 *        sysctls; {@code interfaceName} chosen by the user, {@code mac} given by the user)
 */
public record EndpointConfig(String id, String interfaceName, InterfaceAddress ipv4, InterfaceAddress ipv6,
                             InetAddress gateway4, InetAddress gateway6, boolean defaultRoute4, boolean defaultRoute6,
                             MacAddress mac, List<String> aliases, Map<String, String> driverOptions,
                             Map<String, String> sysctls) {
    public EndpointConfig {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        driverOptions = driverOptions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(driverOptions));
        sysctls = sysctls == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
    }

    /** An endpoint without driver options and sysctls (the form before 0.7.0). */
    public EndpointConfig(String id, String interfaceName, InterfaceAddress ipv4, InterfaceAddress ipv6,
                          InetAddress gateway4, InetAddress gateway6, boolean defaultRoute4, boolean defaultRoute6,
                          MacAddress mac, List<String> aliases) {
        this(id, interfaceName, ipv4, ipv6, gateway4, gateway6, defaultRoute4, defaultRoute6, mac, aliases, Map.of(),
                Map.of());
    }

    /** An endpoint that gives both default routes or none (the form before 0.6.0). */
    public EndpointConfig(String id, String interfaceName, InterfaceAddress ipv4, InterfaceAddress ipv6,
                          InetAddress gateway4, InetAddress gateway6, boolean defaultRoute, MacAddress mac,
                          List<String> aliases) {
        this(id, interfaceName, ipv4, ipv6, gateway4, gateway6, defaultRoute, defaultRoute, mac, aliases);
    }

    /**
     * The form before 0.6.0, for drivers that read one flag for both families: true when this
     * endpoint gives every default route it can give (each family it has an address and a gateway
     * of) and at least one. False when the families are split between endpoints, so such a driver
     * never adds a route the controller gave to another endpoint.
     *
     * @deprecated read {@link #defaultRoute4()} and {@link #defaultRoute6()}
     */
    @Deprecated
    public boolean defaultRoute() {
        boolean can4 = ipv4 != null && gateway4 != null, can6 = ipv6 != null && gateway6 != null;
        return (defaultRoute4 || defaultRoute6) && (!can4 || defaultRoute4) && (!can6 || defaultRoute6);
    }

    /** The same endpoint with other default-route flags. */
    public EndpointConfig withDefaultRoutes(boolean ipv4Default, boolean ipv6Default) {
        return new EndpointConfig(id, interfaceName, ipv4, ipv6, gateway4, gateway6, ipv4Default, ipv6Default, mac,
                aliases, driverOptions, sysctls);
    }

    /** The first 12 characters of the id. */
    public String shortId() {
        return id.substring(0, 12);
    }
}
