package dev.weft.core.internal.ipam;

import static dev.weft.core.internal.ipam.DefaultIpam.LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultIpamAddressesTest {
    private final DefaultIpam ipam = new DefaultIpam(DefaultPool.defaults(),
            IpPrefix.parse("fd12:3456:789a::/48"), prefix -> false);

    private static InetAddress a(String s) {
        return IpAddresses.parse(s);
    }

    private PoolId pool(String prefix) {
        return ipam.requestPool(PoolRequest.of(LOCAL, IpPrefix.parse(prefix))).id();
    }

    private String next(PoolId pool) {
        return IpAddresses.format(ipam.requestAddress(pool, AddressRequest.any()).address().address());
    }

    private IpamException refused(PoolId pool, AddressRequest request) {
        return assertThrows(IpamException.class, () -> ipam.requestAddress(pool, request));
    }

    @Test
    void networkAndBroadcastAreNeverHandedOut() {
        PoolId p = pool("10.0.0.0/29");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            got.add(next(p));
        }
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), got);
        assertEquals(IpamException.Reason.POOL_EXHAUSTED, refused(p, AddressRequest.any()).reason());

        IpamException e = refused(p, AddressRequest.endpoint(a("10.0.0.0")));
        assertEquals(IpamException.Reason.INVALID_REQUEST, e.reason());
        assertEquals("address 10.0.0.0 is the network address of the pool 10.0.0.0/29 and cannot be assigned;"
                + " choose an address from 10.0.0.1 to 10.0.0.6", e.getMessage());
        e = refused(p, AddressRequest.gateway(a("10.0.0.7")));
        assertEquals("gateway 10.0.0.7 is the broadcast address of the pool 10.0.0.0/29 and cannot be assigned;"
                + " choose an address from 10.0.0.1 to 10.0.0.6", e.getMessage());
        ipam.releaseAddress(p, a("10.0.0.7"));            // never handed out: releasing it changes nothing
        assertEquals(IpamException.Reason.POOL_EXHAUSTED, refused(p, AddressRequest.any()).reason());
    }

    @Test
    void givesTheNextAddressAfterTheLastOneNotAReleasedOne() {
        PoolId p = pool("10.1.0.0/24");
        assertEquals("10.1.0.1/24", ipam.requestAddress(p, AddressRequest.gateway(a("10.1.0.1"))).address().toString());
        assertEquals("10.1.0.2", next(p));
        assertEquals("10.1.0.3", next(p));
        assertEquals("10.1.0.4", next(p));
        ipam.releaseAddress(p, a("10.1.0.3"));
        assertEquals("10.1.0.5", next(p));
        // A preferred address is given without moving the cursor.
        ipam.requestAddress(p, AddressRequest.endpoint(a("10.1.0.6")));
        assertEquals("10.1.0.7", next(p));
        ipam.requestAddress(p, AddressRequest.endpoint(a("10.1.0.100")));
        assertEquals("10.1.0.8", next(p));
    }

    @Test
    void wrapsAroundAndReusesReleasedAddressesOnceTheEndIsReached() {
        PoolId p = pool("10.0.0.0/29");
        ipam.requestAddress(p, AddressRequest.gateway(null));                  // .1
        for (int i = 2; i <= 6; i++) {
            assertEquals("10.0.0." + i, next(p));
        }
        ipam.releaseAddress(p, a("10.0.0.5"));
        ipam.releaseAddress(p, a("10.0.0.3"));
        assertEquals("10.0.0.3", next(p));
        assertEquals("10.0.0.5", next(p));
        assertEquals(IpamException.Reason.POOL_EXHAUSTED, refused(p, AddressRequest.any()).reason());
    }

    @Test
    void exhaustingASlash30NamesThePool() {
        PoolId p = pool("10.9.0.0/30");
        assertEquals("10.9.0.1", next(p));
        assertEquals("10.9.0.2", next(p));
        IpamException e = refused(p, AddressRequest.any());
        assertEquals(IpamException.Reason.POOL_EXHAUSTED, e.reason());
        assertEquals(IpPrefix.parse("10.9.0.0/30"), e.pool());
        assertEquals("no free address left in the pool 10.9.0.0/30: all 2 usable addresses are in use; release"
                + " addresses or use a larger subnet", e.getMessage());
        e = refused(p, AddressRequest.gateway(null));
        assertEquals(IpamException.Reason.POOL_EXHAUSTED, e.reason());
    }

    @Test
    void aPreferredAddressInUseIsRefusedNamingIt() {
        PoolId p = pool("10.1.0.0/24");
        ipam.requestAddress(p, AddressRequest.endpoint(a("10.1.0.5")));
        IpamException e = refused(p, AddressRequest.endpoint(a("10.1.0.5")));
        assertEquals(IpamException.Reason.ADDRESS_IN_USE, e.reason());
        assertEquals(a("10.1.0.5"), e.address());
        assertEquals("address 10.1.0.5 is already in use in the pool 10.1.0.0/24; choose another address or omit"
                + " it to get a free one", e.getMessage());
        assertEquals(1, ipam.pool(p).allocatedCount());
    }

    @Test
    void gatewaysAuxAndStaticAddressesMustBeInsideThePool() {
        PoolId p = pool("10.1.0.0/24");
        IpamException e = refused(p, AddressRequest.gateway(a("10.2.0.1")));
        assertEquals(IpamException.Reason.ADDRESS_OUTSIDE_POOL, e.reason());
        assertEquals("gateway 10.2.0.1 is outside the pool 10.1.0.0/24; choose an address in 10.1.0.0/24", e.getMessage());
        assertEquals("auxiliary address 10.1.1.9 is outside the pool 10.1.0.0/24; choose an address in 10.1.0.0/24",
                refused(p, AddressRequest.aux(a("10.1.1.9"))).getMessage());
        assertEquals(IpamException.Reason.ADDRESS_OUTSIDE_POOL, refused(p, AddressRequest.endpoint(a("fd00::1"))).reason());
        assertEquals(IpamException.Reason.ADDRESS_OUTSIDE_POOL,
                assertThrows(IpamException.class, () -> ipam.releaseAddress(p, a("10.3.0.1"))).reason());
        assertEquals(0, ipam.pool(p).allocatedCount());
        assertEquals("10.1.0.254/24", ipam.requestAddress(p, AddressRequest.aux(a("10.1.0.254"))).address().toString());
    }

    @Test
    void endpointsWithoutPreferenceGetAddressesFromTheIpRange() {
        PoolId p = ipam.requestPool(PoolRequest.of(LOCAL, IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.1.1.0/30"))).id();
        assertEquals("10.1.0.1", IpAddresses.format(ipam.requestAddress(p, AddressRequest.gateway(null)).address().address()));
        assertEquals("10.1.1.0", next(p));        // a host address in a /16: only the pool's own ends are reserved
        assertEquals("10.1.1.1", next(p));
        ipam.requestAddress(p, AddressRequest.endpoint(a("10.1.2.7")));      // static addresses may lie outside it
        assertEquals("10.1.1.2", next(p));
        assertEquals("10.1.1.3", next(p));
        IpamException e = refused(p, AddressRequest.any());
        assertEquals(IpamException.Reason.POOL_EXHAUSTED, e.reason());
        assertEquals("no free address left in the ip-range 10.1.1.0/30 of the pool 10.1.0.0/16: all 4 usable addresses"
                + " are in use; release addresses, widen the ip-range, or give addresses outside it explicitly",
                e.getMessage());
    }

    @Test
    void ipv6PoolsNeverGiveTheSubnetRouterAnycastAddress() {
        PoolAllocation alloc = ipam.requestPool(PoolRequest.automatic(LOCAL, true));
        PoolId p = alloc.id();
        assertEquals("fd12:3456:789a::1/64", ipam.requestAddress(p, AddressRequest.gateway(alloc.gateway())).address().toString());
        assertEquals("fd12:3456:789a::2", next(p));
        IpamException e = refused(p, AddressRequest.endpoint(a("fd12:3456:789a::")));
        assertEquals("address fd12:3456:789a:: is the subnet-router anycast address of the pool fd12:3456:789a::/64"
                + " and cannot be assigned; choose an address from fd12:3456:789a::1 to"
                + " fd12:3456:789a:0:ffff:ffff:ffff:ffff", e.getMessage());
        // IPv6 has no broadcast: the last address is usable.
        ipam.requestAddress(p, AddressRequest.endpoint(a("fd12:3456:789a:0:ffff:ffff:ffff:ffff")));

        PoolId small = pool("fd00:1::/126");
        assertEquals(List.of("fd00:1::1", "fd00:1::2", "fd00:1::3"), List.of(next(small), next(small), next(small)));
        assertEquals(IpamException.Reason.POOL_EXHAUSTED, refused(small, AddressRequest.any()).reason());
    }

    @Test
    void pointToPointPoolsUseEveryAddress() {
        PoolId p = pool("10.7.0.0/31");
        assertEquals(List.of("10.7.0.0", "10.7.0.1"), List.of(next(p), next(p)));
    }

    @Test
    void aSlash8CostsWhatIsAllocatedNotItsSize() {
        PoolId p = pool("10.0.0.0/8");
        assertTimeout(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 10_000; i++) {
                ipam.requestAddress(p, AddressRequest.any());
            }
        });
        AddressPool state = ipam.pool(p);
        assertEquals(10_000, state.allocatedCount());
        // Not 16 M bits, not even 10,000 entries: [network .. 10.0.39.16] and [broadcast] are two runs.
        assertEquals(2, state.storedRuns());
        assertEquals("10.0.39.17", next(p));                                          // offset 10,001
        for (int i = 1; i <= 10_000; i += 2) {                                        // fragment it
            ipam.releaseAddress(p, IpAddresses.parse("10.0." + (i / 256) + "." + (i % 256)));
        }
        assertEquals(5_001, state.allocatedCount());
        assertTrue(state.storedRuns() <= 5_003, "runs: " + state.storedRuns());
    }

    @Test
    void aSlash64AllocatesQuickly() {
        PoolId p = ipam.requestPool(PoolRequest.automatic(LOCAL, true)).id();
        assertTimeout(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 10_000; i++) {
                ipam.requestAddress(p, AddressRequest.any());
            }
        });
        assertEquals(10_000, ipam.pool(p).allocatedCount());
        assertEquals("fd12:3456:789a::2711", next(p));                                // 10,001
    }

    @Test
    void findsTheLastFreeAddressesOfANearlyFullPoolQuickly() {
        PoolId p = pool("10.8.0.0/16");
        assertTimeout(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 65_534; i++) {
                ipam.requestAddress(p, AddressRequest.any());
            }
            assertEquals(IpamException.Reason.POOL_EXHAUSTED, refused(p, AddressRequest.any()).reason());
            Random random = new Random(7);
            Set<String> released = new HashSet<>();
            while (released.size() < 1000) {
                int offset = 1 + random.nextInt(65_534);
                String address = "10.8." + (offset / 256) + "." + (offset % 256);
                if (released.add(address)) {
                    ipam.releaseAddress(p, a(address));
                }
            }
            Set<String> got = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                got.add(next(p));
            }
            assertEquals(released, got);
            assertEquals(IpamException.Reason.POOL_EXHAUSTED, refused(p, AddressRequest.any()).reason());
        });
    }

    @Test
    void restoreContinuesAfterTheLastAllocatedAddress() {
        // Before the restart: .1 gateway, .2 .3 .4 endpoints, .3 released.
        PoolId p = pool("10.1.0.0/24");
        DefaultIpam restarted = new DefaultIpam(DefaultPool.defaults(), null, prefix -> false);
        PoolAllocation replayed = restarted.requestPool(PoolRequest.of(LOCAL, IpPrefix.parse("10.1.0.0/24")));
        assertEquals(p, replayed.id());
        restarted.requestAddress(p, AddressRequest.gateway(a("10.1.0.1")));
        restarted.requestAddress(p, AddressRequest.endpoint(a("10.1.0.2")));
        restarted.requestAddress(p, AddressRequest.endpoint(a("10.1.0.4")));
        restarted.restoreCursor(p, a("10.1.0.4"));
        assertEquals("10.1.0.5/24", restarted.requestAddress(p, AddressRequest.any()).address().toString());

        restarted.restoreCursor(p, a("10.1.0.254"));                      // the end: wraps to the start
        assertEquals("10.1.0.3/24", restarted.requestAddress(p, AddressRequest.any()).address().toString());
        assertEquals(IpamException.Reason.ADDRESS_OUTSIDE_POOL,
                assertThrows(IpamException.class, () -> restarted.restoreCursor(p, a("10.2.0.1"))).reason());
        assertEquals(IpamException.Reason.UNKNOWN_POOL,
                assertThrows(IpamException.class, () -> restarted.restoreCursor(PoolId.parse("local/10.9.0.0/24"),
                        a("10.9.0.1"))).reason());
    }

    @Test
    void releaseIsIdempotent() {
        PoolId p = pool("10.1.0.0/24");
        assertEquals("10.1.0.1", next(p));
        ipam.releaseAddress(p, a("10.1.0.1"));
        ipam.releaseAddress(p, a("10.1.0.1"));
        ipam.releaseAddress(p, a("10.1.0.77"));
        ipam.releaseAddress(PoolId.parse("local/10.200.0.0/24"), a("10.200.0.1"));
        assertEquals(0, ipam.pool(p).allocatedCount());
        assertEquals("10.1.0.2", next(p));
    }

    @Test
    void isDeterministic() {
        List<String> first = scenario(new DefaultIpam(DefaultPool.defaults(), IpPrefix.parse("fd00:9::/48"), x -> false));
        List<String> second = scenario(new DefaultIpam(DefaultPool.defaults(), IpPrefix.parse("fd00:9::/48"), x -> false));
        assertEquals(first, second);
    }

    private static List<String> scenario(DefaultIpam ipam) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            PoolAllocation v4 = ipam.requestPool(PoolRequest.automatic(LOCAL, i % 2 == 0));
            out.add(v4.id().toString());
            for (int j = 0; j < 5; j++) {
                out.add(ipam.requestAddress(v4.id(), AddressRequest.any()).address().toString());
            }
            if (i == 2) {
                ipam.releasePool(v4.id());
            }
        }
        return out;
    }
}
