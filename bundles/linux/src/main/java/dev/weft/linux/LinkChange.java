package dev.weft.linux;

import dev.weft.net.MacAddress;
/**
 * Changes to an existing link, applied in one request. Unset fields stay as they are.
 */
public final class LinkChange {
    final String name;
    final int index;
    Boolean up;
    Integer mtu;
    MacAddress mac;
    String newName;
    Integer master;
    String masterName;
    String alias;
    Integer group;
    Boolean hairpin;
    boolean noIpv6LinkLocal;
    dev.weft.net.NetNamespace namespace;

    private LinkChange(String name, int index) {
        this.name = name;
        this.index = index;
    }

    /** Changes the link named {@code name}. */
    public static LinkChange of(String name) {
        return new LinkChange(LinkSpec.checkName(name), 0);
    }

    /** Changes the link with index {@code index}. */
    public static LinkChange of(int index) {
        if (index <= 0) {
            throw new IllegalArgumentException("link index " + index + " is not valid: expected a positive index");
        }
        return new LinkChange(null, index);
    }

    public LinkChange up() {
        this.up = true;
        return this;
    }

    public LinkChange down() {
        this.up = false;
        return this;
    }

    public LinkChange mtu(int mtu) {
        this.mtu = LinkSpec.checkMtu(mtu);
        return this;
    }

    public LinkChange mac(MacAddress mac) {
        this.mac = mac;
        return this;
    }

    /**
     * Moves the link into another namespace ({@code IFLA_NET_NS_FD}), with {@link #rename} under its new
     * name there in the same request, so a link of its old name in the target namespace is no
     * obstacle. The kernel flushes its addresses and routes and takes it down on the way; it may get
     * another index there. Address the link by index. Used to hand a sandbox an interface someone
     * else made in the host namespace (a Docker network plugin's), and to give it back.
     */
    public LinkChange moveTo(dev.weft.net.NetNamespace target) {
        this.namespace = java.util.Objects.requireNonNull(target, "target");
        return this;
    }

    /** The namespace to move the link to, or null. */
    public dev.weft.net.NetNamespace namespaceValue() {
        return namespace;
    }

    public LinkChange rename(String newName) {
        this.newName = LinkSpec.checkName(newName);
        return this;
    }

    /** Enslaves to the master with this index. */
    public LinkChange master(int masterIndex) {
        this.master = masterIndex;
        return this;
    }

    /** Enslaves to the named master. */
    public LinkChange master(String masterName) {
        this.masterName = LinkSpec.checkName(masterName);
        return this;
    }

    /** Detaches from its master. */
    public LinkChange noMaster() {
        this.master = 0;
        return this;
    }

    public LinkChange alias(String alias) {
        this.alias = alias;
        return this;
    }

    public LinkChange group(int group) {
        this.group = group;
        return this;
    }

    /**
     * Hairpin mode on the bridge port (traffic may leave the port it came in on: needed for a
     * sandbox to reach its own published port). Sent as a separate message after the others,
     * since the link must already be a bridge port.
     */
    public LinkChange hairpin(boolean on) {
        this.hairpin = on;
        return this;
    }

    /**
     * No IPv6 link-local address (address generation mode "none"), sent as a message of its own
     * before the others, so that a link brought up by this change never gets one. A link that
     * carries no IPv6 (a bridge port, the interface of an IPv4-only endpoint) then sends no
     * duplicate address detection or router solicitation, which a bridge would flood to every
     * port: work that grows with the number of sandboxes on it.
     */
    public LinkChange noIpv6LinkLocal() {
        this.noIpv6LinkLocal = true;
        return this;
    }

    public String name() {
        return name;
    }

    public int index() {
        return index;
    }

    public Boolean upValue() {
        return up;
    }

    public Integer mtuValue() {
        return mtu;
    }

    public MacAddress macValue() {
        return mac;
    }

    public String newName() {
        return newName;
    }

    /** The master index to set (0 detaches), or null. */
    public Integer masterIndex() {
        return master;
    }

    public String masterName() {
        return masterName;
    }

    public String aliasValue() {
        return alias;
    }

    public Integer groupValue() {
        return group;
    }

    public Boolean hairpinValue() {
        return hairpin;
    }

    public boolean noIpv6LinkLocalValue() {
        return noIpv6LinkLocal;
    }

    /** A readable name of the link for messages. */
    public String target() {
        return name != null ? name : "#" + index;
    }
}
