package dev.weft.api.docker;

import static dev.weft.api.docker.Shapes.object;
import static dev.weft.api.docker.Shapes.sorted;
import static dev.weft.api.docker.Shapes.string;

import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.api.SubnetStatus;
import dev.weft.net.IpAddresses;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A network in the shape of {@code docker network inspect} (moby {@code api/types/network}
 * {@code Inspect}), field order included, as ordered plain values.
 *
 * <p>Two flavours. {@link #engine} is exactly Docker's (Engine API 1.50): what the Engine API
 * answers, so clients that decode it strictly find nothing unexpected. {@link #inspect} is Weft's
 * {@code network:inspect}: Docker's, plus, per container, its {@code GwPriority} (Docker shows it in
 * the container's {@code EndpointSettings}), {@code Aliases} and {@code DNSNames} (the names other
 * sandboxes of the network resolve it by; empty on networks without names, e.g. the predefined
 * {@code bridge}), as Docker shows them in a container's {@code NetworkSettings.Networks}; Docker
 * 29's {@code Status} after {@code Containers} when the network's IPAM driver counts its subnets
 * (left out when it cannot: no subnets, the {@code null} IPAM driver, a driver without the
 * capability); Weft's {@code Available}; and Weft's {@code Remarks} (what the network's driver says
 * people should know, topic to sentence) last, only when there are some.
 *
 * <p>Common to both: as in Docker, a subnet's {@code IPRange}, {@code Gateway} and
 * {@code AuxiliaryAddresses} are left out when not set ({@code omitempty}), while an endpoint's
 * {@code MacAddress}/{@code IPv4Address}/{@code IPv6Address} are "" when it has none; fields Docker
 * only fills for swarm networks ({@code Peers}, {@code Services}) are left out as Docker leaves them
 * out for local ones; containers are keyed by sandbox id as Docker keys them by container id; map
 * keys are sorted as Go's encoder sorts them.
 */
public final class NetworkShapes {
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private NetworkShapes() {}

    /** Weft's {@code network:inspect}: Docker's shape with Weft's additions (see the class comment). */
    public static Map<String, Object> inspect(NetworkInfo n) {
        Map<String, Object> o = head(n);
        o.put("Containers", containers(n, true));
        if (!n.ipamStatus().isEmpty()) {
            o.put("Status", status(n));
        }
        o.put("Options", sorted(n.options()));
        o.put("Labels", sorted(n.labels()));
        o.put("Available", n.available());
        if (!n.remarks().isEmpty()) {
            o.put("Remarks", sorted(n.remarks()));
        }
        return o;
    }

    /** Exactly Docker's {@code GET /networks/{id}} (Engine API 1.50), with its containers. */
    public static Map<String, Object> engine(NetworkInfo n) {
        Map<String, Object> o = head(n);
        o.put("Containers", containers(n, false));
        o.put("Options", sorted(n.options()));
        o.put("Labels", sorted(n.labels()));
        return o;
    }

    /**
     * An element of Docker's {@code GET /networks}: {@link #engine} with {@code Containers} empty,
     * as Docker lists networks since API 1.28.
     */
    public static Map<String, Object> engineSummary(NetworkInfo n) {
        Map<String, Object> o = engine(n);
        o.put("Containers", object());
        return o;
    }

    private static Map<String, Object> head(NetworkInfo n) {
        Map<String, Object> o = object();
        o.put("Name", n.name());
        o.put("Id", n.id());
        o.put("Created", Shapes.time(n.created()));
        o.put("Scope", n.scope());
        o.put("Driver", n.driver());
        o.put("EnableIPv4", n.ipv4());
        o.put("EnableIPv6", n.ipv6());
        o.put("IPAM", ipam(n));
        o.put("Internal", n.internal());
        o.put("Attachable", "global".equals(n.scope())); // every sandbox may join a global network
        o.put("Ingress", false);
        Map<String, Object> configFrom = object();
        configFrom.put("Network", "");
        o.put("ConfigFrom", configFrom);
        o.put("ConfigOnly", false);
        return o;
    }

    private static Map<String, Object> ipam(NetworkInfo n) {
        Map<String, Object> ipam = object();
        ipam.put("Driver", n.ipamDriver());
        ipam.put("Options", sorted(n.ipamOptions()));
        List<Object> config = new ArrayList<>();
        for (SubnetInfo s : n.subnets()) {
            Map<String, Object> c = object();
            c.put("Subnet", s.subnet().toString());
            if (s.ipRange() != null) {
                c.put("IPRange", s.ipRange().toString());
            }
            if (s.gateway() != null) {
                c.put("Gateway", IpAddresses.format(s.gateway()));
            }
            if (!s.auxAddresses().isEmpty()) {
                Map<String, Object> aux = object();
                new TreeMap<>(s.auxAddresses()).forEach((k, v) -> aux.put(k, IpAddresses.format(v)));
                c.put("AuxiliaryAddresses", aux);
            }
            config.add(c);
        }
        ipam.put("Config", config);
        return ipam;
    }

    /**
     * Docker's {@code "Status": {"IPAM": {"Subnets": {SUBNET: {"IPsInUse", "DynamicIPsAvailable"}}}}}
     * (Engine API 1.52), subnets in the network's order; counts saturate at 2<sup>64</sup> - 1 as
     * Docker's {@code uint64}s do (an IPv6 /48 holds more).
     */
    private static Map<String, Object> status(NetworkInfo n) {
        Map<String, Object> subnets = object();
        for (SubnetInfo s : n.subnets()) {
            SubnetStatus st = n.ipamStatus().get(s.subnet());
            if (st != null) {
                Map<String, Object> c = object();
                c.put("IPsInUse", st.ipsInUse().min(UINT64_MAX));
                c.put("DynamicIPsAvailable", st.dynamicIpsAvailable().min(UINT64_MAX));
                subnets.put(s.subnet().toString(), c);
            }
        }
        Map<String, Object> ipam = object();
        ipam.put("Subnets", subnets);
        Map<String, Object> status = object();
        status.put("IPAM", ipam);
        return status;
    }

    /** Keyed by sandbox id, sorted, as Docker keys them by container id. */
    private static Map<String, Object> containers(NetworkInfo n, boolean weft) {
        Map<String, Object> byId = new TreeMap<>();
        for (EndpointInfo e : n.endpoints()) {
            Map<String, Object> c = object();
            c.put("Name", e.sandbox());
            c.put("EndpointID", e.id());
            c.put("MacAddress", string(e.mac()));
            c.put("IPv4Address", string(e.ipv4()));
            c.put("IPv6Address", string(e.ipv6()));
            if (weft) {
                c.put("GwPriority", e.gwPriority());
                c.put("Aliases", Shapes.list(e.aliases()));
                c.put("DNSNames", Shapes.list(e.dnsNames()));
            }
            byId.put(e.sandboxId(), c);
        }
        Map<String, Object> o = object();
        o.putAll(byId);
        return o;
    }
}
