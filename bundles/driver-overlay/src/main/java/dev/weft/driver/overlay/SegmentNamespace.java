package dev.weft.driver.overlay;

import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.Rtnetlink;
import dev.weft.linux.VxlanSettings;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.NetNamespace;
import dev.weft.spi.NetworkConfig;
import dev.weft.api.SubnetInfo;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The per-network namespace on this host ({@code <link prefix>ov-<network short id>} in the
 * instance's namespace directory), as libnetwork's overlay makes it: {@code lo} up; the bridge
 * {@value #BRIDGE} with the subnets' gateway addresses; {@value #VXLAN}, made by the host
 * namespace's socket straight into it ({@code nolearning proxy}, local = this host's VTEP, UDP port
 * {@value #PORT}) so that its UDP socket is the host's and its frames stay here, enslaved to the
 * bridge. Both carry the ownership mark {@code weft:<instance>:<network id>}. Overlapping subnets
 * of different networks never meet, the host gets no route to any overlay, and teardown is the
 * deletion of one namespace.
 */
final class SegmentNamespace {
    static final String BRIDGE = "br0";
    static final String VXLAN = "vxlan0";
    static final int PORT = VxlanSettings.IANA_PORT;
    /** How long a vxlan link waits for its VNI to be freed by a namespace being destroyed. */
    private static final long VNI_RELEASE_WAIT_NANOS = 2_000_000_000L;
    private static final Logger LOG = Logger.getLogger(SegmentNamespace.class.getName());

    private SegmentNamespace() {}

    /** {@code <link prefix>ov-}: what the names of this instance's per-network namespaces start with. */
    static String prefix(String linkPrefix) {
        return linkPrefix + "ov-";
    }

    static String name(String linkPrefix, NetworkConfig network) {
        return prefix(linkPrefix) + network.shortId();
    }

    /**
     * With br_netfilter loaded (Docker's hosts, this one), every frame a bridge forwards is also
     * handed to the IP hooks of its namespace (the sysctls default to 1 in a new namespace): ~10 % of
     * the overlay's throughput here, for nothing, since no rule lives in this namespace. Turned off
     * in it (the host's and the sandboxes' stay as they are); nothing when the module is not loaded.
     */
    static final java.util.Map<String, String> BRIDGED_WITHOUT_NETFILTER =
            java.nio.file.Files.exists(java.nio.file.Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables"))
                    ? orderedMap("net.bridge.bridge-nf-call-iptables", "0", "net.bridge.bridge-nf-call-ip6tables", "0",
                    "net.bridge.bridge-nf-call-arptables", "0")
                    : java.util.Map.of();

    private static java.util.Map<String, String> orderedMap(String... kv) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Makes the namespace with its bridge and vxlan link, all up; on failure deletes what it made
     * and throws. Checks that the vxlan link is where it belongs and its socket is not.
     */
    static NetNamespace create(Kernel kernel, String name, Segment s, InetAddress vtep, String mark) {
        NetNamespace ns = kernel.namespaces().create(name);
        try {
            kernel.inNamespace(ns, BRIDGED_WITHOUT_NETFILTER, rt -> {
                rt.setLink(LinkChange.of("lo").up());
                makeBridge(rt, s, mark);
                return null;
            });
            makeVxlan(kernel, ns, s, vtep, mark);
            return ns;
        } catch (RuntimeException e) {
            try {
                kernel.namespaces().delete(name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void makeBridge(Rtnetlink rt, Segment s, String mark) {
        LinkSpec bridge = LinkSpec.bridge(BRIDGE).mtu(s.mtu).alias(mark);
        rt.createLink(bridge);
        int index = rt.index(BRIDGE);
        LinkChange up = LinkChange.of(index).up();
        var batch = rt.batch();
        if (!s.network.ipv6()) {
            batch.setLink(LinkChange.of(index).noIpv6LinkLocal());
        }
        for (InterfaceAddress gateway : gateways(s.network)) {
            batch.addAddress(index, gateway);
        }
        batch.barrier().setLink(up).send();
    }

    /** The gateway of each subnet with the subnet's prefix length: what br0 holds. */
    static List<InterfaceAddress> gateways(NetworkConfig network) {
        List<InterfaceAddress> out = new ArrayList<>();
        for (SubnetInfo subnet : network.subnets()) {
            if (subnet.gateway() != null) {
                out.add(new InterfaceAddress(subnet.gateway(), subnet.subnet().length()));
            }
        }
        return out;
    }

    private static void makeVxlan(Kernel kernel, NetNamespace ns, Segment s, InetAddress vtep, String mark) {
        LinkSpec spec = LinkSpec.vxlan(VXLAN, s.vni(), vtep, PORT, false, true).mtu(s.mtu).in(ns);
        long deadline = System.nanoTime() + VNI_RELEASE_WAIT_NANOS;
        while (true) {
            try {
                kernel.host().createLink(spec);
                break;
            } catch (KernelException e) {
                // EEXIST: a vxlan of this VNI and port in the host's table, maybe of a namespace the
                // kernel is still destroying (it does so asynchronously): wait for it, briefly
                if (!e.isExists() || System.nanoTime() > deadline) {
                    throw refusedVxlan(kernel, s, e);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw refusedVxlan(kernel, s, e);
                }
            }
        }
        kernel.inNamespace(ns, rt -> {
            Link vx = rt.link(VXLAN).orElseThrow(() -> new WeftException.Failed("network \"" + s.network.name()
                    + "\": its vxlan link was made but is not in namespace " + ns.path(), null));
            if (vx.peerNetnsId() < 0) {
                throw new WeftException.Failed("network \"" + s.network.name() + "\": its vxlan link has its UDP "
                        + "socket in the per-network namespace " + ns.path() + ", which has no route to the "
                        + "underlay; it must be made from the host namespace", null);
            }
            int bridge = rt.index(BRIDGE);
            rt.batch().setLink(LinkChange.of(vx.index()).alias(mark).noIpv6LinkLocal())
                    .setLink(LinkChange.of(vx.index()).master(bridge).up()).send();
            return null;
        });
    }

    private static RuntimeException refusedVxlan(Kernel kernel, Segment s, KernelException e) {
        if (!e.isExists()) {
            return e;
        }
        return (RuntimeException) new WeftException.Conflict("network \"" + s.network.name() + "\": the kernel refused "
                + "its vxlan link with VNI " + s.vni() + " on UDP port " + PORT + " (" + e.getMessage() + "): another "
                + "vxlan link made from the host namespace " + kernel.hostNamespace().path() + " has that VNI and port "
                + "(made outside Weft, or by another instance): remove it, or use another VNI").initCause(e);
    }

    /**
     * Repairs an existing namespace (restore): a missing bridge is made again; a vxlan link that is
     * missing, not this network's (other VNI or flags) or has its socket in the wrong place is made
     * again; both are put back up and together. Returns a description of what it fixed (empty: nothing).
     */
    static List<String> repair(Kernel kernel, NetNamespace ns, Segment s, InetAddress vtep, String mark) {
        List<String> fixed = new ArrayList<>();
        VxlanSettings want = new VxlanSettings(s.vni(), vtep, PORT, false, true, 0);
        boolean vxlanKept = kernel.inNamespace(ns, BRIDGED_WITHOUT_NETFILTER, rt -> {
            rt.setLink(LinkChange.of("lo").up());
            if (rt.link(BRIDGE).isEmpty()) {
                makeBridge(rt, s, mark);
                fixed.add("made bridge " + BRIDGE + " again");
            }
            Optional<Link> vx = rt.link(VXLAN);
            if (vx.isPresent() && want.equals(vx.get().vxlan()) && vx.get().peerNetnsId() >= 0) {
                rt.batch().setLink(LinkChange.of(vx.get().index()).master(rt.index(BRIDGE)).up()).send();
                return true;
            }
            if (vx.isPresent()) {
                rt.deleteLinkIfExists(VXLAN);
                fixed.add("deleted " + VXLAN + " (" + vx.get().vxlan() + ", socket in namespace id "
                        + vx.get().peerNetnsId() + "), not VNI " + s.vni() + " nolearning proxy from the host");
            }
            return false;
        });
        if (!vxlanKept) {
            makeVxlan(kernel, ns, s, vtep, mark);
            fixed.add("made " + VXLAN + " (VNI " + s.vni() + ") again");
        }
        return fixed;
    }

    /** The index of the vxlan link in the namespace. */
    static int vxlanIndex(Rtnetlink rt) {
        return rt.index(VXLAN);
    }

    /** Whether the namespace is this instance's (its bridge or vxlan link carries a mark of it) and for which network. */
    static Optional<String> ownerNetwork(Kernel kernel, NetNamespace ns, String instanceMarkPrefix) {
        return kernel.inNamespace(ns, rt -> rt.links().stream()
                .filter(l -> l.alias() != null && l.alias().startsWith(instanceMarkPrefix)
                        && (BRIDGE.equals(l.name()) || VXLAN.equals(l.name())))
                .map(l -> l.alias().substring(instanceMarkPrefix.length())).findFirst());
    }

    /** Whether the namespace holds no link but the loopback (a creation cut short). */
    static boolean empty(Kernel kernel, NetNamespace ns) {
        return kernel.inNamespace(ns, rt -> rt.links().stream().allMatch(l -> "lo".equals(l.name())));
    }

    /**
     * Deletes the namespace. Its vxlan link is deleted first, synchronously: the kernel destroys a
     * namespace's links asynchronously, and until then the link's VNI stays taken in the host's
     * table, so a network made again at once could not have it. Idempotent.
     */
    static void delete(Kernel kernel, String name) {
        Optional<NetNamespace> ns = kernel.namespaces().get(name);
        if (ns.isPresent()) {
            try {
                kernel.inNamespace(ns.get(), rt -> rt.deleteLinkIfExists(VXLAN));
            } catch (KernelException e) {
                LOG.fine("namespace " + name + ": could not delete " + VXLAN + " first: " + e.getMessage());
            }
        }
        kernel.namespaces().delete(name);
        LOG.fine("deleted namespace " + name);
    }

    static String describe(InetAddress vtep) {
        return IpAddresses.format(vtep);
    }
}
