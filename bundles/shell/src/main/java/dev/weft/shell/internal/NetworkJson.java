package dev.weft.shell.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.api.SubnetStatus;
import dev.weft.net.IpAddresses;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * A network in the shape of {@code docker network inspect} (moby {@code api/types/network}
 * {@code Inspect}), field order included, plus Weft's {@code Available}. As in Docker, a subnet's
 * {@code IPRange}, {@code Gateway} and {@code AuxiliaryAddresses} are left out when not set
 * ({@code omitempty}), while an endpoint's {@code MacAddress}/{@code IPv4Address}/{@code IPv6Address}
 * are "" when it has none; a container also shows its {@code GwPriority} on the network (Docker
 * shows it in the container's {@code EndpointSettings}), and its {@code Aliases} and {@code DNSNames} there
 * (the names other sandboxes of the network resolve it by; empty on networks without names, e.g. the
 * predefined {@code bridge}), as Docker shows them in a container's {@code NetworkSettings.Networks}. Fields Docker only fills for swarm networks ({@code Peers},
 * {@code Services}) are left out as Docker leaves them out for local ones. {@code Status} (Docker 29)
 * follows {@code Containers} when the network's IPAM driver counts its subnets, and is left out when it
 * cannot (no subnets, the {@code null} IPAM driver, a driver without the capability). Weft's
 * {@code Remarks} (what the network's driver says people should know, topic to sentence, e.g. that
 * the host cannot reach a macvlan network's sandboxes) comes last, only when there are some.
 */
final class NetworkJson {
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private NetworkJson() {}

    static JsonObject of(NetworkInfo n) {
        JsonObject o = new JsonObject();
        o.addProperty("Name", n.name());
        o.addProperty("Id", n.id());
        o.addProperty("Created", Json.time(n.created()));
        o.addProperty("Scope", n.scope());
        o.addProperty("Driver", n.driver());
        o.addProperty("EnableIPv4", n.ipv4());
        o.addProperty("EnableIPv6", n.ipv6());
        o.add("IPAM", ipam(n));
        o.addProperty("Internal", n.internal());
        o.addProperty("Attachable", "global".equals(n.scope())); // every sandbox may join a global network
        o.addProperty("Ingress", false);
        JsonObject configFrom = new JsonObject();
        configFrom.addProperty("Network", "");
        o.add("ConfigFrom", configFrom);
        o.addProperty("ConfigOnly", false);
        o.add("Containers", containers(n));
        if (!n.ipamStatus().isEmpty()) {
            o.add("Status", status(n));
        }
        o.add("Options", Json.object(n.options()));
        o.add("Labels", Json.object(n.labels()));
        o.addProperty("Available", n.available());
        if (!n.remarks().isEmpty()) {
            o.add("Remarks", Json.object(n.remarks()));
        }
        return o;
    }

    private static JsonObject ipam(NetworkInfo n) {
        JsonObject ipam = new JsonObject();
        ipam.addProperty("Driver", n.ipamDriver());
        ipam.add("Options", Json.object(n.ipamOptions()));
        JsonArray config = new JsonArray();
        for (SubnetInfo s : n.subnets()) {
            JsonObject c = new JsonObject();
            c.addProperty("Subnet", s.subnet().toString());
            if (s.ipRange() != null) {
                c.addProperty("IPRange", s.ipRange().toString());
            }
            if (s.gateway() != null) {
                c.addProperty("Gateway", IpAddresses.format(s.gateway()));
            }
            if (!s.auxAddresses().isEmpty()) {
                JsonObject aux = new JsonObject();
                new TreeMap<>(s.auxAddresses()).forEach((k, v) -> aux.addProperty(k, IpAddresses.format(v)));
                c.add("AuxiliaryAddresses", aux);
            }
            config.add(c);
        }
        ipam.add("Config", config);
        return ipam;
    }

    /**
     * Docker's {@code "Status": {"IPAM": {"Subnets": {SUBNET: {"IPsInUse", "DynamicIPsAvailable"}}}}}
     * (Engine API 1.52), subnets in the network's order; counts saturate at 2<sup>64</sup> - 1 as
     * Docker's {@code uint64}s do (an IPv6 /48 holds more).
     */
    private static JsonObject status(NetworkInfo n) {
        JsonObject subnets = new JsonObject();
        for (SubnetInfo s : n.subnets()) {
            SubnetStatus st = n.ipamStatus().get(s.subnet());
            if (st != null) {
                JsonObject c = new JsonObject();
                c.addProperty("IPsInUse", saturated(st.ipsInUse()));
                c.addProperty("DynamicIPsAvailable", saturated(st.dynamicIpsAvailable()));
                subnets.add(s.subnet().toString(), c);
            }
        }
        JsonObject ipam = new JsonObject();
        ipam.add("Subnets", subnets);
        JsonObject status = new JsonObject();
        status.add("IPAM", ipam);
        return status;
    }

    private static BigInteger saturated(BigInteger count) {
        return count.min(UINT64_MAX);
    }

    /** Keyed by sandbox id, as Docker keys them by container id. */
    private static JsonObject containers(NetworkInfo n) {
        Map<String, JsonObject> byId = new TreeMap<>();
        for (EndpointInfo e : n.endpoints()) {
            JsonObject c = new JsonObject();
            c.addProperty("Name", e.sandbox());
            c.addProperty("EndpointID", e.id());
            c.addProperty("MacAddress", Json.string(e.mac()));
            c.addProperty("IPv4Address", Json.string(e.ipv4()));
            c.addProperty("IPv6Address", Json.string(e.ipv6()));
            c.addProperty("GwPriority", e.gwPriority());
            JsonArray aliases = new JsonArray();
            e.aliases().forEach(aliases::add);
            c.add("Aliases", aliases);
            JsonArray dnsNames = new JsonArray();
            e.dnsNames().forEach(dnsNames::add);
            c.add("DNSNames", dnsNames);
            byId.put(e.sandboxId(), c);
        }
        JsonObject o = new JsonObject();
        byId.forEach(o::add);
        return o;
    }
}
