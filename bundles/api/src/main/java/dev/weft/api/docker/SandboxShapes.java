package dev.weft.api.docker;

import static dev.weft.api.docker.Shapes.object;
import static dev.weft.api.docker.Shapes.string;

import dev.weft.api.EndpointInfo;
import dev.weft.api.PortBinding;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxLink;
import dev.weft.net.IpAddresses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sandbox for Weft's {@code sandbox:inspect}, as ordered plain values. Field names follow
 * Docker's conventions (capitalised, {@code EndpointID}, {@code MacAddress}, "" for a missing
 * address, {@code GwPriority} and {@code DriverOpts} as in a container's {@code EndpointSettings});
 * endpoints are a list in the order they joined (the first is eth0); Weft's {@code DefaultRoutes}
 * lists the families ({@code "IPv4"}, {@code "IPv6"}) whose default route the endpoint gives the
 * sandbox; {@code NetworkMode} is Docker's {@code HostConfig.NetworkMode} ({@code container:web} for
 * a sandbox sharing {@code web}'s namespace, which has no endpoints) and Weft's {@code SharedBy}
 * names the sandboxes sharing this one's; published ports use the shape of a container's
 * {@code NetworkSettings.Ports}: {@code {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}}.
 * An endpoint whose driver says something of it at run time ({@code EndpointInfo.driverInfo()}, a
 * Docker plugin's {@code EndpointOperInfo}) has it last, as {@code "DriverInfo": {"KEY": "VALUE"}} in
 * key order (as Go writes a map); an endpoint without has no such key (Docker's container shape has none).
 *
 * <p>Names: the object is flat (no {@code Config}/{@code HostConfig} nesting, as {@code NetworkMode}
 * is already top level), with Docker's key names: {@code Hostname} (Docker's {@code Config.Hostname}),
 * {@code Dns}, {@code DnsSearch}, {@code DnsOptions} and {@code Links} (Docker's {@code HostConfig}
 * fields; a link as {@code NAME} or {@code NAME:ALIAS}, a scoped server as {@code fe80::1%eth0}), each
 * endpoint's {@code DNSNames} beside its {@code Aliases}, and Weft's {@code ResolvConf} and
 * {@code Hosts}: the sandbox's resolver files as lines (where Docker shows
 * {@code ResolvConfPath}/{@code HostsPath}), for an adopted namespace the files its owner should
 * install; empty for a sandbox in the host's namespace. Docker's own container shape, for the
 * Engine API, is {@link ContainerShapes}.
 */
public final class SandboxShapes {
    private SandboxShapes() {}

    /**
     * The sandbox with its resolver files, by file name ({@code resolv.conf}, {@code hosts}) as
     * {@code Controller.resolverFiles} gives them (none: empty {@code ResolvConf} and {@code Hosts}).
     */
    public static Map<String, Object> inspect(SandboxInfo s, Map<String, String> resolverFiles) {
        Map<String, Object> o = object();
        o.put("Id", s.id());
        o.put("Name", s.name());
        o.put("Hostname", s.hostname());
        o.put("Namespace", string(s.namespace()));
        o.put("Mode", s.mode() == null ? "" : s.mode().name().toLowerCase(Locale.ROOT));
        o.put("Created", Shapes.time(s.created()));
        o.put("NetworkMode", s.networkMode());
        o.put("SharedBy", Shapes.list(s.sharedBy()));
        o.put("Dns", Shapes.list(s.dns().servers().stream().map(IpAddresses::formatScoped).toList()));
        o.put("DnsSearch", Shapes.list(s.dns().search()));
        o.put("DnsOptions", Shapes.list(s.dns().options()));
        o.put("Links", Shapes.list(s.links().stream().map(SandboxLink::toString).toList()));
        List<Object> endpoints = new ArrayList<>();
        for (EndpointInfo e : s.endpoints()) {
            endpoints.add(endpoint(e));
        }
        o.put("Endpoints", endpoints);
        o.put("ResolvConf", lines(resolverFiles.get("resolv.conf")));
        o.put("Hosts", lines(resolverFiles.get("hosts")));
        return o;
    }

    /** A file's lines, without the empty one after its last newline; none for a missing file. */
    public static List<Object> lines(String content) {
        List<Object> a = new ArrayList<>();
        if (content == null || content.isEmpty()) {
            return a;
        }
        String[] lines = content.split("\\r?\\n", -1);
        int n = lines.length;
        if (lines[n - 1].isEmpty()) {
            n--;
        }
        for (int i = 0; i < n; i++) {
            a.add(lines[i]);
        }
        return a;
    }

    private static Map<String, Object> endpoint(EndpointInfo e) {
        Map<String, Object> o = object();
        o.put("Network", e.network());
        o.put("NetworkID", e.networkId());
        o.put("EndpointID", e.id());
        o.put("Interface", string(e.interfaceName()));
        o.put("MacAddress", string(e.mac()));
        o.put("IPv4Address", string(e.ipv4()));
        o.put("IPv6Address", string(e.ipv6()));
        o.put("Aliases", Shapes.list(e.aliases()));
        o.put("DNSNames", Shapes.list(e.dnsNames()));
        o.put("GwPriority", e.gwPriority());
        o.put("DriverOpts", new LinkedHashMap<String, Object>(e.driverOptions()));
        List<Object> defaults = new ArrayList<>();
        if (e.defaultRoute4()) {
            defaults.add("IPv4");
        }
        if (e.defaultRoute6()) {
            defaults.add("IPv6");
        }
        o.put("DefaultRoutes", defaults);
        o.put("Ports", ports(e.ports()));
        if (!e.driverInfo().isEmpty()) {
            o.put("DriverInfo", Shapes.sorted(e.driverInfo()));
        }
        return o;
    }

    /**
     * Published ports in the shape of a container's {@code NetworkSettings.Ports}, in the order given:
     * {@code {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}}. A binding without a host port
     * (a routed network's, which opens the sandbox's own port and no host port) has "" for both.
     */
    static Map<String, Object> ports(List<PortBinding> bindings) {
        Map<String, Object> ports = object();
        for (PortBinding p : bindings) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) ports.computeIfAbsent(p.containerPort() + "/" + p.protocol(),
                    k -> new ArrayList<>());
            Map<String, Object> b = object();
            b.put("HostIp", p.hostPort() == 0 ? "" : p.hostIp() == null ? "0.0.0.0" : Shapes.address(p.hostIp()));
            b.put("HostPort", p.hostPort() == 0 ? "" : Integer.toString(p.hostPort()));
            list.add(b);
        }
        return ports;
    }
}
