package dev.weft.dockerapi.internal;

import dev.weft.api.DriverInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.docker.SubnetRequests;
import dev.weft.api.docker.Values;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Docker's request bodies as Weft's specs, parsed the way the shell parses its options (through
 * the API bundle's {@link Values} and {@link SubnetRequests}), every error naming the body field.
 */
final class NetworkRequests {
    private NetworkRequests() {}

    /**
     * {@code POST /networks/create} (moby {@code network.CreateRequest}): {@code Name}, {@code Driver}
     * ("" for the default), {@code Scope} ("" or the driver's), {@code EnableIPv4} (absent: true),
     * {@code EnableIPv6}, {@code IPAM} ({@code Driver}, {@code Options}, {@code Config} with {@code Subnet},
     * {@code IPRange}, {@code Gateway}, {@code AuxiliaryAddresses}), {@code Internal}, {@code Options},
     * {@code Labels}. {@code Attachable} is accepted and changes nothing (every sandbox may join a global
     * network, as the shell's {@code --attachable}); {@code CheckDuplicate} is ignored (names are always
     * unique); {@code Ingress}, {@code ConfigOnly} and {@code ConfigFrom} belong to swarm and config-only
     * networks, which Weft has not: set, they are refused.
     *
     * @param drivers the drivers the controller knows, to check {@code Scope} against
     */
    static NetworkSpec create(Body body, List<DriverInfo> drivers) {
        String name = body.string("Name");
        if (name == null || name.isEmpty()) {
            throw ApiException.badRequest("Name: required; give the network's name");
        }
        String driver = body.string("Driver");
        if (driver != null && driver.isEmpty()) {
            driver = null; // Docker's default driver, as the CLI sends "" without -d
        }
        if (body.bool("Ingress", false)) {
            throw ApiException.badRequest("Ingress true: Weft has no swarm and no routing mesh; leave it false");
        }
        if (body.bool("ConfigOnly", false)) {
            throw ApiException.badRequest("ConfigOnly true: Weft has no config-only networks; create the network itself "
                    + "with its IPAM settings");
        }
        Body configFrom = body.object("ConfigFrom");
        if (configFrom != null && configFrom.string("Network") != null && !configFrom.string("Network").isEmpty()) {
            throw ApiException.badRequest("ConfigFrom " + configFrom.string("Network") + ": Weft has no config-only "
                    + "networks to take a configuration from; give the IPAM settings in this request");
        }
        checkScope(body.string("Scope"), driver == null ? NetworkSpec.DEFAULT_DRIVER : driver, drivers);
        boolean ipv4 = body.bool("EnableIPv4", true);
        boolean ipv6 = body.bool("EnableIPv6", false);
        body.bool("Attachable", false);
        body.boolOrNull("CheckDuplicate");
        Body ipam = body.object("IPAM");
        String ipamDriver = null;
        Map<String, String> ipamOptions = Map.of();
        List<SubnetSpec> subnets = new ArrayList<>();
        if (ipam != null) {
            ipamDriver = ipam.string("Driver");
            if (ipamDriver != null && ipamDriver.isEmpty()) {
                ipamDriver = null;
            }
            ipamOptions = ipam.strings("Options");
            subnets = subnets(ipam.objects("Config"), ipv4);
        }
        return new NetworkSpec(name, driver, subnets, ipv6, body.bool("Internal", false), body.strings("Options"),
                body.strings("Labels"), ipamDriver, ipamOptions, ipv4);
    }

    /**
     * {@code IPAM.Config}: each entry is one subnet with its own range, gateway and auxiliary addresses
     * (paired by {@link SubnetRequests} as the shell pairs its options, so an entry's gateway outside
     * its subnet is refused as {@code --gateway} outside {@code --subnet} is); entries may not overlap.
     */
    private static List<SubnetSpec> subnets(List<Body> entries, boolean ipv4) {
        List<SubnetSpec> out = new ArrayList<>();
        for (Body c : entries) {
            List<String> subnet = listOf(c.string("Subnet"));
            List<String> range = listOf(c.string("IPRange"));
            List<String> gateway = listOf(c.string("Gateway"));
            List<String> aux = new ArrayList<>();
            c.strings("AuxiliaryAddresses").forEach((k, v) -> aux.add(k + "=" + v));
            if (subnet.isEmpty() && range.isEmpty() && gateway.isEmpty() && aux.isEmpty()) {
                continue; // {} asks for nothing, as Docker skips it
            }
            if (!ipv4) {
                SubnetRequests.refuseIpv4(SubnetRequests.ENGINE, subnet, range, gateway, aux);
            }
            List<SubnetSpec> one = SubnetRequests.pair(SubnetRequests.ENGINE, subnet, range, gateway, aux);
            for (SubnetSpec s : one) {
                for (SubnetSpec earlier : out) {
                    if (s.subnet() != null && earlier.subnet() != null && !isAny(s.subnet())
                            && !isAny(earlier.subnet()) && s.subnet().overlaps(earlier.subnet())) {
                        throw ApiException.badRequest(c.field("Subnet") + " " + s.subnet() + ": overlaps "
                                + earlier.subnet() + " of another IPAM.Config entry; give subnets that do not overlap");
                    }
                }
                out.add(s);
            }
        }
        return out;
    }

    /** A subnet of the unspecified address ({@code 0.0.0.0/24}): a size from the pools, never an overlap. */
    private static boolean isAny(IpPrefix p) {
        return p.address().isAnyLocalAddress();
    }

    private static List<String> listOf(String value) {
        return value == null || value.isEmpty() ? List.of() : List.of(value);
    }

    private static void checkScope(String scope, String driver, List<DriverInfo> drivers) {
        if (scope == null || scope.isEmpty()) {
            return;
        }
        if (scope.equals("swarm")) {
            throw ApiException.badRequest("Scope swarm: Weft has no swarm; give local or global (the driver's "
                    + "scope), or leave it empty");
        }
        if (!scope.equals("local") && !scope.equals("global")) {
            throw ApiException.badRequest("Scope " + scope + ": expected local or global (the driver's scope), "
                    + "or empty");
        }
        for (DriverInfo d : drivers) {
            if (d.name().equals(driver) && !d.scope().equals(scope)) {
                throw ApiException.badRequest("Scope " + scope + ": driver " + driver + " makes " + d.scope()
                        + " networks; give " + d.scope() + " or leave it empty");
            }
        }
    }

    /**
     * {@code EndpointConfig} of {@code POST /networks/{id}/connect} (moby {@code EndpointSettings}):
     * {@code IPAMConfig.IPv4Address}/{@code IPv6Address}, {@code Aliases}, {@code MacAddress},
     * {@code DriverOpts}, {@code GwPriority}. The fields Docker fills in its answers ({@code NetworkID},
     * {@code IPAddress}, …) are ignored as Docker ignores them; {@code Links} and
     * {@code IPAMConfig.LinkLocalIPs} are refused when given (Weft links sandboxes only on the default
     * {@code bridge} when they are created, and adds no link-local addresses).
     */
    static EndpointSpec endpoint(Body config) {
        if (config == null) {
            return EndpointSpec.defaults();
        }
        InetAddress ipv4 = null;
        InetAddress ipv6 = null;
        Body ipam = config.object("IPAMConfig");
        if (ipam != null) {
            ipv4 = address(ipam, "IPv4Address", true);
            ipv6 = address(ipam, "IPv6Address", false);
            if (!ipam.stringList("LinkLocalIPs").isEmpty()) {
                throw ApiException.badRequest(ipam.field("LinkLocalIPs") + " " + ipam.stringList("LinkLocalIPs")
                        + ": Weft adds no link-local addresses to an endpoint; leave it empty");
            }
        }
        if (!config.stringList("Links").isEmpty()) {
            throw ApiException.badRequest(config.field("Links") + " " + config.stringList("Links")
                    + ": Weft links sandboxes only on the default bridge network, when they are created; leave it empty");
        }
        List<String> aliases = Values.aliases(config.field("Aliases"), config.stringList("Aliases"));
        String macText = config.string("MacAddress");
        MacAddress mac = macText == null || macText.isEmpty() ? null : Values.mac(config.field("MacAddress"), macText);
        return new EndpointSpec(ipv4, ipv6, aliases, List.of(), config.integer("GwPriority", 0), mac,
                config.strings("DriverOpts"));
    }

    private static InetAddress address(Body ipam, String field, boolean v4) {
        String text = ipam.string(field);
        if (text == null || text.isEmpty()) {
            return null;
        }
        InetAddress a = Values.address(ipam.field(field), text);
        if (v4 && !(a instanceof Inet4Address) || !v4 && !(a instanceof Inet6Address)) {
            throw Values.invalid(ipam.field(field), text, v4
                    ? "not an IPv4 address (IPv6 goes in IPv6Address); expected an IPv4 address like 10.1.0.2"
                    : "not an IPv6 address (IPv4 goes in IPv4Address); expected an IPv6 address like fd00:1::2");
        }
        return a;
    }
}
