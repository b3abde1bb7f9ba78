package dev.weft.linux;

import dev.weft.linux.internal.CtnetlinkCodec;
import dev.weft.linux.internal.Errno;
import dev.weft.linux.internal.NamespaceRunner;
import dev.weft.linux.internal.Netlink;
import dev.weft.linux.internal.NetlinkSocket;
import dev.weft.linux.internal.NlMessage;
import dev.weft.linux.internal.NlMessageBuilder;
import dev.weft.linux.internal.NlReplies;
import dev.weft.net.NetNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The conntrack table of the host namespace, through ctnetlink. When an endpoint or a published
 * port goes away its entries must go too, or established UDP flows keep their old NAT mapping and
 * keep reaching the removed sandbox (CNI's portmap deletes them for the same reason).
 *
 * <p>The kernel's flush cannot take a tuple filter, so {@link #delete} dumps, matches in Java and
 * deletes each matching entry by its original tuple, all deletes in one {@code sendto} (one per
 * 1024 entries beyond that, so their acks fit the receive buffer). Thread-safe;
 * the socket is opened inside the host namespace on first use and kept until {@link #close()}.
 */
public final class Conntrack implements AutoCloseable {
    /** Deletes per sendto: their acks must fit the socket's receive buffer (each ack skb costs ~1 KiB). */
    private static final int DELETES_PER_SEND = 1024;
    private static final int[] FAMILIES = {ConntrackEntry.AF_INET, ConntrackEntry.AF_INET6};

    private final NetNamespace hostNs;
    private final NamespaceRunner runner;
    private NetlinkSocket socket;
    private boolean closed;
    /** Cleared when the kernel refuses CTA_FILTER in a dump; unfiltered dumps are then used. */
    private volatile boolean kernelFilter = true;

    Conntrack(NetNamespace hostNs, NamespaceRunner runner) {
        this.hostNs = Objects.requireNonNull(hostNs, "hostNs");
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /** Every entry of the host namespace, IPv4 then IPv6. */
    public List<ConntrackEntry> list() {
        List<ConntrackEntry> out = new ArrayList<>();
        for (int family : FAMILIES) {
            out.addAll(dump(family, null));
        }
        return out;
    }

    /** The entries {@code filter} matches. */
    public List<ConntrackEntry> list(ConntrackFilter filter) {
        Objects.requireNonNull(filter, "filter");
        List<ConntrackEntry> out = new ArrayList<>();
        for (int family : FAMILIES) {
            if (filter.family().isEmpty() || filter.family().getAsInt() == family) {
                for (ConntrackEntry e : dump(family, filter)) {
                    if (filter.matches(e)) {
                        out.add(e);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Deletes the entries {@code filter} matches and returns how many the kernel deleted. Entries
     * that vanish between the dump and the delete (expired, or deleted by someone else) are not
     * counted and are no error. Every matching entry is tried; the first failure is thrown after.
     *
     * @throws IllegalArgumentException when the filter names no address, port or reply source:
     *         it would delete every flow of a family or protocol, the machine's own included
     */
    public int delete(ConntrackFilter filter) {
        Objects.requireNonNull(filter, "filter");
        if (!filter.isSelective()) {
            throw new IllegalArgumentException("refusing to delete conntrack entries by \"" + filter
                    + "\" alone: it would delete every such flow of the host; add an address, an original"
                    + " destination port or a reply source");
        }
        return delete(list(filter), filter.toString());
    }

    /**
     * Deletes the entries any of {@code filters} matches, with as few walks of the kernel's
     * conntrack table as it takes: a dump walks the whole table (shared by all namespaces) whatever
     * it returns, so from {@link #COALESCE_FROM} filters on, one unfiltered dump per family is
     * matched here against all of them instead of one kernel-filtered dump per filter.
     *
     * @throws IllegalArgumentException when a filter is not selective (see {@link #delete(ConntrackFilter)})
     */
    public int delete(java.util.Collection<ConntrackFilter> filters) {
        List<ConntrackFilter> all = List.copyOf(new java.util.LinkedHashSet<>(filters));
        for (ConntrackFilter f : all) {
            if (!f.isSelective()) {
                throw new IllegalArgumentException("refusing to delete conntrack entries by \"" + f
                        + "\" alone: it would delete every such flow of the host");
            }
        }
        if (all.size() < COALESCE_FROM) {
            int deleted = 0;
            for (ConntrackFilter f : all) {
                deleted += delete(f);
            }
            return deleted;
        }
        java.util.Set<ConntrackEntry> doomed = new java.util.LinkedHashSet<>();
        for (int family : FAMILIES) {
            List<ConntrackFilter> here = all.stream()
                    .filter(f -> f.family().isEmpty() || f.family().getAsInt() == family).toList();
            if (here.isEmpty()) {
                continue;
            }
            for (ConntrackEntry e : dump(family, null)) {
                if (here.stream().anyMatch(f -> f.matches(e))) {
                    doomed.add(e);
                }
            }
        }
        return delete(List.copyOf(doomed), all.size() + " filters");
    }

    /** From this many filters on, {@link #delete(java.util.Collection)} walks the table once per family. */
    public static final int COALESCE_FROM = 3;

    /** Deletes these entries (by original tuple and zone); ENOENT counts as already gone. */
    int delete(List<ConntrackEntry> doomed, String what) {
        int deleted = 0;
        List<KernelException> failures = new ArrayList<>();
        for (int from = 0; from < doomed.size(); from += DELETES_PER_SEND) {
            List<ConntrackEntry> chunk = doomed.subList(from, Math.min(doomed.size(), from + DELETES_PER_SEND));
            NlMessageBuilder b = new NlMessageBuilder();
            for (ConntrackEntry e : chunk) {
                CtnetlinkCodec.deleteRequest(b, e);
            }
            NlReplies replies = socket().exchange(b, "delete conntrack entries", what);
            List<NlMessageBuilder.Message> sent = b.messages();
            for (int i = 0; i < sent.size(); i++) {
                NlReplies.Answer a = replies.get(sent.get(i).seq());
                if (a != null && !a.failed()) {
                    deleted++;
                } else if (a != null && a.errno != Errno.ENOENT) {
                    failures.add(new KernelException(a.errno, "delete conntrack entry", chunk.get(i).toString(), a.extack));
                }
            }
        }
        if (!failures.isEmpty()) {
            KernelException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
        return deleted;
    }

    private List<ConntrackEntry> dump(int family, ConntrackFilter filter) {
        String what = family == ConntrackEntry.AF_INET ? "IPv4" : "IPv6";
        boolean filtered = filter != null && kernelFilter;
        NlMessageBuilder b = new NlMessageBuilder();
        CtnetlinkCodec.dumpRequest(b, family, filtered ? filter : null);
        NlReplies replies = socket().exchange(b, "dump conntrack table", what + " of " + hostNs);
        NlReplies.Answer a = replies.get(b.messages().get(0).seq());
        if (filtered && a != null && (a.errno == Errno.EINVAL || a.errno == Errno.EOPNOTSUPP)) {
            kernelFilter = false; // a kernel without (or with a stricter) CTA_FILTER: match everything in Java
            return dump(family, null);
        }
        replies.throwIfFailed("dump conntrack table", what + " of " + hostNs);
        List<ConntrackEntry> out = new ArrayList<>();
        for (NlMessage m : replies.messages(b.messages().get(0).seq())) {
            ConntrackEntry e = CtnetlinkCodec.decode(m);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    private synchronized NetlinkSocket socket() {
        if (closed) {
            throw new IllegalStateException("conntrack of " + hostNs + " is closed");
        }
        if (socket == null) {
            socket = runner.call(hostNs, () -> NetlinkSocket.open(Netlink.NETLINK_NETFILTER));
        }
        return socket;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
