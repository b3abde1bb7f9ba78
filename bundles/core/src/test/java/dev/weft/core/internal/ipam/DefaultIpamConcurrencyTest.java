package dev.weft.core.internal.ipam;

import static dev.weft.core.internal.ipam.DefaultIpam.LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DefaultIpamConcurrencyTest {

    @Test
    void eightThreadsNeverGetTheSameAddress() throws Exception {
        DefaultIpam ipam = new DefaultIpam(DefaultPool.defaults(), null, prefix -> false);
        PoolId pool = ipam.requestPool(PoolRequest.of(LOCAL, IpPrefix.parse("10.20.0.0/16"))).id();
        int threads = 8, each = 500;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ipam-test");
            t.setDaemon(true);          // a broken lock can corrupt a TreeMap into spinning: do not keep the JVM
            return t;
        });
        try {
            List<Future<List<InterfaceAddress>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(executor.submit(() -> {
                    start.await();
                    List<InterfaceAddress> got = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        InterfaceAddress a = ipam.requestAddress(pool, AddressRequest.any()).address();
                        got.add(a);
                        if (i % 10 == 9) {             // churn: release one now and then, as endpoints come and go
                            ipam.releaseAddress(pool, got.remove(got.size() - 2).address());
                        }
                    }
                    return got;
                }));
            }
            start.countDown();
            Set<InterfaceAddress> all = new HashSet<>();
            int total = 0;
            for (Future<List<InterfaceAddress>> f : results) {
                for (InterfaceAddress a : f.get(30, TimeUnit.SECONDS)) {
                    total++;
                    all.add(a);
                }
            }
            assertEquals(total, all.size(), "an address was handed out twice");
            assertEquals(threads * (each - each / 10), total);
            assertEquals(total, ipam.pool(pool).allocatedCount());
        } finally {
            executor.shutdownNow();
        }
    }
}
