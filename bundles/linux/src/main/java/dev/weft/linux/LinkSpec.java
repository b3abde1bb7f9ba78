package dev.weft.linux;

import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import java.util.Objects;

/**
 * What to create: a link of a kind with its initial settings. For a veth the peer is created
 * directly inside its namespace under its final name (no move between namespaces: moving costs
 * ~25 ms of kernel time, creating the peer there 0.7 ms). A macvlan or vlan link names its parent
 * (the lower link, {@code IFLA_LINK}) by its index in the namespace of the socket that creates it,
 * and may itself be born in another namespace ({@link #in}).
 */
public final class LinkSpec {
    final String kind;
    final String name;
    Integer mtu;
    MacAddress mac;
    String alias;
    Integer group;
    String master;
    int masterIndex;
    boolean up;
    NetNamespace namespace;
    Peer peer;
    int lowerIndex;
    MacvlanMode macvlanMode;
    Integer vlanId;
    VxlanSettings vxlan;

    /** The other end of a veth pair. */
    public static final class Peer {
        final String name;
        final NetNamespace namespace;
        Integer mtu;
        MacAddress mac;

        private Peer(String name, NetNamespace namespace) {
            this.name = checkName(name);
            this.namespace = namespace;
        }

        public Peer mtu(int mtu) {
            this.mtu = checkMtu(mtu);
            return this;
        }

        public Peer mac(MacAddress mac) {
            this.mac = mac;
            return this;
        }

        public String name() {
            return name;
        }

        public NetNamespace namespace() {
            return namespace;
        }

        public Integer mtuValue() {
            return mtu;
        }

        public MacAddress macValue() {
            return mac;
        }

    }

    private LinkSpec(String kind, String name) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.name = checkName(name);
    }

    /** A link of any kind the kernel knows, e.g. {@code bridge}. */
    public static LinkSpec of(String kind, String name) {
        return new LinkSpec(kind, name);
    }

    public static LinkSpec bridge(String name) {
        return new LinkSpec("bridge", name);
    }

    /** A veth pair: {@code name} here, {@code peer} in {@code peerNamespace} (null: here). */
    public static LinkSpec veth(String name, String peerName, NetNamespace peerNamespace) {
        LinkSpec s = new LinkSpec("veth", name);
        s.peer = new Peer(peerName, peerNamespace);
        return s;
    }

    /**
     * A macvlan link on the parent with index {@code parentIndex} (in the creating socket's
     * namespace), in {@code mode}. Born in that namespace unless {@link #in} names another.
     */
    public static LinkSpec macvlan(String name, int parentIndex, MacvlanMode mode) {
        LinkSpec s = new LinkSpec("macvlan", name);
        s.lowerIndex = checkIndex(parentIndex);
        s.macvlanMode = Objects.requireNonNull(mode, "mode");
        return s;
    }

    /** An 802.1Q link tagging {@code vlanId} (1-4094) on the parent with index {@code parentIndex}. */
    public static LinkSpec vlan(String name, int parentIndex, int vlanId) {
        if (vlanId < 1 || vlanId > 4094) {
            throw new IllegalArgumentException("VLAN id " + vlanId + " is out of range 1-4094");
        }
        LinkSpec s = new LinkSpec("vlan", name);
        s.lowerIndex = checkIndex(parentIndex);
        s.vlanId = vlanId;
        return s;
    }

    /**
     * A vxlan link with {@code vni}, sending from {@code local} (its VTEP; null: any) to UDP port
     * {@code dstPort}, learning remote MACs or not, answering ARP/ND from its neighbour table
     * ({@code proxy}) or not. Its UDP socket belongs to the namespace of the socket that creates it,
     * wherever the link is born ({@link #in}): made by the host namespace's socket straight into a
     * per-network namespace, it tunnels through the host's routes while its frames stay in that
     * namespace (made inside a namespace without a route to the underlay, it comes up but cannot
     * transmit). Without {@link #mtu} the kernel gives it 1500 when it has no {@link #vxlanDevice}.
     */
    public static LinkSpec vxlan(String name, int vni, java.net.InetAddress local, int dstPort, boolean learning,
                                 boolean proxy) {
        if (vni < 1 || vni > VxlanSettings.MAX_VNI) {
            throw new IllegalArgumentException("VNI " + vni + " is out of range 1-" + VxlanSettings.MAX_VNI);
        }
        LinkSpec s = new LinkSpec("vxlan", name);
        s.vxlan = new VxlanSettings(vni, local, dstPort, learning, proxy, 0);
        return s;
    }

    /** The underlay link of a vxlan ({@code IFLA_VXLAN_LINK}, iproute2's {@code dev}), by its index in the creating socket's namespace. */
    public LinkSpec vxlanDevice(int index) {
        if (vxlan == null) {
            throw new IllegalStateException("link \"" + name + "\" is a " + kind + ", not a vxlan");
        }
        vxlan = vxlan.withLowerIndex(checkIndex(index));
        return this;
    }

    public LinkSpec mtu(int mtu) {
        this.mtu = checkMtu(mtu);
        if (peer != null && peer.mtu == null) {
            peer.mtu = mtu;
        }
        return this;
    }

    public LinkSpec mac(MacAddress mac) {
        this.mac = mac;
        return this;
    }

    public LinkSpec alias(String alias) {
        this.alias = alias;
        return this;
    }

    public LinkSpec group(int group) {
        this.group = group;
        return this;
    }

    /** Enslaves the new link to the named master (e.g. a bridge) at creation. */
    public LinkSpec master(String master) {
        this.master = master;
        return this;
    }

    /** Enslaves the new link to the master with this index at creation (saves a lookup). */
    public LinkSpec master(int index) {
        this.masterIndex = index;
        return this;
    }

    public LinkSpec up() {
        this.up = true;
        return this;
    }

    public int masterIndex() {
        return masterIndex;
    }

    /** The same spec without an alias (the alias is set by a separate request). */
    public LinkSpec copyWithoutAlias() {
        LinkSpec c = new LinkSpec(kind, name);
        c.mtu = mtu;
        c.mac = mac;
        c.group = group;
        c.master = master;
        c.masterIndex = masterIndex;
        c.up = up;
        c.namespace = namespace;
        c.peer = peer;
        c.lowerIndex = lowerIndex;
        c.macvlanMode = macvlanMode;
        c.vlanId = vlanId;
        c.vxlan = vxlan;
        return c;
    }

    /** Creates the link inside {@code ns} instead of the socket's namespace. */
    public LinkSpec in(NetNamespace ns) {
        this.namespace = ns;
        return this;
    }

    /** The veth peer, to configure it (mtu, mac, up); null for other kinds. */
    public Peer peer() {
        return peer;
    }

    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public Integer mtuValue() {
        return mtu;
    }

    public MacAddress macValue() {
        return mac;
    }

    public String aliasValue() {
        return alias;
    }

    public Integer groupValue() {
        return group;
    }

    public String masterName() {
        return master;
    }

    public boolean isUp() {
        return up;
    }

    /** The parent's index ({@code IFLA_LINK}) of a macvlan or vlan link, else 0. */
    public int lowerIndex() {
        return lowerIndex;
    }

    /** The mode of a macvlan link, else null. */
    public MacvlanMode macvlanModeValue() {
        return macvlanMode;
    }

    /** The VLAN id of a vlan link, else null. */
    public Integer vlanIdValue() {
        return vlanId;
    }

    /** The settings of a vxlan link, else null. */
    public VxlanSettings vxlanValue() {
        return vxlan;
    }

    /** The namespace to create the link in, or null for the socket's own. */
    public NetNamespace namespace() {
        return namespace;
    }

    private static int checkIndex(int index) {
        if (index <= 0) {
            throw new IllegalArgumentException("parent link index " + index + " is not valid: it must be positive");
        }
        return index;
    }

    static int checkMtu(int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " is out of range 68-65535");
        }
        return mtu;
    }

    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c <= ' ' || c == '/' || c == ':' || c > 126)) {
            throw new IllegalArgumentException("link name \"" + name
                    + "\" is not valid: use 1-15 printable characters without '/', ':' or spaces");
        }
        return name;
    }
}
