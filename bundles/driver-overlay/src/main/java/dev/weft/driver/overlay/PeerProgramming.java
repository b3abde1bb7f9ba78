package dev.weft.driver.overlay;

import dev.weft.linux.FdbEntry;
import dev.weft.linux.Neighbour;
import dev.weft.linux.Rtnetlink;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.spi.Peers.Peer;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The remote endpoints as the kernel needs them on {@code vxlan0} (made {@code nolearning proxy}):
 * per peer a forwarding entry {@code MAC dst VTEP self permanent} and per address a neighbour entry
 * {@code IP lladdr MAC nud permanent} (the link answers the sandboxes' ARP and neighbour
 * solicitations from these; nothing is flooded to other hosts). Each change is one netlink batch
 * inside the per-network namespace: no process per peer.
 */
final class PeerProgramming {
    private PeerProgramming() {}

    /** Adds or moves {@code peers} (replace: idempotent, and a new VTEP for a MAC takes over). */
    static void program(Rtnetlink rt, int vxlan, Collection<Peer> peers) {
        if (peers.isEmpty()) {
            return;
        }
        Rtnetlink.Batch batch = rt.batch();
        for (Peer p : peers) {
            for (InterfaceAddress a : p.addresses()) {
                batch.replaceNeighbour(Neighbour.permanent(vxlan, a.address(), p.mac()));
            }
            batch.replaceFdb(FdbEntry.toVtep(vxlan, p.mac(), p.vtep()));
        }
        batch.send();
    }

    /**
     * Removes what {@code gone} needed and none of {@code remaining} does (two peers may share a MAC,
     * as Docker allows, or an address while one replaces the other); a missing entry is no error.
     */
    static void unprogram(Rtnetlink rt, int vxlan, Peer gone, Collection<Peer> remaining) {
        Set<MacAddress> macs = new HashSet<>();
        Set<InetAddress> addresses = new HashSet<>();
        for (Peer p : remaining) {
            macs.add(p.mac());
            p.addresses().forEach(a -> addresses.add(a.address()));
        }
        Rtnetlink.Batch batch = rt.batch();
        for (InterfaceAddress a : gone.addresses()) {
            if (!addresses.contains(a.address())) {
                batch.deleteNeighbour(Neighbour.permanent(vxlan, a.address(), gone.mac()));
            }
        }
        if (!macs.contains(gone.mac())) {
            batch.deleteFdb(new FdbEntry(vxlan, gone.mac(), null, 0, FdbEntry.NTF_SELF));
        }
        batch.send();
    }

    /**
     * Makes the link's permanent entries exactly those of {@code peers}: reads back its forwarding
     * and neighbour entries, deletes the permanent ones no peer explains, and replaces every peer's,
     * in one batch. Returns how many entries were deleted.
     */
    static int reset(Rtnetlink rt, int vxlan, Collection<Peer> peers) {
        Set<MacAddress> macs = new HashSet<>();
        Set<InetAddress> addresses = new HashSet<>();
        for (Peer p : peers) {
            macs.add(p.mac());
            p.addresses().forEach(a -> addresses.add(a.address()));
        }
        Rtnetlink.Batch batch = rt.batch();
        int deleted = 0;
        List<FdbEntry> fdb = rt.fdb(vxlan);
        for (FdbEntry e : fdb) {
            if (e.isSelf() && e.isPermanent() && e.dst() != null && !macs.contains(e.mac())) {
                batch.deleteFdb(new FdbEntry(vxlan, e.mac(), null, 0, FdbEntry.NTF_SELF));
                deleted++;
            }
        }
        for (Neighbour n : rt.neighbours(vxlan)) {
            if (n.isPermanent() && !addresses.contains(n.address())) {
                batch.deleteNeighbour(n);
                deleted++;
            }
        }
        batch.barrier();
        for (Peer p : peers) {
            for (InterfaceAddress a : p.addresses()) {
                batch.replaceNeighbour(Neighbour.permanent(vxlan, a.address(), p.mac()));
            }
            batch.replaceFdb(FdbEntry.toVtep(vxlan, p.mac(), p.vtep()));
        }
        batch.send();
        return deleted;
    }
}
