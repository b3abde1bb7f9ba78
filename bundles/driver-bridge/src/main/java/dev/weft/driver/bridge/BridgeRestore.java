package dev.weft.driver.bridge;

import dev.weft.api.SubnetInfo;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.Restorable.RestoredEndpoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Re-adopts one network's kernel state (runtime start, bundle update): the bridge and veths that
 * exist are kept, missing ones are made again, veths carrying this network's mark that no
 * endpoint claims (a leave whose delete a crash interrupted) are removed, and the firewall's
 * structure and elements for the network are written again (the structure script is
 * idempotent; elements are replaced). One log line per thing fixed.
 */
final class BridgeRestore {
    private static final Logger LOG = Logger.getLogger(BridgeRestore.class.getName());

    private final BridgeDriver driver;
    private final Rtnetlink host;
    private final NetworkConfig network;
    private final BridgeOptions options;
    private final String bridge;

    BridgeRestore(BridgeDriver driver, NetworkConfig network, BridgeOptions options) {
        this.driver = driver;
        this.host = driver.kernel().host();
        this.network = network;
        this.options = options;
        this.bridge = driver.bridgeName(network, options);
    }

    void run(List<RestoredEndpoint> endpoints) {
        int index = adoptOrCreateBridge();
        Set<String> claimed = new HashSet<>();
        for (RestoredEndpoint e : endpoints) {
            String hostEnd = driver.hostEndName(e.endpoint());
            claimed.add(hostEnd);
            restoreEndpoint(e, hostEnd, index);
        }
        Set<String> live = removeUnclaimed(claimed);
        // after every endpoint of the network is published again: what no endpoint explains is stale
        List<IpPrefix> subnets = network.subnets().stream().map(SubnetInfo::subnet).toList();
        for (String removed : driver.firewall().sweep(subnets, live)) {
            LOG.info("network " + network.name() + ": " + removed + ", an element no endpoint claims");
        }
    }

    private int adoptOrCreateBridge() {
        Optional<Link> existing = host.link(bridge);
        if (existing.isEmpty()) {
            driver.createNetwork(network, options);
            LOG.info("network " + network.name() + ": bridge " + bridge + " was missing; created it again");
            return host.index(bridge);
        }
        // createNetwork adopts an existing bridge: it adds only missing gateways, sets it up, and
        // writes the (idempotent) firewall structure and sysctls.
        driver.createNetwork(network, options);
        return existing.get().index();
    }

    private void restoreEndpoint(RestoredEndpoint e, String hostEnd, int bridgeIndex) {
        String sandbox = e.sandbox().name();
        Optional<Link> veth = host.link(hostEnd);
        if (veth.isPresent()) {
            if (veth.get().master() != bridgeIndex || !veth.get().isUp()) {
                host.setLink(LinkChange.of(veth.get().index()).master(bridgeIndex).up());
                host.setLink(LinkChange.of(veth.get().index()).hairpin(true));
                LOG.info("network " + network.name() + ": attached " + hostEnd + " of sandbox " + sandbox + " to "
                        + bridge + " again");
            }
            driver.firewall().addEndpoint(e.endpoint(), hostEnd, options.icc());
        } else if (e.sandbox().namespace().stillThere()) {
            driver.join(network, options, e.endpoint(), e.sandbox());
            LOG.info("network " + network.name() + ": the veth of sandbox " + sandbox + " was missing; plumbed it in again");
        } else {
            LOG.warning("network " + network.name() + ": sandbox " + sandbox + " has lost its namespace "
                    + e.sandbox().namespace().path() + "; nothing to plumb into");
            return;
        }
        if (!e.ports().isEmpty()) {
            driver.republish(network, options, e.endpoint(), new ArrayList<>(e.ports()));
        }
    }

    /**
     * Removes veths with this network's mark that no endpoint claims (attached or already
     * detached); returns the names of the host's links that remain.
     */
    private Set<String> removeUnclaimed(Set<String> claimed) {
        String mark = driver.context().ownershipMark(network.id() + "/");
        Set<String> live = new HashSet<>();
        for (Link link : host.links()) {
            if (link.alias() != null && link.alias().startsWith(mark) && !claimed.contains(link.name())) {
                host.deleteLinkIfExists(link.name());
                LOG.info("network " + network.name() + ": removed " + link.name() + ", a veth no endpoint claims");
            } else {
                live.add(link.name());
            }
        }
        return live;
    }
}
