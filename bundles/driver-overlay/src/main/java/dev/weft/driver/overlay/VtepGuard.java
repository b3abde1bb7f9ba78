package dev.weft.driver.overlay;

import dev.weft.linux.ElementBatch;
import dev.weft.linux.Kernel;
import dev.weft.linux.NftElement;
import dev.weft.linux.NftFamily;
import dev.weft.linux.NftSet;
import dev.weft.linux.NftTable;
import dev.weft.linux.SetKey;
import dev.weft.linux.SetRef;
import dev.weft.net.IpAddresses;
import dev.weft.spi.Discovery;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * VXLAN is neither encrypted nor authenticated: whoever reaches this host's UDP port 4789 could
 * put frames on any overlay segment whose VNI it guesses. This guard, a table of the instance's
 * own in the host namespace ({@code inet <nftTable>_overlay}), drops UDP to the VXLAN port whose
 * source is not the VTEP (underlay address) of a current member of the cluster: sets {@value #V4}
 * and {@value #V6}, a base chain on the input hook at priority filter - 1, nothing else matched.
 *
 * <p>The structure is written with the elements in one {@code nft} transaction (made, re-adopted,
 * rewritten by {@link #reapply}: never a moment with an empty set); afterwards each member that
 * joins or leaves is one element batch over netlink (no process). Members are kept per node id, so
 * an address leaves the set only when no member has it any more.
 *
 * <p>Re-adoption after a restart: the elements found in the table are kept (the tunnels of the
 * hosts already known go on), and those no {@link #join} confirms are removed by {@link #sweep},
 * which the driver runs some time after the first member was announced again.
 *
 * <p>Thread-safe: every method holds the guard's monitor.
 */
final class VtepGuard {
    static final String V4 = "vteps";
    static final String V6 = "vteps6";
    static final String CHAIN = "input";
    private static final Logger LOG = Logger.getLogger(VtepGuard.class.getName());

    private final Kernel kernel;
    private final String table;
    private final int port;
    /** The cluster's other hosts by node id: their VTEPs. */
    private final Map<String, InetAddress> members = new HashMap<>();
    /** VTEPs found in the table at re-adoption that no member has confirmed yet. */
    private final Set<InetAddress> adopted = new LinkedHashSet<>();
    private boolean installed;

    VtepGuard(Kernel kernel, String table, int port) {
        this.kernel = kernel;
        this.table = table;
        this.port = port;
    }

    /** The table's name, {@code <nftTable>_overlay}. */
    static String tableName(String nftTable) {
        return nftTable + "_overlay";
    }

    String table() {
        return table;
    }

    /**
     * The table with {@code vteps} as its elements; an old one of the same name (a killed process's,
     * or one damaged by another tool) is replaced in the same transaction.
     */
    static String script(String table, int port, Set<InetAddress> vteps) {
        return "table inet " + table + " {}\n"
                + "delete table inet " + table + "\n"
                + "table inet " + table + " {\n"
                + "\tset " + V4 + " { type ipv4_addr;" + elements(vteps, true) + " }\n"
                + "\tset " + V6 + " { type ipv6_addr;" + elements(vteps, false) + " }\n"
                + "\tchain " + CHAIN + " {\n"
                + "\t\ttype filter hook input priority filter - 1; policy accept;\n"
                + "\t\tudp dport " + port + " ip saddr != @" + V4 + " counter drop\n"
                + "\t\tudp dport " + port + " ip6 saddr != @" + V6 + " counter drop\n"
                + "\t}\n"
                + "}\n";
    }

    private static String elements(Set<InetAddress> vteps, boolean v4) {
        Set<String> out = new TreeSet<>();
        for (InetAddress a : vteps) {
            if ((a instanceof Inet4Address) == v4) {
                out.add(IpAddresses.format(a));
            }
        }
        return out.isEmpty() ? "" : " elements = { " + String.join(", ", out) + " };";
    }

    /**
     * Makes the table if this guard has not yet: re-adopts one that is there (its VTEPs kept until
     * {@link #sweep}) or writes a new one with the members known so far. Idempotent.
     */
    synchronized void ensure() {
        if (installed) {
            return;
        }
        Optional<NftTable> there = kernel.nftables().read(NftFamily.INET, table);
        there.ifPresent(t -> {
            for (String name : List.of(V4, V6)) {
                t.set(name).map(NftSet::elements).orElse(List.of()).stream().map(VtepGuard::address)
                        .flatMap(Optional::stream).filter(a -> !members.containsValue(a)).forEach(adopted::add);
            }
        });
        write();
        installed = true;
        LOG.info("VXLAN guard: table inet " + table + (there.isPresent() ? " re-adopted" : " made") + ", UDP "
                + port + " accepted from " + wanted().size() + " VTEP(s)"
                + (adopted.isEmpty() ? "" : ", of which " + adopted.size() + " found in the table are to be confirmed"));
    }

    /** Lets {@code node}'s VTEP in (idempotent; a node that changed its address loses the old one). */
    synchronized void join(Discovery.Node node) {
        ensure();
        InetAddress before = members.put(node.id(), node.address());
        adopted.remove(node.address());
        ElementBatch b = kernel.nftables().elements();
        if (before != null && !before.equals(node.address()) && !wanted().contains(before)) {
            b.destroy(set(before), SetKey.of().address(before));
        }
        b.add(set(node.address()), SetKey.of().address(node.address()));
        commit(b, "host " + node.id() + " (" + IpAddresses.format(node.address()) + ") joined");
    }

    /** Drops {@code node}'s VTEP at once, unless another member still has it. Idempotent. */
    synchronized void leave(Discovery.Node node) {
        ensure();
        InetAddress known = members.remove(node.id());
        ElementBatch b = kernel.nftables().elements();
        for (InetAddress a : known == null || known.equals(node.address()) ? List.of(node.address())
                : List.of(known, node.address())) {
            adopted.remove(a);
            if (!wanted().contains(a)) {
                b.destroy(set(a), SetKey.of().address(a));
            }
        }
        commit(b, "host " + node.id() + " (" + IpAddresses.format(node.address()) + ") left");
    }

    /** Removes the re-adopted VTEPs that no member confirmed; returns how many. */
    synchronized int sweep() {
        if (adopted.isEmpty()) {
            return 0;
        }
        List<InetAddress> gone = List.copyOf(adopted);
        adopted.clear();
        ElementBatch b = kernel.nftables().elements();
        gone.forEach(a -> b.destroy(set(a), SetKey.of().address(a)));
        commit(b, "VTEPs of hosts no longer in the cluster removed: " + gone.stream().map(IpAddresses::format).toList());
        LOG.info("VXLAN guard: removed " + gone.size() + " VTEP(s) of hosts no longer in the cluster: "
                + gone.stream().map(IpAddresses::format).toList());
        return gone.size();
    }

    /** Whether VTEPs found at re-adoption still wait for confirmation (a {@link #sweep} is due). */
    synchronized boolean hasUnconfirmed() {
        return !adopted.isEmpty();
    }

    /**
     * Writes the table again, structure and elements in one transaction, from what the guard knows
     * ({@code network:reapply}). Nothing when it has never been made. Idempotent.
     */
    synchronized void reapply() {
        if (installed) {
            write();
        }
    }

    /** The VTEPs let in now: the members' and those re-adopted and not yet swept. */
    synchronized Set<InetAddress> wanted() {
        Set<InetAddress> out = new LinkedHashSet<>(members.values());
        out.addAll(adopted);
        return out;
    }

    private void write() {
        kernel.nftables().apply(script(table, port, wanted()));
    }

    /**
     * Commits; when the kernel refuses because the table is gone (another tool removed it), writes
     * the whole table again from what the guard knows, which includes this change.
     */
    private void commit(ElementBatch b, String what) {
        try {
            b.commit();
        } catch (RuntimeException e) {
            boolean gone;
            try {
                gone = !kernel.nftables().exists(NftFamily.INET, table);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
                gone = false;
            }
            if (!gone) {
                throw new IllegalStateException("VXLAN guard (table inet " + table + "): " + what
                        + ", but the set could not be changed: " + e.getMessage(), e);
            }
            LOG.warning("VXLAN guard: table inet " + table + " was removed by another tool; written again");
            write();
        }
    }

    private SetRef set(InetAddress a) {
        return SetRef.of(NftFamily.INET, table, a instanceof Inet4Address ? V4 : V6);
    }

    private static Optional<InetAddress> address(NftElement e) {
        byte[] b = e.key().bytes();
        if (b.length != 4 && b.length != 16) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(b));
        } catch (UnknownHostException impossible) {
            return Optional.empty();
        }
    }
}
