package dev.weft.driver.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import dev.weft.spi.ClusterStore;
import dev.weft.spi.NetworkConfig;
import dev.weft.testkit.MemoryClusterStore;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** VNIs claimed in the cluster store: distinct under contention, a lost answer resolved, released only by their holder. */
class VniAllocationTest {
    private final MemoryClusterStore.Data data = new MemoryClusterStore.Data();

    private ClusterStore node(String id) {
        return new MemoryClusterStore(data, id, InetAddress.getLoopbackAddress());
    }

    /** The driver's allocation needs no kernel. */
    private static OverlayDriver driver() {
        return new OverlayDriver(new OverlayCluster.Context(null), null);
    }

    @Test
    void threeHostsCreatingNetworksAtOnceGetDistinctVnis() throws Exception {
        OverlayDriver driver = driver();
        OverlayOptions none = driver.parseOptions(Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (String node : List.of("h1", "h2", "h3")) {
                ClusterStore store = node(node);
                Callable<List<Integer>> work = () -> {
                    List<Integer> mine = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        NetworkConfig n = OverlayCluster.network(node + "-" + i, "10.0.9.0/24", "10.0.9.1");
                        mine.add(Integer.parseInt(driver.allocateNetwork(n, none, store).get(OverlayOptions.VXLANID_LIST)));
                    }
                    return mine;
                };
                results.add(pool.submit(work));
            }
            Set<Integer> all = new HashSet<>();
            int count = 0;
            for (Future<List<Integer>> f : results) {
                for (int vni : f.get()) {
                    all.add(vni);
                    count++;
                    assertTrue(vni >= VniAllocator.FIRST_AUTO, "from 4097 up: " + vni);
                }
            }
            assertEquals(60, count);
            assertEquals(60, all.size(), "no VNI twice: " + all);
            assertEquals(60, node("x").range(VniAllocator.PREFIX).kvs().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLostAnswerIsResolvedByReadingTheKey() {
        OverlayDriver driver = driver();
        ClusterStore store = node("h1");
        NetworkConfig n = OverlayCluster.network("n", "10.0.9.0/24", "10.0.9.1");
        data.indeterminateNext(true); // applied, answer lost: it is ours
        assertEquals("7000", driver.allocateNetwork(n, driver.parseOptions(Map.of(OverlayOptions.VXLANID_LIST, "7000")),
                store).get(OverlayOptions.VXLANID_LIST));
        NetworkConfig m = OverlayCluster.network("m", "10.0.9.0/24", "10.0.9.1");
        data.indeterminateNext(false); // not applied: tried again
        assertEquals("7001", driver.allocateNetwork(m, driver.parseOptions(Map.of(OverlayOptions.VXLANID_LIST, "7001")),
                store).get(OverlayOptions.VXLANID_LIST));
        assertEquals(n.id(), store.get("vni/7000").orElseThrow().text());
        assertEquals(m.id(), store.get("vni/7001").orElseThrow().text());
    }

    @Test
    void onlyTheHolderReleasesAndATakenVniNamesItsHolder() {
        OverlayDriver driver = driver();
        ClusterStore store = node("h1");
        NetworkConfig a = OverlayCluster.network("a", "10.0.9.0/24", "10.0.9.1");
        NetworkConfig b = OverlayCluster.network("b", "10.0.9.0/24", "10.0.9.1");
        OverlayOptions vni = driver.parseOptions(Map.of(OverlayOptions.VXLANID_LIST, "4097"));
        driver.allocateNetwork(a, vni, store);
        WeftException.Conflict e = assertThrows(WeftException.Conflict.class, () -> driver.allocateNetwork(b, vni, store));
        assertTrue(e.getMessage().contains("4097") && e.getMessage().contains(a.id()), e.getMessage());
        int auto = Integer.parseInt(driver.allocateNetwork(b, driver.parseOptions(Map.of()), store)
                .get(OverlayOptions.VXLANID_LIST));
        assertTrue(auto > 4097 && auto < 4097 + 17, "auto: one of the first free ones, not the taken one: " + auto);
        driver.freeNetwork(b, vni, store); // b does not hold 4097
        assertEquals(a.id(), new String(store.get("vni/4097").orElseThrow().value(), StandardCharsets.UTF_8));
        driver.freeNetwork(a, vni, store);
        assertTrue(store.get("vni/4097").isEmpty());
        driver.freeNetwork(a, vni, store); // nothing held: nothing to do
    }
}
