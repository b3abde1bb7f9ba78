package dev.weft.linux;

import dev.weft.linux.internal.Errno;
import dev.weft.linux.internal.LibC;
import dev.weft.linux.internal.NetlinkSocket;
import dev.weft.linux.internal.NlMessage;
import dev.weft.linux.internal.NlMessageBuilder;
import dev.weft.linux.internal.NlReplies;
import dev.weft.linux.internal.RtnetlinkCodec;
import dev.weft.linux.internal.Rtnl;
import dev.weft.linux.internal.Syscalls;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.NetNamespace;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Links, addresses and routes of one network namespace over NETLINK_ROUTE. Obtained from
 * {@link Kernel#host()} (cached, thread-safe) or {@link Kernel#inNamespace} (opened for one unit
 * of work and closed after it: no handle on a sandbox namespace outlives an operation).
 */
public final class Rtnetlink implements AutoCloseable {
    private final NetlinkSocket socket;
    private final boolean ownsSocket;

    Rtnetlink(NetlinkSocket socket, boolean ownsSocket) {
        this.socket = socket;
        this.ownsSocket = ownsSocket;
    }

    /** Collects several requests to send in as few {@code sendto} calls as their order allows. */
    public Batch batch() {
        return new Batch();
    }

    /**
     * The usual start of an endpoint's interface inside a sandbox, as one unsent batch: its
     * ownership alias (when not null) and, for an interface without IPv6, no IPv6 link-local address
     * (so it floods no DAD or router solicitation); its addresses while it is down (IPv6 without DAD);
     * then up, so the kernel announces them as it comes up (arp_notify, ndisc_notify). The caller
     * adds what needs the addresses after a barrier (default routes) and sends it.
     */
    public Batch interfaceUp(int index, String alias, InterfaceAddress ipv4, InterfaceAddress ipv6) {
        LinkChange marked = LinkChange.of(index);
        if (alias != null) {
            marked.alias(alias);
        }
        if (ipv6 == null) {
            marked.noIpv6LinkLocal();
        }
        Batch batch = batch().setLink(marked);
        if (ipv4 != null) {
            batch.addAddress(index, ipv4);
        }
        if (ipv6 != null) {
            batch.addAddress(index, ipv6);
        }
        return batch.barrier().setLink(LinkChange.of(index).up());
    }

    /**
     * Deletes the addresses of the interface {@code name} in one batch, if it is there and carries
     * {@code alias} (ownership): a sandbox being removed keeps its link until its namespace goes (the
     * kernel's destruction, off the user's path), answering for no address meanwhile. Returns whether
     * the interface was found.
     */
    public boolean dropAddresses(String name, String alias, InterfaceAddress ipv4, InterfaceAddress ipv6) {
        Optional<Link> l = link(name).filter(x -> alias.equals(x.alias()));
        if (l.isEmpty()) {
            return false;
        }
        Batch batch = batch();
        if (ipv4 != null) {
            batch.deleteAddress(l.get().index(), ipv4);
        }
        if (ipv6 != null) {
            batch.deleteAddress(l.get().index(), ipv6);
        }
        batch.send();
        return true;
    }

    // ---- links

    /** Creates a link. On failure nothing of it remains. */
    public void createLink(LinkSpec spec) {
        batch().createLink(spec).send();
    }

    public void setLink(LinkChange change) {
        batch().setLink(change).send();
    }

    /** Deletes the named link; fails with ENODEV when it does not exist. */
    public void deleteLink(String name) {
        batch().deleteLink(name).send();
    }

    /** Deletes the named link if it exists; true when it did. */
    public boolean deleteLinkIfExists(String name) {
        try {
            deleteLink(name);
            return true;
        } catch (KernelException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    public Optional<Link> link(String name) {
        LinkSpec.checkName(name);
        return getLink(name, 0);
    }

    public Optional<Link> link(int index) {
        return getLink(null, index);
    }

    /** The index of the named link; ENODEV when there is none. */
    public int index(String name) {
        return link(name).orElseThrow(() -> new KernelException(Errno.ENODEV, "find link", name, null)).index();
    }

    private Optional<Link> getLink(String name, int index) {
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.getLink(b, name, index);
        NlReplies r = socket.exchange(b, "get link", name != null ? name : "#" + index);
        NlReplies.Answer a = r.get(1);
        if (a != null && a.failed()) {
            if (a.errno == Errno.ENODEV || a.errno == Errno.ENOENT) {
                return Optional.empty();
            }
            throw new KernelException(a.errno, "get link", name != null ? name : "#" + index, a.extack);
        }
        List<NlMessage> ms = r.messages(1);
        return ms.isEmpty() ? Optional.empty() : Optional.of(RtnetlinkCodec.decodeLink(ms.get(0)));
    }

    public List<Link> links() {
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.dumpLinks(b);
        NlReplies r = socket.exchange(b, "list links", null);
        r.throwIfFailed("list links", null);
        List<Link> out = new ArrayList<>();
        for (NlMessage m : r.messages(1)) {
            if (m.type() == Rtnl.RTM_NEWLINK) {
                out.add(RtnetlinkCodec.decodeLink(m));
            }
        }
        return out;
    }

    // ---- addresses

    /** Adds an address; IPv6 without duplicate address detection, so it is usable at once. */
    public void addAddress(int linkIndex, InterfaceAddress address) {
        batch().addAddress(linkIndex, address).send();
    }

    public void deleteAddress(int linkIndex, InterfaceAddress address) {
        batch().deleteAddress(linkIndex, address).send();
    }

    /** Every address of the namespace ({@code family} 0 for both, 2 IPv4, 10 IPv6). */
    public List<AddressInfo> addresses(int family) {
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.dumpAddresses(b, family);
        NlReplies r = socket.exchange(b, "list addresses", null);
        r.throwIfFailed("list addresses", null);
        List<AddressInfo> out = new ArrayList<>();
        for (NlMessage m : r.messages(1)) {
            if (m.type() == Rtnl.RTM_NEWADDR) {
                out.add(RtnetlinkCodec.decodeAddress(m));
            }
        }
        return out;
    }

    public List<AddressInfo> addresses() {
        return addresses(0);
    }

    // ---- routes

    public void addRoute(Route route) {
        batch().addRoute(route).send();
    }

    public void deleteRoute(Route route) {
        batch().deleteRoute(route).send();
    }

    /**
     * Makes the default routes through interface {@code device} via each of {@code gateways} what
     * {@code wanted} says, in one batch: a wanted route (a default route via one of the gateways,
     * with its metric) that is missing is added; a default route through the device via one of the
     * gateways that is not wanted is deleted (as the kernel has it). No other route is touched:
     * default routes via other gateways or through other interfaces stay. The way a sandbox's
     * interface gives or stops giving its default route (gw-priority), for every driver that makes
     * one. Returns how many routes changed (nothing is sent for none).
     */
    public int setDefaultRoutes(int device, List<InetAddress> gateways, List<Route> wanted) {
        List<Route> present = routes(0).stream().filter(r -> r.destination().isDefault() && r.device() == device).toList();
        Batch batch = batch();
        int changes = 0;
        for (InetAddress gateway : gateways) {
            Optional<Route> there = present.stream().filter(r -> gateway.equals(r.gateway())).findFirst();
            Optional<Route> want = wanted.stream().filter(r -> gateway.equals(r.gateway())).findFirst();
            if (want.isPresent() && there.isEmpty()) {
                batch.addRoute(want.get());
                changes++;
            } else if (want.isEmpty() && there.isPresent()) {
                batch.deleteRoute(there.get());
                changes++;
            }
        }
        if (changes > 0) {
            batch.send();
        }
        return changes;
    }

    /** Unicast routes of the main table ({@code family} 0 for both). */
    public List<Route> routes(int family) {
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.dumpRoutes(b, family);
        NlReplies r = socket.exchange(b, "list routes", null);
        r.throwIfFailed("list routes", null);
        List<Route> out = new ArrayList<>();
        for (NlMessage m : r.messages(1)) {
            if (m.type() == Rtnl.RTM_NEWROUTE) {
                Route route = RtnetlinkCodec.decodeRoute(m);
                if (route != null) {
                    out.add(route);
                }
            }
        }
        return out;
    }

    // ---- neighbours and forwarding entries

    /** Creates or replaces a neighbour entry ({@code ip neigh replace IP lladdr MAC dev IF nud STATE}). */
    public void replaceNeighbour(Neighbour n) {
        batch().replaceNeighbour(n).send();
    }

    /** Deletes a neighbour entry; succeeds when there is none. */
    public void deleteNeighbour(Neighbour n) {
        batch().deleteNeighbour(n).send();
    }

    /** The IPv4 and IPv6 neighbour entries of link {@code linkIndex} (0: of every link). */
    public List<Neighbour> neighbours(int linkIndex) {
        List<Neighbour> out = new ArrayList<>();
        for (int family : new int[] {Rtnl.AF_INET, Rtnl.AF_INET6}) {
            for (NlMessage m : dump(family, "list neighbours")) {
                Neighbour n = RtnetlinkCodec.decodeNeighbour(m);
                if (n != null && (linkIndex == 0 || n.linkIndex() == linkIndex)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** Creates or replaces a forwarding entry ({@code bridge fdb replace MAC dev IF dst VTEP self permanent}). */
    public void replaceFdb(FdbEntry e) {
        batch().replaceFdb(e).send();
    }

    /** Deletes a forwarding entry (with its {@code dst}: only that remote); succeeds when there is none. */
    public void deleteFdb(FdbEntry e) {
        batch().deleteFdb(e).send();
    }

    /** The forwarding entries of link {@code linkIndex} (0: of every link), its own and its bridge's. */
    public List<FdbEntry> fdb(int linkIndex) {
        List<FdbEntry> out = new ArrayList<>();
        for (NlMessage m : dump(Rtnl.AF_BRIDGE, "list forwarding entries")) {
            FdbEntry e = RtnetlinkCodec.decodeFdb(m);
            if (e != null && (linkIndex == 0 || e.linkIndex() == linkIndex)) {
                out.add(e);
            }
        }
        return out;
    }

    private List<NlMessage> dump(int family, String operation) {
        NlMessageBuilder b = new NlMessageBuilder();
        RtnetlinkCodec.dumpNeighbours(b, family);
        NlReplies r = socket.exchange(b, operation, null);
        r.throwIfFailed(operation, null);
        return r.messages(1).stream().filter(m -> m.type() == Rtnl.RTM_NEWNEIGH).toList();
    }

    @Override
    public void close() {
        if (ownsSocket) {
            socket.close();
        }
    }

    /**
     * Requests sent together. Requests in one stage go in one {@code sendto}; the kernel handles
     * them in order and goes on after a failed one, so a stage is not atomic. {@link #barrier()}
     * starts a new stage that is sent only when every request before it succeeded. The first
     * failure is thrown, naming its operation and object.
     */
    public final class Batch {
        private final List<List<Op>> stages = new ArrayList<>(List.of(new ArrayList<>()));

        /** {@code missingIsFine}: a delete whose object is gone already (ENOENT) counts as done. */
        private record Op(String operation, String object, Encoder encoder, boolean missingIsFine) {}

        @FunctionalInterface
        private interface Encoder {
            void encode(NlMessageBuilder b, Fds fds);
        }

        private Batch add(String operation, String object, Encoder e) {
            stages.get(stages.size() - 1).add(new Op(operation, object, e, false));
            return this;
        }

        private Batch addIdempotentDelete(String operation, String object, Encoder e) {
            stages.get(stages.size() - 1).add(new Op(operation, object, e, true));
            return this;
        }

        /** Requests after this are sent only if every request before it succeeded. */
        public Batch barrier() {
            if (!stages.get(stages.size() - 1).isEmpty()) {
                stages.add(new ArrayList<>());
            }
            return this;
        }

        /**
         * Creates a link (master, MTU, MAC, group, up, and for a veth its peer in its namespace, in
         * one request). An alias is set in a following stage, so it never lands on a link of the
         * same name that existed before.
         */
        public Batch createLink(LinkSpec spec) {
            int master = spec.masterIndex();
            if (master == 0 && spec.masterName() != null) {
                master = index(spec.masterName());
            }
            int masterIndex = master;
            add("create link", spec.name(), (b, fds) -> RtnetlinkCodec.newLink(b, withoutAlias(spec), fds::open, masterIndex));
            if (spec.aliasValue() != null && spec.namespace() == null) {
                barrier();
                setLink(LinkChange.of(spec.name()).alias(spec.aliasValue()));
            }
            return this;
        }

        private LinkSpec withoutAlias(LinkSpec spec) {
            return spec.aliasValue() == null ? spec : spec.copyWithoutAlias();
        }

        public Batch setLink(LinkChange c) {
            int master = -1;
            if (c.masterIndex() != null) {
                master = c.masterIndex();
            } else if (c.masterName() != null) {
                master = index(c.masterName());
            }
            int masterIndex = master;
            return add("change link", c.target(), (b, fds) -> RtnetlinkCodec.setLink(b, c, masterIndex, fds::open));
        }

        public Batch deleteLink(String name) {
            LinkSpec.checkName(name);
            return add("delete link", name, (b, fds) -> RtnetlinkCodec.delLink(b, name, 0));
        }

        public Batch deleteLink(int index) {
            return add("delete link", "#" + index, (b, fds) -> RtnetlinkCodec.delLink(b, null, index));
        }

        public Batch addAddress(int linkIndex, InterfaceAddress a) {
            return add("add address", a + " on link #" + linkIndex, (b, fds) -> RtnetlinkCodec.address(b, true, linkIndex, a));
        }

        public Batch deleteAddress(int linkIndex, InterfaceAddress a) {
            return add("delete address", a + " on link #" + linkIndex, (b, fds) -> RtnetlinkCodec.address(b, false, linkIndex, a));
        }

        public Batch addRoute(Route r) {
            return add("add route", r.toString(), (b, fds) -> RtnetlinkCodec.route(b, true, r));
        }

        public Batch deleteRoute(Route r) {
            return add("delete route", r.toString(), (b, fds) -> RtnetlinkCodec.route(b, false, r));
        }

        public Batch replaceNeighbour(Neighbour n) {
            return add("replace neighbour", describe(n), (b, fds) -> RtnetlinkCodec.neighbour(b, true, n));
        }

        /** Deletes a neighbour entry; one that is not there counts as deleted. */
        public Batch deleteNeighbour(Neighbour n) {
            return addIdempotentDelete("delete neighbour", describe(n), (b, fds) -> RtnetlinkCodec.neighbour(b, false, n));
        }

        public Batch replaceFdb(FdbEntry e) {
            return add("replace forwarding entry", describe(e), (b, fds) -> RtnetlinkCodec.fdb(b, true, e));
        }

        /** Deletes a forwarding entry (with a {@code dst}: only that remote); one that is not there counts as deleted. */
        public Batch deleteFdb(FdbEntry e) {
            return addIdempotentDelete("delete forwarding entry", describe(e), (b, fds) -> RtnetlinkCodec.fdb(b, false, e));
        }

        private static String describe(Neighbour n) {
            return dev.weft.net.IpAddresses.format(n.address()) + " lladdr " + n.mac() + " on link #" + n.linkIndex();
        }

        private static String describe(FdbEntry e) {
            return e.mac() + (e.dst() != null ? " dst " + dev.weft.net.IpAddresses.format(e.dst()) : "") + " on link #"
                    + e.linkIndex();
        }

        /** Sends every stage in order; throws the first failure. */
        public void send() {
            for (List<Op> stage : stages) {
                if (!stage.isEmpty()) {
                    sendStage(stage);
                }
            }
        }

        private void sendStage(List<Op> stage) {
            NlMessageBuilder b = new NlMessageBuilder();
            Map<Integer, Op> bySeq = new HashMap<>();
            try (Fds fds = new Fds()) {
                for (Op op : stage) {
                    int first = b.nextSeq();
                    op.encoder().encode(b, fds);
                    for (int s = first; s < b.nextSeq(); s++) {
                        bySeq.put(s, op);
                    }
                }
                Op head = stage.get(0);
                NlReplies r = socket.exchange(b, head.operation(), head.object());
                for (NlReplies.Answer a : r.all()) {
                    if (a.failed()) {
                        Op op = bySeq.get(a.seq);
                        if (op.missingIsFine() && a.errno == Errno.ENOENT) {
                            continue;
                        }
                        throw new KernelException(a.errno, op.operation(), op.object(), explain(op, a));
                    }
                }
            }
        }

        private String explain(Op op, NlReplies.Answer a) {
            if (op.operation().equals("create link") && a.errno == Errno.EOPNOTSUPP) {
                return (a.extack != null ? a.extack + ": " : "") + "this kernel lacks the link type";
            }
            return a.extack;
        }
    }

    /** Namespace descriptors opened for one send and closed right after it. */
    private static final class Fds implements AutoCloseable {
        private final List<Integer> open = new ArrayList<>();

        int open(NetNamespace ns) {
            try {
                int fd = Syscalls.open(ns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
                open.add(fd);
                return fd;
            } catch (Syscalls.Failure e) {
                throw new KernelException(e.errno(), "open network namespace", ns.path().toString(),
                        e.errno() == Errno.ENOENT ? "the namespace does not exist" : null, e);
            }
        }

        @Override
        public void close() {
            for (int fd : open) {
                try {
                    Syscalls.close(fd);
                } catch (Syscalls.Failure ignored) {
                    // already closed
                }
            }
        }
    }
}
