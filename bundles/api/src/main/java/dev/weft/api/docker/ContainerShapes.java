package dev.weft.api.docker;

import static dev.weft.api.docker.Shapes.object;
import static dev.weft.api.docker.Shapes.string;

import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.PortBinding;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.net.InterfaceAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A sandbox in the shape of a Docker container (Engine API 1.50, moby {@code api/types/container}),
 * as ordered plain values: what tools that look containers up by name or id find. A sandbox is a
 * container that is always {@code running}, has no image, command, mounts or process of its own;
 * its network side is complete: {@code HostConfig.NetworkMode}, and {@code NetworkSettings} with
 * {@code SandboxID}, {@code SandboxKey} (the namespace's path, as Docker's), {@code Ports} and, per
 * network, Docker's {@code EndpointSettings}. Fields Docker has and a sandbox cannot fill are there
 * with Docker's zero values ("" , 0, false, null), so strict decoders find every field.
 *
 * <p>{@code IPAMConfig} is null: Weft does not record whether an address was asked for or given.
 * The top-level {@code NetworkSettings} address fields (deprecated in Docker) are filled, as Docker
 * fills them, from the endpoint on the default {@code bridge} network only.
 */
public final class ContainerShapes {
    /** The state of every sandbox: it exists while its namespace does. */
    public static final String STATE = "running";
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private ContainerShapes() {}

    /**
     * An element of {@code GET /containers/json} (moby {@code container.Summary}).
     *
     * @param networks the networks by id, for each endpoint's gateway (a missing one: no gateway)
     * @param now      the time its {@code Status} ("Up 5 minutes") is measured to
     */
    public static Map<String, Object> summary(SandboxInfo s, Function<String, NetworkInfo> networks, Instant now) {
        Map<String, Object> o = object();
        o.put("Id", s.id());
        o.put("Names", List.of("/" + s.name()));
        o.put("Image", "");
        o.put("ImageID", "");
        o.put("Command", "");
        o.put("Created", s.created() == null ? 0L : s.created().getEpochSecond());
        List<Object> ports = new ArrayList<>();
        for (EndpointInfo e : s.endpoints()) {
            for (PortBinding p : e.ports()) {
                Map<String, Object> port = object();
                if (p.hostPort() != 0) {
                    port.put("IP", p.hostIp() == null ? "0.0.0.0" : Shapes.address(p.hostIp()));
                }
                port.put("PrivatePort", p.containerPort());
                if (p.hostPort() != 0) {
                    port.put("PublicPort", p.hostPort());
                }
                port.put("Type", p.protocol());
                ports.add(port);
            }
        }
        o.put("Ports", ports);
        o.put("Labels", object());
        o.put("State", STATE);
        o.put("Status", "Up " + humanDuration(s.created() == null ? Duration.ZERO : Duration.between(s.created(), now)));
        Map<String, Object> hostConfig = object();
        hostConfig.put("NetworkMode", s.networkMode());
        o.put("HostConfig", hostConfig);
        Map<String, Object> settings = object();
        settings.put("Networks", networks(s, networks));
        o.put("NetworkSettings", settings);
        o.put("Mounts", List.of());
        return o;
    }

    /**
     * {@code GET /containers/{id}/json} (moby {@code container.InspectResponse}).
     *
     * @param networks the networks by id, for each endpoint's gateway
     */
    public static Map<String, Object> inspect(SandboxInfo s, Function<String, NetworkInfo> networks) {
        Map<String, Object> o = object();
        o.put("Id", s.id());
        o.put("Created", Shapes.time(s.created()));
        o.put("Path", "");
        o.put("Args", List.of());
        Map<String, Object> state = object();
        state.put("Status", STATE);
        state.put("Running", true);
        state.put("Paused", false);
        state.put("Restarting", false);
        state.put("OOMKilled", false);
        state.put("Dead", false);
        state.put("Pid", 0);
        state.put("ExitCode", 0);
        state.put("Error", "");
        state.put("StartedAt", Shapes.time(s.created()));
        state.put("FinishedAt", ZERO_TIME);
        o.put("State", state);
        o.put("Image", "");
        o.put("ResolvConfPath", "");
        o.put("HostnamePath", "");
        o.put("HostsPath", "");
        o.put("LogPath", "");
        o.put("Name", "/" + s.name());
        o.put("RestartCount", 0);
        o.put("Driver", "");
        o.put("Platform", "linux");
        o.put("MountLabel", "");
        o.put("ProcessLabel", "");
        o.put("AppArmorProfile", "");
        o.put("ExecIDs", null);
        Map<String, Object> hostConfig = object();
        hostConfig.put("NetworkMode", s.networkMode());
        hostConfig.put("Dns", Shapes.list(s.dns().servers().stream().map(dev.weft.net.IpAddresses::formatScoped).toList()));
        hostConfig.put("DnsOptions", Shapes.list(s.dns().options()));
        hostConfig.put("DnsSearch", Shapes.list(s.dns().search()));
        hostConfig.put("Links", Shapes.listOrNull(s.links().stream().map(l -> l.toString()).toList()));
        o.put("HostConfig", hostConfig);
        Map<String, Object> graphDriver = object();
        graphDriver.put("Data", null);
        graphDriver.put("Name", "");
        o.put("GraphDriver", graphDriver);
        o.put("Mounts", List.of());
        Map<String, Object> config = object();
        config.put("Hostname", s.hostname());
        config.put("Domainname", "");
        config.put("User", "");
        config.put("Env", null);
        config.put("Cmd", null);
        config.put("Image", "");
        config.put("Labels", object());
        o.put("Config", config);
        o.put("NetworkSettings", networkSettings(s, networks));
        return o;
    }

    private static Map<String, Object> networkSettings(SandboxInfo s, Function<String, NetworkInfo> networks) {
        Map<String, Object> o = object();
        o.put("Bridge", "");
        o.put("SandboxID", s.id());
        o.put("SandboxKey", string(s.namespace()));
        List<PortBinding> bindings = new ArrayList<>();
        s.endpoints().forEach(e -> bindings.addAll(e.ports()));
        o.put("Ports", SandboxShapes.ports(bindings));
        o.put("HairpinMode", false);
        o.put("LinkLocalIPv6Address", "");
        o.put("LinkLocalIPv6PrefixLen", 0);
        o.put("SecondaryIPAddresses", null);
        o.put("SecondaryIPv6Addresses", null);
        EndpointInfo bridge = s.endpoints().stream().filter(e -> "bridge".equals(e.network())).findFirst().orElse(null);
        Map<String, Object> fromBridge = bridge == null ? null : endpointSettings(bridge, networks.apply(bridge.networkId()));
        for (String key : List.of("EndpointID", "Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "IPAddress",
                "IPPrefixLen", "IPv6Gateway", "MacAddress")) {
            Object zero = key.endsWith("PrefixLen") ? (Object) 0 : "";
            o.put(key, fromBridge == null ? zero : fromBridge.get(key));
        }
        o.put("Networks", networks(s, networks));
        return o;
    }

    private static Map<String, Object> networks(SandboxInfo s, Function<String, NetworkInfo> networks) {
        Map<String, Object> byName = new java.util.TreeMap<>();
        for (EndpointInfo e : s.endpoints()) {
            byName.put(e.network(), endpointSettings(e, networks.apply(e.networkId())));
        }
        return new LinkedHashMap<>(byName);
    }

    /** Docker's {@code EndpointSettings} (moby {@code api/types/network}), field order included. */
    public static Map<String, Object> endpointSettings(EndpointInfo e, NetworkInfo network) {
        Map<String, Object> o = object();
        o.put("IPAMConfig", null);
        o.put("Links", null);
        o.put("Aliases", Shapes.listOrNull(e.aliases()));
        o.put("MacAddress", string(e.mac()));
        o.put("DriverOpts", Shapes.sortedOrNull(e.driverOptions()));
        o.put("GwPriority", e.gwPriority());
        o.put("NetworkID", e.networkId());
        o.put("EndpointID", e.id());
        o.put("Gateway", Shapes.address(gateway(network, e.ipv4())));
        o.put("IPAddress", e.ipv4() == null ? "" : Shapes.address(e.ipv4().address()));
        o.put("IPPrefixLen", e.ipv4() == null ? 0 : e.ipv4().prefixLength());
        o.put("IPv6Gateway", Shapes.address(gateway(network, e.ipv6())));
        o.put("GlobalIPv6Address", e.ipv6() == null ? "" : Shapes.address(e.ipv6().address()));
        o.put("GlobalIPv6PrefixLen", e.ipv6() == null ? 0 : e.ipv6().prefixLength());
        o.put("DNSNames", Shapes.listOrNull(e.dnsNames()));
        return o;
    }

    /** The gateway of the network's subnet that holds the address, or null. */
    private static InetAddress gateway(NetworkInfo network, InterfaceAddress address) {
        if (network == null || address == null) {
            return null;
        }
        for (SubnetInfo s : network.subnets()) {
            if (s.subnet().contains(address.address())) {
                return s.gateway();
            }
        }
        return null;
    }

    /** Docker's {@code units.HumanDuration}, as {@code docker ps} shows how long a container is up. */
    static String humanDuration(Duration d) {
        long seconds = Math.max(0, d.getSeconds());
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = seconds / 60;
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(seconds / 3600.0);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return hours / 24 / 365 + " years";
    }
}
