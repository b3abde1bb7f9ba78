package dev.weft.shell.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.weft.api.EndpointInfo;
import dev.weft.api.PortBinding;
import dev.weft.api.SandboxInfo;
import java.util.Locale;

/**
 * A sandbox for {@code sandbox:inspect}. Field names follow Docker's conventions (capitalised,
 * {@code EndpointID}, {@code MacAddress}, "" for a missing address, {@code GwPriority} and {@code DriverOpts} as in a
 * container's {@code EndpointSettings}); endpoints are a list in the order they joined (the first is
 * eth0); Weft's {@code DefaultRoutes} lists the families ({@code "IPv4"}, {@code "IPv6"}) whose
 * default route the endpoint gives the sandbox; {@code NetworkMode} is Docker's {@code HostConfig.NetworkMode}
 * ({@code container:web} for a sandbox sharing {@code web}'s namespace, which has no endpoints) and
 * Weft's {@code SharedBy} names the sandboxes sharing this one's; published ports use the shape of a container's
 * {@code NetworkSettings.Ports}: {@code {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}}.
 */
final class SandboxJson {
    private SandboxJson() {}

    static JsonObject of(SandboxInfo s) {
        JsonObject o = new JsonObject();
        o.addProperty("Id", s.id());
        o.addProperty("Name", s.name());
        o.addProperty("Namespace", Json.string(s.namespace()));
        o.addProperty("Mode", s.mode() == null ? "" : s.mode().name().toLowerCase(Locale.ROOT));
        o.addProperty("Created", Json.time(s.created()));
        o.addProperty("NetworkMode", s.networkMode());
        JsonArray sharedBy = new JsonArray();
        s.sharedBy().forEach(sharedBy::add);
        o.add("SharedBy", sharedBy);
        JsonArray endpoints = new JsonArray();
        for (EndpointInfo e : s.endpoints()) {
            endpoints.add(endpoint(e));
        }
        o.add("Endpoints", endpoints);
        return o;
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
