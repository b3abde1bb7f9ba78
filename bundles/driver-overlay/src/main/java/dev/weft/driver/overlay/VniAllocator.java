package dev.weft.driver.overlay;

import dev.weft.api.WeftException;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.ClusterStore.Compare;
import dev.weft.spi.ClusterStore.KeyValue;
import dev.weft.spi.ClusterStore.Op;
import dev.weft.spi.ClusterStore.Txn;
import dev.weft.spi.ClusterStore.TxnResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * The cluster's VNIs: key {@code vni/<N>} holds the id of the network that claimed it (text), made
 * with compare-and-set ({@link Txn#createIfAbsent}) so two hosts never get one VNI. A VNI the user
 * named that another network holds is refused naming that network; otherwise the first free ones
 * from {@value #FIRST_AUTO} up (libnetwork's overlay starts above 4096) are candidates, read once,
 * and one is picked at random among the first {@value #SPREAD} free ones, so hosts creating
 * networks at once rarely race for the same key; a lost race marks it taken and picks again.
 */
final class VniAllocator {
    static final String PREFIX = "vni/";
    static final int FIRST_AUTO = 4097;
    private static final int SPREAD = 16;
    private static final int ATTEMPTS = 64;
    private static final Logger LOG = Logger.getLogger(VniAllocator.class.getName());

    private VniAllocator() {}

    static String key(int vni) {
        return PREFIX + vni;
    }

    /** Claims {@code wanted} (0: any free one) for {@code networkId}; returns the VNI. */
    static int claim(ClusterStore store, String networkName, String networkId, int wanted) {
        if (wanted != 0) {
            if (!tryClaim(store, wanted, networkId)) {
                String holder = store.get(key(wanted)).map(KeyValue::text).orElse("(released meanwhile)");
                throw new WeftException.Conflict("network \"" + networkName + "\": VNI " + wanted + " ("
                        + OverlayOptions.VXLANID_LIST + ") is taken in the cluster by network " + holder
                        + "; choose another VNI, or omit the option to get a free one");
            }
            return wanted;
        }
        Set<Integer> taken = new HashSet<>();
        for (KeyValue kv : store.range(PREFIX).kvs()) {
            try {
                taken.add(Integer.parseInt(kv.key().substring(PREFIX.length())));
            } catch (NumberFormatException e) {
                // not a VNI key: nothing of ours
            }
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<Integer> free = new ArrayList<>(SPREAD);
            for (int v = FIRST_AUTO; v <= OverlayOptions.MAX_VNI && free.size() < SPREAD; v++) {
                if (!taken.contains(v)) {
                    free.add(v);
                }
            }
            if (free.isEmpty()) {
                break;
            }
            int vni = free.get(ThreadLocalRandom.current().nextInt(free.size()));
            if (tryClaim(store, vni, networkId)) {
                return vni;
            }
            taken.add(vni);
        }
        throw new WeftException.Conflict("network \"" + networkName + "\": no free VNI found in the cluster store "
                + "after " + ATTEMPTS + " attempts (from " + FIRST_AUTO + " up); give one with -o "
                + OverlayOptions.VXLANID_LIST + "=N");
    }

    /**
     * One compare-and-set of {@code vni/N}; true when it holds this network's id now (also when an
     * earlier attempt whose answer was lost had claimed it).
     */
    private static boolean tryClaim(ClusterStore store, int vni, String networkId) {
        byte[] id = networkId.getBytes(StandardCharsets.UTF_8);
        try {
            TxnResult r = store.txn(Txn.createIfAbsent(key(vni), id, false));
            if (r.succeeded()) {
                return true;
            }
            return r.results().stream().flatMap(List::stream).anyMatch(kv -> kv.text().equals(networkId));
        } catch (ClusterException e) {
            if (e.reason() != ClusterException.Reason.INDETERMINATE) {
                throw e;
            }
            Optional<KeyValue> now = store.get(key(vni)); // applied or not: the key says whose it is
            if (now.isEmpty()) {
                return tryClaim(store, vni, networkId);
            }
            return now.get().text().equals(networkId);
        }
    }

    /** Releases {@code vni} if {@code networkId} holds it; nothing otherwise. */
    static void release(ClusterStore store, int vni, String networkId) {
        byte[] id = networkId.getBytes(StandardCharsets.UTF_8);
        TxnResult r = store.txn(new Txn(List.of(Compare.value(key(vni), id)), List.of(Op.delete(key(vni))), List.of()));
        if (!r.succeeded()) {
            LOG.fine("VNI " + vni + " was not held by network " + networkId + ": nothing to release");
        }
    }
}
