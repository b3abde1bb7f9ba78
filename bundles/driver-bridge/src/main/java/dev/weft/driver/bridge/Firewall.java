package dev.weft.driver.bridge;

import dev.weft.api.PortBinding;
import dev.weft.api.WeftException;
import dev.weft.linux.ConntrackFilter;
import dev.weft.linux.ElementBatch;
import dev.weft.linux.Kernel;
import dev.weft.linux.NftFamily;
import dev.weft.linux.SetKey;
import dev.weft.linux.SetRef;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Weft's nf_tables state for the bridge driver: the structure ({@link FirewallScript}) written
 * through {@code nft -f} when networks come and go, and the per-endpoint and per-port elements
 * written in ONE netlink batch per operation. Remembers what it wrote, so {@link #reapply} can put
 * everything back after another tool flushed the ruleset.
 *
 * <p>Thread-safe: the structure is rewritten under this object's lock; element batches of
 * different endpoints run concurrently (the kernel serialises nf_tables transactions).
 */
final class Firewall {
    private static final Logger LOG = Logger.getLogger(Firewall.class.getName());

    /** One published binding as elements: the map, the key and the data. */
    record Element(SetRef set, SetKey key, SetKey data) {}

    private final Kernel kernel;
    private final String table;
    private final Map<String, FirewallScript.Net> networks = new ConcurrentHashMap<>();
    /** Elements in force per endpoint id (ports and the ICC member), for reapply. */
    private final Map<String, List<Element>> elements = new ConcurrentHashMap<>();

    Firewall(Kernel kernel, String table) {
        this.kernel = kernel;
        this.table = table;
    }

    String table() {
        return table;
    }

    /** Adds or updates a network and rewrites the structure. */
    synchronized void putNetwork(String networkId, FirewallScript.Net net) {
        FirewallScript.Net before = networks.put(networkId, net);
        if (!net.equals(before)) {
            apply();
        }
    }

    /** Removes a network's rules; the tables go when the last network goes. */
    synchronized void removeNetwork(String networkId) {
        if (networks.remove(networkId) == null) {
            return;
        }
        if (networks.isEmpty()) {
            kernel.nftables().deleteTable(NftFamily.INET, table);
            kernel.nftables().deleteTable(NftFamily.BRIDGE, table);
            elements.clear();
            LOG.info("firewall: removed tables inet/bridge " + table + " (no bridge network left)");
        } else {
            apply();
        }
    }

    /** The bridge of every network known, by network id. */
    synchronized Map<String, String> bridges() {
        Map<String, String> out = new java.util.TreeMap<>();
        networks.forEach((id, n) -> out.put(id, n.bridge()));
        return out;
    }

    /** The script for the networks known now (golden documents, tests). */
    synchronized String script() {
        return FirewallScript.render(table, List.copyOf(networks.values()));
    }

    private void apply() {
        kernel.nftables().apply(script());
    }

    /**
     * Writes the structure again and every element this driver holds, in one script and one
     * batch: after another tool flushed or deleted Weft's tables ({@code network:reapply}), and at
     * every start.
     */
    synchronized void reapply() {
        if (networks.isEmpty()) {
            return;
        }
        apply();
        ElementBatch batch = kernel.nftables().elements();
        elements.values().forEach(list -> list.forEach(e -> add(batch, e)));
        batch.commit();
    }

    SetRef set(NftFamily family, String name) {
        return SetRef.of(family, table, name);
    }

    /** The ICC-off member for a host-side veth. */
    Element iccMember(String hostEnd) {
        return new Element(set(NftFamily.BRIDGE, "icc_off_ports"), SetKey.of().ifname(hostEnd), null);
    }

    /**
     * The map elements of one binding to {@code v4}/{@code v6} of an endpoint. A binding without a
     * host address goes to every host address ({@code defaultHost} when the network has
     * {@code host_binding_ipv4}), for IPv4 and, when the endpoint has one, IPv6.
     */
    List<Element> portElements(PortBinding p, InetAddress v4, InetAddress v6, InetAddress defaultHost) {
        int proto = switch (p.protocol()) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "sctp" -> 132;
            default -> throw new WeftException.InvalidRequest("port " + p + ": protocol \"" + p.protocol()
                    + "\" is not supported: use tcp, udp or sctp");
        };
        List<Element> out = new ArrayList<>();
        InetAddress host = p.hostIp() != null ? p.hostIp() : defaultHost;
        if (host == null || host instanceof Inet4Address) {
            boolean any = host == null || host.isAnyLocalAddress();
            if (v4 == null) {
                throw new WeftException.InvalidRequest("port " + p + ": the endpoint has no IPv4 address to publish to");
            }
            SetKey data = SetKey.of().address(v4).port(p.containerPort());
            out.add(any
                    ? new Element(set(NftFamily.INET, "pub_any"), SetKey.of().proto(proto).port(p.hostPort()), data)
                    : new Element(set(NftFamily.INET, "pub_addr"), SetKey.of().address(host).proto(proto).port(p.hostPort()), data));
        }
        // Every address (no host address given) includes the host's IPv6 addresses when the endpoint has one.
        if (host instanceof Inet6Address || (host == null && v6 != null)) {
            boolean any = host == null || host.isAnyLocalAddress();
            if (v6 == null) {
                throw new WeftException.InvalidRequest("port " + p + ": the endpoint has no IPv6 address to publish to");
            }
            SetKey data = SetKey.of().address(v6).port(p.containerPort());
            out.add(any
                    ? new Element(set(NftFamily.INET, "pub6_any"), SetKey.of().proto(proto).port(p.hostPort()), data)
                    : new Element(set(NftFamily.INET, "pub6_addr"), SetKey.of().address(host).proto(proto).port(p.hostPort()), data));
        }
        return out;
    }

    /**
     * An element change in nft notation, e.g. {@code add element inet weft pub_any { tcp . 8080 : 10.1.0.2 . 80 }}:
     * what one netlink element batch does, written for people (golden documents, logs).
     */
    static String describe(String verb, Element e) {
        return verb + " element " + e.set() + " { " + e.key() + (e.data() == null ? "" : " : " + e.data()) + " }";
    }

    /** Adds elements for an endpoint in one batch (a mapping already there is replaced). */
    void addElements(String endpointId, List<Element> add) {
        if (add.isEmpty()) {
            return;
        }
        ElementBatch batch = kernel.nftables().elements();
        add.forEach(e -> add(batch, e));
        batch.commit();
        elements.computeIfAbsent(endpointId, k -> new CopyOnWriteList()).addAll(add);
    }

    /** Removes elements of an endpoint in one batch; absent ones are no error. */
    void removeElements(String endpointId, List<Element> remove) {
        if (remove.isEmpty()) {
            return;
        }
        ElementBatch batch = kernel.nftables().elements();
        remove.forEach(e -> batch.destroy(e.set(), e.key()));
        batch.commit();
        List<Element> held = elements.get(endpointId);
        if (held != null) {
            held.removeAll(remove);
            if (held.isEmpty()) {
                elements.remove(endpointId);
            }
        }
    }

    /** Every element held for an endpoint (to remove them all at leave). */
    List<Element> elementsOf(String endpointId) {
        List<Element> held = elements.get(endpointId);
        return held == null ? List.of() : List.copyOf(held);
    }

    /**
     * Deletes the conntrack entries of published host ports, so an old UDP flow neither keeps
     * its old target nor stays un-NATed (pitfall 6 of the verified ruleset).
     */
    void forgetFlows(List<PortBinding> ports) {
        kernel.conntrack().delete(flowFilters(ports));
    }

    /** The conntrack entries of these published host ports. */
    static List<ConntrackFilter> flowFilters(List<PortBinding> ports) {
        List<ConntrackFilter> out = new ArrayList<>();
        for (PortBinding p : ports) {
            int proto = switch (p.protocol()) {
                case "tcp" -> 6;
                case "udp" -> 17;
                default -> 132;
            };
            out.add(ConntrackFilter.publishedPort(proto, p.hostPort()));
        }
        return out;
    }

    /** The conntrack entries with one of these addresses (nulls skipped) in any tuple: a removed endpoint's. */
    static List<ConntrackFilter> flowFilters(InetAddress... addresses) {
        List<ConntrackFilter> out = new ArrayList<>();
        for (InetAddress a : addresses) {
            if (a != null) {
                out.add(ConntrackFilter.address(a));
            }
        }
        return out;
    }

    private static void add(ElementBatch batch, Element e) {
        if (e.data() == null) {
            batch.add(e.set(), e.key());
        } else {
            batch.replace(e.set(), e.key(), e.data());
        }
    }

    /** A synchronized list (element lists are read by reapply while an endpoint's operation changes them). */
    private static final class CopyOnWriteList extends java.util.concurrent.CopyOnWriteArrayList<Element> {}
}
