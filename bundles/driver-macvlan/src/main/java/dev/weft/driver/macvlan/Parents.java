package dev.weft.driver.macvlan;

import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.MacvlanMode;
import dev.weft.linux.Rtnetlink;
import dev.weft.spi.DriverContext;
import dev.weft.spi.NetworkConfig;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The parent interfaces of the driver's networks, in the instance's host namespace: which network
 * uses which parent in which mode (so {@code passthru} keeps a parent to itself, as the kernel
 * would), and the 802.1Q sub-interfaces ({@code -o parent=eth0.10}) Weft makes for them. A
 * sub-interface that exists already is used and never deleted; one Weft made carries the alias
 * {@code weft:<instance>:parent/<name>} and is deleted with the last network that uses it (and by
 * {@code ./weft purge}, which removes the instance's marked links). A parent that is a plain
 * interface is never changed by the driver: what a macvlan link does to it (promiscuous mode,
 * passthru's MAC) the kernel undoes when the link goes.
 */
final class Parents {
    private static final Logger LOG = Logger.getLogger(Parents.class.getName());
    private static final int IFF_LOOPBACK = 0x8;

    /** One network's use of a parent. */
    record Use(String networkName, String parent, MacvlanMode mode) {}

    private final Kernel kernel;
    private final DriverContext context;
    /** Networks created or restored since activation, by id. */
    private final Map<String, Use> uses = new ConcurrentHashMap<>();

    Parents(Kernel kernel, DriverContext context) {
        this.kernel = kernel;
        this.context = context;
    }

    /**
     * Checks, without changing anything, that the parent can carry this network: it (or, for
     * {@code IFACE.VLAN}, the interface under it) exists in the host namespace and is not the
     * loopback; the MTU fits under the parent's; and {@code passthru} shares no parent with another
     * macvlan network of this instance.
     */
    void check(NetworkConfig network, MacvlanOptions o) {
        Rtnetlink host = kernel.host();
        String lower = o.lowerParent();
        Optional<Link> link = host.link(o.parent()).or(() -> o.vlanId() == 0 ? Optional.empty() : host.link(lower));
        if (link.isEmpty()) {
            String missing = o.vlanId() == 0 ? o.parent() : lower;
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": parent interface \"" + missing
                    + "\" does not exist in the host namespace " + kernel.hostNamespace().path() + "; give one of its "
                    + "interfaces with -o " + MacvlanOptions.PARENT + "=IFACE (there: " + candidates(host) + ")");
        }
        Link parent = link.get();
        if ((parent.flags() & IFF_LOOPBACK) != 0) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": " + MacvlanOptions.PARENT + "="
                    + o.parent() + " cannot carry macvlan links: it is the loopback interface; give an Ethernet "
                    + "interface (there: " + candidates(host) + ")");
        }
        if (o.mtu() > parent.mtu()) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": " + MacvlanOptions.MTU + "="
                    + o.mtu() + " is above the MTU of parent \"" + parent.name() + "\" (" + parent.mtu() + "): a macvlan "
                    + "link cannot be larger than its parent; use at most " + parent.mtu() + ", or omit it for the parent's");
        }
        checkExclusive(network, o);
    }

    private void checkExclusive(NetworkConfig network, MacvlanOptions o) {
        for (Map.Entry<String, Use> e : uses.entrySet()) {
            Use other = e.getValue();
            if (e.getKey().equals(network.id()) || !other.parent().equals(o.parent())) {
                continue;
            }
            if (o.mode() == MacvlanMode.PASSTHRU || other.mode() == MacvlanMode.PASSTHRU) {
                String passthru = o.mode() == MacvlanMode.PASSTHRU ? "network \"" + network.name() + "\""
                        : "network \"" + other.networkName() + "\"";
                throw new WeftException.Conflict("network \"" + network.name() + "\": parent \"" + o.parent()
                        + "\" is used by macvlan network \"" + other.networkName() + "\" (" + MacvlanOptions.MODE + "="
                        + name(other.mode()) + "), and " + passthru + " is in passthru mode, which takes a parent "
                        + "for one macvlan link alone (the kernel refuses any other); choose another parent, or another "
                        + MacvlanOptions.MODE + " for both");
            }
        }
    }

    /**
     * Makes the parent ready for a new network and records the use: for {@code IFACE.VLAN} the
     * 802.1Q sub-interface is made (marked as Weft's, up) unless it exists. On this kernel, without
     * 802.1Q support, that fails with a message naming it, and nothing is made.
     */
    void acquire(NetworkConfig network, MacvlanOptions o) {
        synchronized (uses) { // two networks created at once must not both take a parent passthru wants alone
            checkExclusive(network, o);
            uses.put(network.id(), new Use(network.name(), o.parent(), o.mode()));
        }
        try {
            if (o.vlanId() != 0 && kernel.host().link(o.parent()).isEmpty()) {
                createVlan(network, o);
            }
        } catch (RuntimeException e) {
            uses.remove(network.id());
            throw e;
        }
    }

    /** Records a restored network's use; a sub-interface Weft made that is gone is made again. */
    void adopt(NetworkConfig network, MacvlanOptions o) {
        if (o.vlanId() != 0 && kernel.host().link(o.parent()).isEmpty()) {
            createVlan(network, o);
            LOG.info("network " + network.name() + ": VLAN sub-interface " + o.parent() + " was missing; made it again");
        }
        uses.put(network.id(), new Use(network.name(), o.parent(), o.mode()));
    }

    /**
     * Forgets the network's use; the sub-interface goes when Weft made it and no other network
     * uses it any more. A plain parent is left as it is.
     */
    void release(NetworkConfig network, MacvlanOptions o) {
        uses.remove(network.id());
        if (o.vlanId() == 0 || uses.values().stream().anyMatch(u -> u.parent().equals(o.parent()))) {
            return;
        }
        Optional<Link> vlan = kernel.host().link(o.parent());
        if (vlan.isPresent() && mark(o.parent()).equals(vlan.get().alias())) {
            kernel.host().deleteLinkIfExists(o.parent());
            LOG.info("network " + network.name() + ": deleted VLAN sub-interface " + o.parent() + " (its last network)");
        }
    }

    /** The parent's index in the host namespace now (it may have been made again under another). */
    int index(String parent) {
        return kernel.host().index(parent);
    }

    private void createVlan(NetworkConfig network, MacvlanOptions o) {
        Rtnetlink host = kernel.host();
        int lower = host.index(o.lowerParent());
        try {
            host.createLink(LinkSpec.vlan(o.parent(), lower, o.vlanId()).up().alias(mark(o.parent())));
        } catch (KernelException e) {
            if (e.isNotSupported()) {
                throw new WeftException.InvalidRequest("network \"" + network.name() + "\": " + MacvlanOptions.PARENT
                        + "=" + o.parent() + " needs the 802.1Q sub-interface " + o.parent() + " (VLAN " + o.vlanId()
                        + " on " + o.lowerParent() + "), and this kernel has no 802.1Q VLAN support (the kernel "
                        + "refused link type \"vlan\": " + e.errnoName() + "; it needs CONFIG_VLAN_8021Q / module 8021q); "
                        + "use a parent without a VLAN, or a kernel with 802.1Q support");
            }
            throw e;
        }
        LOG.info("network " + network.name() + ": created VLAN sub-interface " + o.parent());
    }

    private String mark(String parent) {
        return context.ownershipMark("parent/" + parent);
    }

    /** The host's interfaces a user could name as a parent. */
    private static String candidates(Rtnetlink host) {
        String names = host.links().stream().filter(l -> (l.flags() & IFF_LOOPBACK) == 0).map(Link::name)
                .sorted().collect(Collectors.joining(", "));
        return names.isEmpty() ? "none but the loopback" : names;
    }

    static String name(MacvlanMode mode) {
        return mode.name().toLowerCase(java.util.Locale.ROOT);
    }
}
