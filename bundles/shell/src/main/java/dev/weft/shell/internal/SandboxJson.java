package dev.weft.shell.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.weft.api.EndpointInfo;
import dev.weft.api.PortBinding;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxLink;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sandbox for {@code sandbox:inspect}. Field names follow Docker's conventions (capitalised,
 * {@code EndpointID}, {@code MacAddress}, "" for a missing address, {@code GwPriority} and {@code DriverOpts} as in a
 * container's {@code EndpointSettings}); endpoints are a list in the order they joined (the first is
 * eth0); Weft's {@code DefaultRoutes} lists the families ({@code "IPv4"}, {@code "IPv6"}) whose
 * default route the endpoint gives the sandbox; {@code NetworkMode} is Docker's {@code HostConfig.NetworkMode}
 * ({@code container:web} for a sandbox sharing {@code web}'s namespace, which has no endpoints) and
 * Weft's {@code SharedBy} names the sandboxes sharing this one's; published ports use the shape of a container's
 * {@code NetworkSettings.Ports}: {@code {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}}.
 *
 * <p>Names (0.9.0): the object stays flat, as it has always been (no {@code Config}/{@code HostConfig}
 * nesting, as {@code NetworkMode} is already top level), with Docker's key names: {@code Hostname}
 * (Docker's {@code Config.Hostname}, the sandbox's name unless {@code --hostname} gave another),
 * {@code Dns}, {@code DnsSearch}, {@code DnsOptions} and {@code Links} (Docker's {@code HostConfig}
 * fields; a link as {@code NAME} or {@code NAME:ALIAS}, a scoped server as {@code fe80::1%eth0}), each
 * endpoint's {@code DNSNames} beside its {@code Aliases} (Docker's {@code EndpointSettings}), and
 * Weft's {@code ResolvConf} and {@code Hosts}: the sandbox's resolver files as lines (where Docker shows
 * {@code ResolvConfPath}/{@code HostsPath}), for an adopted namespace the files its owner should
 * install; empty for a sandbox in the host's namespace.
 */
final class SandboxJson {
    private SandboxJson() {}

    /** Without resolver files (empty {@code ResolvConf} and {@code Hosts}). */
    static JsonObject of(SandboxInfo s) {
        return of(s, Map.of());
    }

    /** With its resolver files, by file name ({@code resolv.conf}, {@code hosts}) as the controller gives them. */
    static JsonObject of(SandboxInfo s, Map<String, String> resolverFiles) {
        JsonObject o = new JsonObject();
        o.addProperty("Id", s.id());
        o.addProperty("Name", s.name());
        o.addProperty("Hostname", s.hostname());
        o.addProperty("Namespace", Json.string(s.namespace()));
        o.addProperty("Mode", s.mode() == null ? "" : s.mode().name().toLowerCase(Locale.ROOT));
        o.addProperty("Created", Json.time(s.created()));
        o.addProperty("NetworkMode", s.networkMode());
        JsonArray sharedBy = new JsonArray();
        s.sharedBy().forEach(sharedBy::add);
        o.add("SharedBy", sharedBy);
        JsonArray dns = new JsonArray();
        s.dns().servers().forEach(a -> dns.add(OptionValues.formatDnsServer(a)));
        o.add("Dns", dns);
        o.add("DnsSearch", strings(s.dns().search()));
        o.add("DnsOptions", strings(s.dns().options()));
        JsonArray links = new JsonArray();
        for (SandboxLink l : s.links()) {
            links.add(l.toString());
        }
        o.add("Links", links);
        JsonArray endpoints = new JsonArray();
        for (EndpointInfo e : s.endpoints()) {
            endpoints.add(endpoint(e));
        }
        o.add("Endpoints", endpoints);
        o.add("ResolvConf", lines(resolverFiles.get("resolv.conf")));
        o.add("Hosts", lines(resolverFiles.get("hosts")));
        return o;
    }

    private static JsonArray strings(List<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    /** A file's lines, without the empty one after its last newline; none for a missing file. */
    static JsonArray lines(String content) {
        JsonArray a = new JsonArray();
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

    private static JsonObject endpoint(EndpointInfo e) {
        JsonObject o = new JsonObject();
        o.addProperty("Network", e.network());
        o.addProperty("NetworkID", e.networkId());
        o.addProperty("EndpointID", e.id());
        o.addProperty("Interface", Json.string(e.interfaceName()));
        o.addProperty("MacAddress", Json.string(e.mac()));
        o.addProperty("IPv4Address", Json.string(e.ipv4()));
        o.addProperty("IPv6Address", Json.string(e.ipv6()));
        JsonArray aliases = new JsonArray();
        e.aliases().forEach(aliases::add);
        o.add("Aliases", aliases);
        o.add("DNSNames", strings(e.dnsNames()));
        o.addProperty("GwPriority", e.gwPriority());
        JsonObject driverOpts = new JsonObject();
        e.driverOptions().forEach(driverOpts::addProperty);
        o.add("DriverOpts", driverOpts);
        JsonArray defaults = new JsonArray();
        if (e.defaultRoute4()) {
            defaults.add("IPv4");
        }
        if (e.defaultRoute6()) {
            defaults.add("IPv6");
        }
        o.add("DefaultRoutes", defaults);
        JsonObject ports = new JsonObject();
        for (PortBinding p : e.ports()) {
            String key = p.containerPort() + "/" + p.protocol();
            JsonArray bindings = ports.has(key) ? ports.getAsJsonArray(key) : new JsonArray();
            JsonObject b = new JsonObject();
            // host port 0: a routed network's binding, which opens the sandbox's own port and no host port
            b.addProperty("HostIp", p.hostPort() == 0 ? "" : p.hostIp() == null ? "0.0.0.0" : Json.address(p.hostIp()));
            b.addProperty("HostPort", p.hostPort() == 0 ? "" : Integer.toString(p.hostPort()));
            bindings.add(b);
            ports.add(key, bindings);
        }
        o.add("Ports", ports);
        return o;
    }
}
