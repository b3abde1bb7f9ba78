package dev.weft.core.internal.cluster;

import dev.weft.net.IpAddresses;
import dev.weft.spi.ClusterStore;
import java.net.InetAddress;

/**
 * Where Weft keeps its global state in the cluster store, relative to the instance's cluster
 * prefix (docs/architecture.md §3c). One place, so the layout is written down once.
 */
public final class ClusterKeys {
    /** {@code nodes/NODE}: a host of the cluster, bound to its lease. */
    public static final String NODES = "nodes/";
    /** {@code networks/ID}: a global network's record (JSON, the shape of the state directory's files). */
    public static final String NETWORKS = "networks/";
    /** {@code names/NAME}: the id of the global network of that name (names are unique in the cluster). */
    public static final String NAMES = "names/";
    /** One key: the subnets of every global network (by network id), changed only by compare-and-set. */
    public static final String POOLS = "pools";
    /** {@code ipam/NETWORK/ADDRESS}: an address of a global network in use and who holds it. */
    public static final String IPAM = "ipam/";
    /** {@code endpoints/NETWORK/ENDPOINT}: an endpoint of a global network and its host, bound to that host's lease. */
    public static final String ENDPOINTS = "endpoints/";

    private ClusterKeys() {
    }

    /** The string field {@code name} of a key's JSON value (a claim, an endpoint), or "" when absent or not JSON. */
    public static String field(ClusterStore.KeyValue kv, String name) {
        try {
            com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(kv.text()).getAsJsonObject();
            return o.has(name) ? o.get(name).getAsString() : "";
        } catch (RuntimeException e) {
            return "";
        }
    }

    public static String node(String node) {
        return NODES + node;
    }

    public static String network(String id) {
        return NETWORKS + id;
    }

    public static String name(String name) {
        return NAMES + name;
    }

    public static String addresses(String network) {
        return IPAM + network + "/";
    }

    public static String address(String network, InetAddress a) {
        return addresses(network) + IpAddresses.format(a);
    }

    public static String endpoints(String network) {
        return ENDPOINTS + network + "/";
    }

    public static String endpoint(String network, String endpoint) {
        return endpoints(network) + endpoint;
    }
}
