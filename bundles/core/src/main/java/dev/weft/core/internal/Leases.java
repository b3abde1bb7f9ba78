package dev.weft.core.internal;

import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpPrefix;
import dev.weft.spi.IpamRestore;
import java.math.BigInteger;
import java.util.Comparator;
import java.util.logging.Logger;

/**
 * Gives IPAM drivers back the leases the records hold (the records are the one source of truth,
 * docs/architecture.md §7): at start into every IPAM driver present, and later into each one that
 * arrives or returns, before it serves anyone. Each driver gets the leases of the networks it
 * allocated, by name and bundle, and nothing else.
 */
final class Leases {
    private static final Logger LOG = Logger.getLogger(Leases.class.getName());

    private final Inventory inventory;
    private final IpamRegistry ipams;

    Leases(Inventory inventory, IpamRegistry ipams) {
        this.inventory = inventory;
        this.ipams = ipams;
    }

    /**
     * Replays into {@code ipam} the leases of the networks it allocated: their pools (with their
     * options), gateways and auxiliary addresses, their endpoints' addresses, then the cursors
     * ({@link IpamRestore}). Only then does it serve anyone ({@link IpamRegistry#replayed}). Once
     * per registration: a later call for the same one does nothing. A lease the driver refuses is
     * logged and skipped, as at any start.
     */
    void replay(IpamRegistry.Entry ipam) {
        if (!ipams.claimReplay(ipam)) {
            return;
        }
        int count = 0;
        try {
            for (NetworkRecord n : inventory.networks()) {
                if (!ipam.serves(n.ipam())) {
                    continue;
                }
                count++;
                try {
                    Networks.replay(n, ipam);
                } catch (RuntimeException e) {
                    LOG.warning("network " + n.name() + ": cannot take its subnets back from IPAM driver \"" + ipam.name
                            + "\": " + e.getMessage());
                }
                for (EndpointRecord e : inventory.endpoints(x -> x.network().equals(n.id()))) {
                    try {
                        Endpoints.replay(n, e, ipam.driver);
                    } catch (RuntimeException ex) {
                        LOG.warning("endpoint " + e.id().substring(0, 12) + ": cannot take its leases back: "
                                + ex.getMessage());
                    }
                }
            }
            restoreCursors(ipam);
        } finally {
            ipams.replayed(ipam);
        }
        if (count > 0) {
            LOG.info("IPAM driver \"" + ipam.name + "\" of " + ipam.bundle + ": leases of " + count + " network(s) replayed");
        }
    }

    /**
     * Lets IPAM go on after the highest replayed endpoint address of each pool, so an address
     * released just before the restart is not handed out at once (the records keep no order, so
     * the highest address stands in for the last one given).
     */
    private void restoreCursors(IpamRegistry.Entry ipam) {
        if (!(ipam.driver instanceof IpamRestore restore)) {
            return;
        }
        for (NetworkRecord n : inventory.networks()) {
            if (!ipam.serves(n.ipam())) {
                continue;
            }
            for (NetworkRecord.SubnetRecord sub : n.subnets()) {
                IpPrefix prefix = sub.subnet();
                inventory.endpoints(e -> e.network().equals(n.id())).stream()
                        .flatMap(e -> e.addresses().stream()).map(InterfaceAddress::address)
                        .filter(prefix::contains)
                        .max(Comparator.comparing(a -> new BigInteger(1, a.getAddress())))
                        .ifPresent(last -> {
                            try {
                                restore.restoreCursor(sub.pool(), last);
                            } catch (RuntimeException ex) {
                                LOG.warning("network " + n.name() + ": " + ex.getMessage());
                            }
                        });
            }
        }
    }
}
