package dev.weft.shell.internal;

import dev.weft.api.EndpointSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxLink;
import dev.weft.api.WeftException;
import dev.weft.api.docker.Values;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses option values typed by people; what the Engine API parses too is in {@link Values}. Every error is one line that starts with the option and
 * the value as given and says what is accepted, e.g.
 * {@code --subnet 10.0.0.0/33: prefix length 33 exceeds 32 for IPv4}. Addresses are parsed as
 * literals only ({@link IpAddresses}): a host name is refused, never resolved.
 */
final class OptionValues {
    static final String CIDR_FORMAT = Values.CIDR_FORMAT;
    static final String IP_FORMAT = Values.IP_FORMAT;

    private OptionValues() {}

    /** A network prefix ({@code --subnet}, {@code --ip-range}): a literal, a length in range, no host bits. */
    static IpPrefix prefix(String option, String text) {
        return Values.prefix(option, text);
    }

    /** An IPv4 or IPv6 address literal. */
    static InetAddress address(String option, String text) {
        return Values.address(option, text);
    }

    /** An IPv4 address literal ({@code --ip}). */
    static InetAddress ipv4(String option, String text) {
        InetAddress a = IpAddresses.tryParse(text == null ? null : text.trim());
        if (!(a instanceof Inet4Address)) {
            throw invalid(option, text, a == null ? "not an IP address; expected an IPv4 address like 10.1.0.2"
                    : "not an IPv4 address (use --ip6 for IPv6); expected an IPv4 address like 10.1.0.2");
        }
        return a;
    }

    /** An IPv6 address literal ({@code --ip6}). */
    static InetAddress ipv6(String option, String text) {
        InetAddress a = IpAddresses.tryParse(text == null ? null : text.trim());
        if (!(a instanceof Inet6Address)) {
            throw invalid(option, text, a == null ? "not an IP address; expected an IPv6 address like fd00:1::2"
                    : "not an IPv6 address (use --ip for IPv4); expected an IPv6 address like fd00:1::2");
        }
        return a;
    }

    static final String DNS_FORMAT = "expected IPv4 like 192.0.2.53 or IPv6 like 2001:db8::53 "
            + "('fe80::1%eth0', single-quoted, for a link-local one)";

    /**
     * A name server ({@code --dns}, Docker's): an IPv4 or IPv6 literal; an IPv6 one may carry a
     * scope after {@code %}, an interface name ({@code fe80::1%eth0}, an interface this host has)
     * or a numeric scope id ({@code fe80::1%2}). Never resolved as a host name.
     */
    static InetAddress dnsServer(String option, String text) {
        String value = text == null ? "" : text.trim();
        int percent = value.indexOf('%');
        String addressPart = percent < 0 ? value : value.substring(0, percent);
        InetAddress a = IpAddresses.tryParse(addressPart);
        if (a == null) {
            throw invalid(option, text, "not an IP address; " + DNS_FORMAT);
        }
        if (percent < 0) {
            return a;
        }
        String scope = value.substring(percent + 1);
        if (!(a instanceof Inet6Address)) {
            throw invalid(option, text, "only an IPv6 address takes a %SCOPE; " + DNS_FORMAT);
        }
        if (scope.isEmpty()) {
            throw invalid(option, text, "the scope after % is empty: give an interface name or a numeric scope id; "
                    + DNS_FORMAT);
        }
        try {
            if (scope.chars().allMatch(c -> c >= '0' && c <= '9')) {
                if (scope.length() > 9) {
                    throw invalid(option, text, "scope id " + scope + " is too large");
                }
                return Inet6Address.getByAddress(null, a.getAddress(), Integer.parseInt(scope));
            }
            java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(scope);
            if (nic == null) {
                throw invalid(option, text, "this host has no interface \"" + scope
                        + "\" for the scope: give an interface it has or a numeric scope id like fe80::1%2");
            }
            return Inet6Address.getByAddress(null, a.getAddress(), nic);
        } catch (java.net.UnknownHostException | java.net.SocketException e) {
            throw invalid(option, text, "the scope \"" + scope + "\" cannot be used (" + e.getMessage() + "); "
                    + DNS_FORMAT);
        }
    }

    /** {@code --dns} given several times, in the order given. */
    static List<InetAddress> dnsServers(String option, List<String> texts) {
        List<InetAddress> out = new ArrayList<>();
        for (String text : orEmpty(texts)) {
            out.add(dnsServer(option, text));
        }
        return out;
    }

    /** A name server as {@code --dns} takes it: the literal, with {@code %SCOPE} when it has one. */
    static String formatDnsServer(InetAddress a) {
        return IpAddresses.formatScoped(a);
    }

    /** {@code --link NAME[:ALIAS]} given several times ({@link SandboxLink#parse} names a bad value). */
    static List<SandboxLink> links(List<String> texts) {
        List<SandboxLink> out = new ArrayList<>();
        for (String text : orEmpty(texts)) {
            out.add(SandboxLink.parse(text == null ? null : text.trim()));
        }
        return out;
    }

    /**
     * {@code KEY=VALUE} pairs in the order given; a repeated key keeps its last value (as Docker does).
     * Without {@code valueRequired}, a bare {@code KEY} means an empty value ({@code --label}).
     */
    static Map<String, String> keyValues(String option, List<String> texts, boolean valueRequired) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String text : orEmpty(texts)) {
            int eq = text.indexOf('=');
            if (eq < 0 && valueRequired) {
                throw invalid(option, text, "expected KEY=VALUE");
            }
            String key = (eq < 0 ? text : text.substring(0, eq)).trim();
            if (key.isEmpty()) {
                throw invalid(option, text, "the key is empty; expected KEY=VALUE");
            }
            out.put(key, eq < 0 ? "" : text.substring(eq + 1));
        }
        return out;
    }

    /**
     * The driver options that may be given several times ({@code -o route=A -o route=B}, as Podman
     * users write netavark's static routes): their values are gathered in the order given, joined
     * with {@link #GATHERED_SEPARATOR}, which is how the bridge driver reads several routes in one
     * value. Any other repeated key keeps its last value, as Docker does.
     */
    static final java.util.Set<String> GATHERED_DRIVER_OPTIONS = java.util.Set.of("route");
    static final String GATHERED_SEPARATOR = ";";

    /** {@code -o KEY=VALUE} of {@code network:create}: {@link #keyValues}, with {@link #GATHERED_DRIVER_OPTIONS} gathered. */
    static Map<String, String> driverOptions(List<String> texts) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String text : orEmpty(texts)) {
            // a bare KEY is KEY with an empty value, as Docker's --opt (-o encrypted)
            keyValues("-o", List.of(text), false).forEach((key, value) -> out.merge(key, value,
                    (before, added) -> GATHERED_DRIVER_OPTIONS.contains(key) ? before + GATHERED_SEPARATOR + added : added));
        }
        return out;
    }

    /** Published ports in Docker's {@code -p} syntax ({@link PortSpec#parse} names the value). */
    static List<PortSpec> ports(List<String> texts) {
        List<PortSpec> out = new ArrayList<>();
        for (String text : orEmpty(texts)) {
            out.add(PortSpec.parse(text));
        }
        return out;
    }

    /** Aliases: names, not empty, no whitespace. */
    static List<String> aliases(List<String> texts) {
        return Values.aliases("--alias", texts);
    }

    /**
     * How a sandbox joins a network: {@code --ip}, {@code --ip6}, {@code --alias}, {@code -p} and
     * {@code --gw-priority} (null: 0), {@code --mac-address} (null: the driver's choice) and
     * {@code --driver-opt KEY=VALUE} (repeatable; the keys the controller knows are checked by
     * {@link EndpointSpec}, the others by the network's driver).
     */
    static EndpointSpec endpoint(String ip, String ip6, List<String> aliases, List<String> publish, String gwPriority,
                                 String mac, List<String> driverOpts) {
        return new EndpointSpec(ip == null ? null : ipv4("--ip", ip), ip6 == null ? null : ipv6("--ip6", ip6),
                aliases(aliases), ports(publish), gwPriority == null ? 0 : gwPriority("--gw-priority", gwPriority),
                mac == null ? null : mac("--mac-address", mac), keyValues("--driver-opt", driverOpts, true));
    }

    /** A MAC address an interface can have ({@code --mac-address}): six hex pairs, unicast, not all zeros. */
    static MacAddress mac(String option, String text) {
        return Values.mac(option, text);
    }

    /** A gateway priority ({@code --gw-priority}, Docker's): a whole number, negative allowed. */
    static int gwPriority(String option, String text) {
        String value = text == null ? "" : text.trim();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw invalid(option, text, "expected a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE
                    + " like 10 or -1 (of a sandbox's networks, the one with the highest gives its default route; "
                    + "default 0)");
        }
    }

    /**
     * {@code --network} of {@code sandbox:create} in Docker's long form,
     * {@code name=NAME[,alias=A][,ip=IP][,ip6=IP6][,gw-priority=N][,mac-address=MAC]} ({@code docker run --network}),
     * with the endpoint flags given beside it ({@code --ip}, …): null network when {@code text}
     * is null; a value without {@code =} is a network's name. A setting given both ways is refused.
     */
    static NetworkArg network(String text, String ip, String ip6, List<String> aliases, List<String> publish,
                              String gwPriority, String mac, List<String> driverOpts) {
        if (text == null || !text.contains("=")) {
            return new NetworkArg(text, endpoint(ip, ip6, aliases, publish, gwPriority, mac, driverOpts));
        }
        String name = null;
        List<String> longAliases = new ArrayList<>(orEmpty(aliases));
        Map<String, String> single = new LinkedHashMap<>();
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("ip", ip);
        flags.put("ip6", ip6);
        flags.put("gw-priority", gwPriority);
        flags.put("mac-address", mac);
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part.trim() : part.substring(0, eq).trim();
            String value = eq < 0 ? null : part.substring(eq + 1).trim();
            if (value == null || value.isEmpty()) {
                throw invalid("--network", text, "\"" + part + "\" has no value; expected KEY=VALUE pairs like "
                        + "name=blue,gw-priority=10");
            }
            switch (key) {
                case "name" -> {
                    if (name != null) {
                        throw invalid("--network", text, "name is given twice");
                    }
                    name = value;
                }
                case "alias" -> longAliases.add(value);
                case "ip", "ip6", "gw-priority", "mac-address" -> {
                    if (flags.get(key) != null) {
                        throw invalid("--network", text, key + " is also given as --" + key + "; give it once");
                    }
                    if (single.put(key, value) != null) {
                        throw invalid("--network", text, key + " is given twice");
                    }
                }
                default -> throw invalid("--network", text, "unknown key \"" + key + "\"; known keys: name, alias, ip, "
                        + "ip6, gw-priority, mac-address (give driver options with --driver-opt)");
            }
        }
        if (name == null) {
            throw invalid("--network", text, "no name=; expected e.g. name=blue,gw-priority=10");
        }
        return new NetworkArg(name, endpoint(single.getOrDefault("ip", ip), single.getOrDefault("ip6", ip6), longAliases,
                publish, single.getOrDefault("gw-priority", gwPriority), single.getOrDefault("mac-address", mac),
                driverOpts));
    }

    /** A sandbox's first network and how it joins it. */
    record NetworkArg(String network, EndpointSpec endpoint) {}

    /** An absolute path to an existing namespace ({@code --netns}); whether it is one, the controller checks. */
    static Path absolutePath(String option, String text) {
        if (text == null || text.isBlank() || !text.startsWith("/") || text.indexOf('\0') >= 0) {
            throw invalid(option, text, "expected an absolute path like /proc/1234/ns/net or /run/netns/NAME");
        }
        return Path.of(text);
    }

    static <T> List<T> orEmpty(List<T> list) {
        return Values.orEmpty(list);
    }

    static WeftException.InvalidRequest invalid(String option, String value, String why) {
        return Values.invalid(option, value, why);
    }
}
