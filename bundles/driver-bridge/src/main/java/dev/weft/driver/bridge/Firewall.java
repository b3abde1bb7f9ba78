package dev.weft.driver.bridge;

import dev.weft.api.PortBinding;
import dev.weft.api.WeftException;
import dev.weft.linux.ConntrackFilter;
import dev.weft.linux.ElementBatch;
import dev.weft.linux.Kernel;
import dev.weft.linux.NftElement;
import dev.weft.linux.NftFamily;
import dev.weft.linux.NftSet;
import dev.weft.linux.SetKey;
import dev.weft.linux.SetRef;
import dev.weft.net.IpPrefix;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Weft's nf_tables state for the bridge driver, the tables part of {@link NftFirewaller}: the
 * structure ({@link FirewallScript}) written through {@code nft -f} when networks come and go, and
 * the per-endpoint and per-port elements written in ONE netlink batch per operation. Remembers what
 * it wrote, so {@link #reapply} can put everything back after another tool flushed the ruleset.
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
    /**
     * Element batches of endpoints run concurrently (read side); {@link #sweep} compares the kernel
     * with what is held and must not see an element committed but not yet held (write side).
     */
    private final ReadWriteLock batches = new ReentrantReadWriteLock();
    /** The maps of published ports and whether their data is IPv4, as the structure declares them. */
    private static final Map<String, Boolean> PORT_MAPS = Map.of("pub_any", true, "pub_addr", true,
            "pub6_any", false, "pub6_addr", false);
    private static final String ICC_SET = "icc_off_ports";
    /** The sets of published ports at the sandbox's own address, and whether their keys are IPv4. */
    private static final Map<String, Boolean> DIRECT_SETS = Map.of("pub_direct", true, "pub6_direct", false);

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
        FirewallScript.Net gone = networks.remove(networkId);
        if (gone == null) {
            return;
        }
        if (networks.isEmpty()) {
            kernel.nftables().deleteTable(NftFamily.INET, table);
            kernel.nftables().deleteTable(NftFamily.BRIDGE, table);
            elements.clear();
            LOG.info("firewall: removed tables inet/bridge " + table + " (no bridge network left)");
        } else {
            apply();
            // a port element into the removed subnets (one a crash left) would send a later
            // network's sandbox on those addresses traffic it never asked for
            for (String removed : sweep(gone.subnets(), null)) {
                LOG.info("firewall: " + removed + ", an element into the removed network " + gone.bridge());
            }
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

    /** The network an endpoint's ports are published on, as the structure was written for it, or null. */
    FirewallScript.Net network(String networkId) {
        return networks.get(networkId);
    }

    /**
     * The elements of one binding to {@code v4}/{@code v6} of an endpoint on {@code net}. A binding
     * without a host address goes to every host address ({@code defaultHost} when the network has
     * {@code host_binding_ipv4}), for IPv4 and, when the endpoint has one, IPv6; an IPv6-only
     * endpoint's to IPv6 only. Per family, as its gateway mode says: a NAT mode maps the host port
     * to the sandbox's ({@code pub_*} maps); routed mode and trusted interfaces open the sandbox's
     * own address and port ({@code pub_direct}, {@code pub6_direct}; routed mode ignores the host
     * address and port, as Docker does).
     */
    List<Element> portElements(PortBinding p, InetAddress v4, InetAddress v6, InetAddress defaultHost,
                               FirewallScript.Net net) {
        int proto = switch (p.protocol()) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "sctp" -> 132;
            default -> throw new WeftException.InvalidRequest("port " + p + ": protocol \"" + p.protocol()
                    + "\" is not supported: use tcp, udp or sctp");
        };
        List<Element> out = new ArrayList<>();
        InetAddress host = p.hostIp() != null ? p.hostIp() : defaultHost;
        // Every address (no host address given): IPv4 when the endpoint has it, and the host's IPv6
        // addresses when the endpoint has IPv6.
        if (host instanceof Inet4Address || (host == null && (v4 != null || v6 == null))) {
            if (v4 == null) {
                throw new WeftException.InvalidRequest("port " + p + ": the endpoint has no IPv4 address to publish to");
            }
            family(out, p, proto, host, v4, false, net);
        }
        if (host instanceof Inet6Address || (host == null && v6 != null)) {
            if (v6 == null) {
                throw new WeftException.InvalidRequest("port " + p + ": the endpoint has no IPv6 address to publish to");
            }
            family(out, p, proto, host, v6, true, net);
        }
        return out;
    }

    /** The elements of one binding in one family: the DNAT mapping, the direct opening, or both. */
    private void family(List<Element> out, PortBinding p, int proto, InetAddress host, InetAddress target, boolean v6,
                        FirewallScript.Net net) {
        boolean any = host == null || host.isAnyLocalAddress();
        if (net == null || net.mode(v6).translated()) {
            SetKey data = SetKey.of().address(target).port(p.containerPort());
            out.add(any
                    ? new Element(set(NftFamily.INET, v6 ? "pub6_any" : "pub_any"), SetKey.of().proto(proto).port(p.hostPort()), data)
                    : new Element(set(NftFamily.INET, v6 ? "pub6_addr" : "pub_addr"),
                            SetKey.of().address(host).proto(proto).port(p.hostPort()), data));
        }
        if (net != null && net.direct(v6)) {
            out.add(new Element(set(NftFamily.INET, v6 ? "pub6_direct" : "pub_direct"),
                    SetKey.of().address(target).proto(proto).port(p.containerPort()), null));
        }
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
        batches.readLock().lock();
        try {
            batch.commit();
            elements.computeIfAbsent(endpointId, k -> new CopyOnWriteList()).addAll(add);
        } finally {
            batches.readLock().unlock();
        }
    }

    /**
     * Removes elements of an endpoint in one batch; absent ones are no error. An element the
     * endpoint holds more often than it is removed here stays in the kernel (two bindings of one
     * endpoint to the same sandbox port share their {@code pub_direct} element).
     */
    void removeElements(String endpointId, List<Element> remove) {
        if (remove.isEmpty()) {
            return;
        }
        List<Element> held = elements.get(endpointId);
        List<Element> left = held == null ? new ArrayList<>() : new ArrayList<>(held);
        ElementBatch batch = kernel.nftables().elements();
        for (Element e : remove) {
            left.remove(e);
            if (!left.contains(e)) {
                batch.destroy(e.set(), e.key());
            }
        }
        batches.readLock().lock();
        try {
            if (!batch.isEmpty()) {
                batch.commit();
            }
            if (held != null) {
                remove.forEach(held::remove);
                if (held.isEmpty()) {
                    elements.remove(endpointId);
                }
            }
        } finally {
            batches.readLock().unlock();
        }
    }

    /**
     * Removes, in one batch, the elements in the kernel that no endpoint this driver holds
     * explains: port mappings whose target address lies in {@code subnets} (a network's, once all
     * its endpoints are restored, or a removed network's) and, unless {@code liveHostEnds} is null,
     * ICC members of host-side veths that are not among {@code liveHostEnds} (their veth is gone).
     * A crash between an element batch and the record that explains it leaves such elements; a
     * later endpoint given the same address would otherwise receive the port's traffic. A key that
     * is held is kept whatever its data ({@link #addElements} replaces the data). Returns what it
     * removed, in nft notation, for the log.
     */
    List<String> sweep(List<IpPrefix> subnets, Set<String> liveHostEnds) {
        batches.writeLock().lock();
        try {
            Set<List<Object>> held = new HashSet<>();
            elements.values().forEach(list -> list.forEach(e -> held.add(List.of(e.set(), e.key()))));
            Predicate<Element> unheld = e -> !held.contains(List.of(e.set(), e.key()));
            List<Element> stale = new ArrayList<>();
            kernel.nftables().read(NftFamily.INET, table).ifPresent(t -> {
                for (NftSet set : t.sets()) {
                    Boolean v4 = PORT_MAPS.get(set.name());
                    Boolean directV4 = DIRECT_SETS.get(set.name());
                    boolean direct = directV4 != null;
                    for (NftElement e : v4 == null && !direct ? List.<NftElement>of() : set.elements()) {
                        Element element = new Element(set(NftFamily.INET, set.name()), e.key(), e.data().orElse(null));
                        InetAddress target = direct ? targetAddress(e.key(), directV4)
                                : e.data().map(d -> targetAddress(d, v4)).orElse(null);
                        if (target != null && unheld.test(element) && subnets.stream().anyMatch(p -> p.contains(target))) {
                            stale.add(element);
                        }
                    }
                }
            });
            if (liveHostEnds != null) {
                kernel.nftables().read(NftFamily.BRIDGE, table).flatMap(t -> t.set(ICC_SET)).ifPresent(set -> {
                    for (NftElement e : set.elements()) {
                        Element element = new Element(set(NftFamily.BRIDGE, ICC_SET), e.key(), null);
                        if (unheld.test(element) && !liveHostEnds.contains(ifname(e.key()))) {
                            stale.add(element);
                        }
                    }
                });
            }
            if (stale.isEmpty()) {
                return List.of();
            }
            ElementBatch batch = kernel.nftables().elements();
            stale.forEach(e -> batch.destroy(e.set(), e.key()));
            batch.commit();
            return stale.stream().map(e -> describe("delete", e)).toList();
        } finally {
            batches.writeLock().unlock();
        }
    }

    /** The sandbox address a port map's data starts with ({@code addr . port}), or null if malformed. */
    private static InetAddress targetAddress(SetKey data, boolean v4) {
        byte[] b = data.bytes();
        int length = v4 ? 4 : 16;
        if (b.length < length) {
            return null;
        }
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOf(b, length));
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** The interface name of an {@code ifname} key (NUL-padded). */
    private static String ifname(SetKey key) {
        byte[] b = key.bytes();
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
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
            if (p.hostPort() == 0) {
                continue; // routed: no host port, no NATed flow
            }
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
