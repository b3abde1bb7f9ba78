package dev.weft.sample.driver;

import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.Rtnetlink;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.Restorable.RestoredEndpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Re-adopts one network's kernel state when the driver arrives (runtime start, bundle update or
 * reinstall): what exists is kept as it is, what is missing is made again, and veths this instance
 * marked that no endpoint claims any more (a leave a crash interrupted) are removed. Idempotent.
 * One log line per thing fixed; nothing when all was in place.
 */
final class SampleRestore {
    private static final Logger LOG = Logger.getLogger(SampleRestore.class.getName());

    private final SampleDriver driver;
    private final Rtnetlink host;
    private final NetworkConfig network;
    private final SampleOptions options;

    SampleRestore(SampleDriver driver, Rtnetlink host, NetworkConfig network, SampleOptions options) {
        this.driver = driver;
        this.host = host;
        this.network = network;
        this.options = options;
    }

    void run(List<RestoredEndpoint> endpoints) {
        int bridge = adoptOrCreateBridge();
        Set<String> claimed = new HashSet<>();
        for (RestoredEndpoint e : endpoints) {
            String hostEnd = driver.hostEndName(e.endpoint());
            claimed.add(hostEnd);
            restoreEndpoint(e, hostEnd, bridge);
        }
        removeUnclaimedPorts(bridge, claimed);
    }

    /** The bridge's index: the existing bridge (never a second one), or a new one when it is missing. */
    private int adoptOrCreateBridge() {
        String name = driver.bridgeName(network);
        Optional<Link> existing = host.link(name);
        if (existing.isPresent()) {
            driver.requireOwn(existing.get(), network);
            if (!existing.get().isUp()) {
                host.setLink(LinkChange.of(existing.get().index()).up());
                LOG.info("network " + network.name() + ": bridge " + name + " was down; set it up");
            }
            return existing.get().index();
        }
        driver.createNetwork(network, options);
        LOG.info("network " + network.name() + ": bridge " + name + " was missing; created it again");
        return host.index(name);
    }

    private void restoreEndpoint(RestoredEndpoint e, String hostEnd, int bridge) {
        String sandbox = e.sandbox().name();
        Optional<Link> veth = host.link(hostEnd);
        if (veth.isPresent()) {
            if (veth.get().master() != bridge) { // the bridge was made again: its old ports went with the old one
                host.setLink(LinkChange.of(veth.get().index()).master(bridge).up());
                LOG.info("network " + network.name() + ": attached " + hostEnd + " of sandbox " + sandbox + " to bridge "
                        + driver.bridgeName(network) + " again");
            }
        } else if (e.sandbox().namespace().stillThere()) {
            driver.join(network, options, e.endpoint(), e.sandbox());
            LOG.info("network " + network.name() + ": the veth of sandbox " + sandbox + " was missing; plumbed it in again");
        } else {
            LOG.warning("network " + network.name() + ": sandbox " + sandbox + " has lost its namespace "
                    + e.sandbox().namespace().path() + "; nothing to plumb into");
        }
    }

    /** Ports of the bridge carrying this instance's mark that no endpoint claims. */
    private void removeUnclaimedPorts(int bridge, Set<String> claimed) {
        String instanceMark = driver.context().ownershipMark("");
        for (Link link : host.links()) {
            if (link.master() == bridge && link.alias() != null && link.alias().startsWith(instanceMark)
                    && !claimed.contains(link.name())) {
                host.deleteLinkIfExists(link.name());
                LOG.info("network " + network.name() + ": removed " + link.name() + ", a veth no endpoint claims");
            }
        }
    }
}
