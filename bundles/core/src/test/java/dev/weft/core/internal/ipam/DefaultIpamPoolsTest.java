package dev.weft.core.internal.ipam;

import static dev.weft.core.internal.ipam.DefaultIpam.GLOBAL;
import static dev.weft.core.internal.ipam.DefaultIpam.LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DefaultIpamPoolsTest {
    private static final IpPrefix ULA = IpPrefix.parse("fd12:3456:789a::/48");

    private static IpPrefix p(String s) {
        return IpPrefix.parse(s);
    }

    private static DefaultIpam ipam() {
        return new DefaultIpam(DefaultPool.defaults(), ULA, prefix -> false);
    }

    @Test
    void automaticPoolsAreDistinctAndInOrder() {
        DefaultIpam ipam = ipam();
        PoolAllocation a = ipam.requestPool(PoolRequest.automatic(LOCAL, false));
        PoolAllocation b = ipam.requestPool(PoolRequest.automatic(LOCAL, false));
        assertEquals(p("172.17.0.0/24"), a.pool());
        assertEquals(p("172.17.1.0/24"), b.pool());
        assertEquals(IpAddresses.parse("172.17.0.1"), a.gateway());
        assertEquals("local/172.17.0.0/24", a.id().toString());
        assertEquals(ipam.addressSpaces().local(), LOCAL);
        assertEquals(ipam.addressSpaces().global(), GLOBAL);
    }

    @Test
    void automaticPoolsSkipHostConflicts() {
        AtomicInteger asked = new AtomicInteger();
        IpPrefix hostRoute = p("172.17.0.0/16");
        DefaultIpam ipam = new DefaultIpam(DefaultPool.defaults(), ULA, prefix -> {
            asked.incrementAndGet();
            return prefix.overlaps(hostRoute) || prefix.equals(p("172.18.1.0/24"));
        });
        assertEquals(p("172.18.0.0/24"), ipam.requestPool(PoolRequest.automatic(LOCAL, false)).pool());
        assertEquals(p("172.18.2.0/24"), ipam.requestPool(PoolRequest.automatic(LOCAL, false)).pool());
        assertTrue(asked.get() > 256);
        // Asked for explicitly, a conflicting subnet is given: the user chose it, and replays must not fail.
        assertEquals(p("172.17.5.0/24"), ipam.requestPool(PoolRequest.of(LOCAL, p("172.17.5.0/24"))).pool());
    }

    @Test
    void automaticPoolsSkipExplicitPoolsOfAnySize() {
        DefaultIpam ipam = ipam();
        ipam.requestPool(PoolRequest.of(LOCAL, p("172.17.0.128/25")));   // inside the first candidate
        ipam.requestPool(PoolRequest.of(GLOBAL, p("172.17.1.0/24")));    // another space, still avoided
        ipam.requestPool(PoolRequest.of(LOCAL, p("172.17.2.0/23")));     // covers two candidates
        assertEquals(p("172.17.4.0/24"), ipam.requestPool(PoolRequest.automatic(LOCAL, false)).pool());

        DefaultIpam other = ipam();
        other.requestPool(PoolRequest.of(GLOBAL, p("172.16.0.0/12")));   // covers the first three defaults
        assertEquals(p("192.168.0.0/24"), other.requestPool(PoolRequest.automatic(LOCAL, false)).pool());
    }

    @Test
    void thousandAutomaticPoolsNeverOverlap() {
        DefaultIpam ipam = ipam();
        List<IpPrefix> got = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            got.add(ipam.requestPool(PoolRequest.automatic(LOCAL, false)).pool());
        }
        got.sort(Comparator.comparing(Addresses::first));
        for (int i = 1; i < got.size(); i++) {
            assertTrue(Addresses.last(got.get(i - 1)).compareTo(Addresses.first(got.get(i))) < 0,
                    got.get(i - 1) + " overlaps " + got.get(i));
        }
        assertEquals(p("172.20.231.0/24"), got.get(999));   // 256 + 512 + 232 /24s: the defaults in order
    }

    @Test
    void runsOutWithAClearMessage() {
        DefaultIpam ipam = new DefaultIpam(List.of(new DefaultPool(p("10.99.0.0/23"), 24)), List.of(), null,
                prefix -> prefix.equals(p("10.99.1.0/24")));
        ipam.requestPool(PoolRequest.automatic(LOCAL, false));
        IpamException e = assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.automatic(LOCAL, false)));
        assertEquals(IpamException.Reason.NO_FREE_POOL, e.reason());
        assertEquals("no free IPv4 subnet left in the default address pools (10.99.0.0/23 split into /24s): each is"
                + " in use or overlaps a route of the host; remove unused networks, add a pool to"
                + " weft.default.address.pools (WEFT_DEFAULT_ADDRESS_POOLS for ./weft; base=CIDR,size=N;base=CIDR,size=N,"
                + " e.g. base=10.200.0.0/16,size=24), or give a subnet", e.getMessage());
        e = assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.automatic(LOCAL, true)));
        assertEquals(IpamException.Reason.NO_FREE_POOL, e.reason());
        assertEquals("no IPv6 default address pool is configured for the \"local\" address space; give an IPv6"
                + " subnet or add a pool with an IPv6 base to weft.default.address.pools (WEFT_DEFAULT_ADDRESS_POOLS for"
                + " ./weft; base=CIDR,size=N;base=CIDR,size=N)", e.getMessage());
    }

    @Test
    void whenEveryPoolIsUsedTheErrorNamesEachPoolTriedAndTheSizeAskedFor() {
        DefaultIpam ipam = new DefaultIpam(List.of(new DefaultPool(p("10.98.0.0/24"), 26),
                new DefaultPool(p("10.97.0.0/25"), 26)), List.of(), null, prefix -> false);
        ipam.requestPool(PoolRequest.of(LOCAL, p("10.98.0.0/25")));
        assertEquals(p("10.98.0.128/25"), ipam.requestPool(PoolRequest.ofSize(LOCAL, false, 25)).pool());
        assertEquals(p("10.97.0.0/25"), ipam.requestPool(PoolRequest.ofSize(LOCAL, false, 25)).pool());
        IpamException e = assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.ofSize(LOCAL, false, 25)));
        assertEquals(IpamException.Reason.NO_FREE_POOL, e.reason());
        assertTrue(e.getMessage().startsWith("no free IPv4 subnet of size /25 left in the default address pools "
                + "(10.98.0.0/24 split into /26s, 10.97.0.0/25 split into /26s): each is in use"), e.getMessage());
        assertTrue(e.getMessage().contains("add a pool to weft.default.address.pools"), e.getMessage());
    }

    @Test
    void aSizeRequestTakesAnyPoolWhoseBaseHoldsItWhateverItsSplit() {
        DefaultIpam ipam = ipam();
        // 172.17.0.0/16 cannot hold a /15: the next pool can, though it is split into /24s
        PoolAllocation a = ipam.requestPool(PoolRequest.ofSize(LOCAL, false, 15));
        assertEquals(p("172.18.0.0/15"), a.pool());
        assertEquals("local/172.18.0.0/15", a.id().toString(), "its id is that of an explicit request: replays find it");
        assertEquals(p("172.17.0.0/28"), ipam.requestPool(PoolRequest.ofSize(LOCAL, false, 28)).pool());
        assertEquals(p("172.17.0.16/28"), ipam.requestPool(PoolRequest.ofSize(LOCAL, false, 28)).pool());
        assertEquals(p("172.17.1.0/24"), ipam.requestPool(PoolRequest.automatic(LOCAL, false)).pool(),
                "the pools' own split skips what size requests took");
        assertEquals(p("fd12:3456:789a::/56"), ipam.requestPool(PoolRequest.ofSize(LOCAL, true, 56)).pool());
        assertEquals(p("fd12:3456:789a:100::/64"), ipam.requestPool(PoolRequest.automatic(LOCAL, true)).pool());

        IpamException e = assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.ofSize(LOCAL, false, 13)));
        assertEquals(IpamException.Reason.INVALID_REQUEST, e.reason());
        assertTrue(e.getMessage().startsWith("no default address pool can give a /13 subnet: the IPv4 pools are "
                + "172.17.0.0/16 split into /24s, 172.18.0.0/15 split into /24s"), e.getMessage());
        e = assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.ofSize(LOCAL, true, 40)));
        assertTrue(e.getMessage().contains("fd12:3456:789a::/48 split into /64s, each smaller than a /40; ask for /48"
                + " or longer"), e.getMessage());
        e = assertThrows(IpamException.class, () -> ipam.requestPool(new PoolRequest(LOCAL, p("10.1.0.0/24"), null, false,
                Map.of(), 24)));
        assertEquals(IpamException.Reason.INVALID_REQUEST, e.reason());
        e = assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.ofSize(LOCAL, false, 33)));
        assertEquals(IpamException.Reason.INVALID_REQUEST, e.reason());
    }

    @Test
    void configuredIpv6PoolsReplaceTheUlaAndWithoutThemTheUlaServes() {
        DefaultIpam own = new DefaultIpam(DefaultPoolList.parse("base=10.96.0.0/16,size=24;base=fd00:96::/60,size=64"),
                ULA, prefix -> false);
        assertEquals(p("fd00:96::/64"), own.requestPool(PoolRequest.automatic(LOCAL, true)).pool());
        assertEquals(p("fd00:96:0:1::/64"), own.requestPool(PoolRequest.automatic(LOCAL, true)).pool());
        assertEquals(p("10.96.0.0/24"), own.requestPool(PoolRequest.automatic(LOCAL, false)).pool());

        DefaultIpam ula = new DefaultIpam(DefaultPoolList.parse("base=10.96.0.0/16,size=24"), ULA, prefix -> false);
        assertEquals(p("fd12:3456:789a::/64"), ula.requestPool(PoolRequest.automatic(LOCAL, true)).pool(),
                "--ipv6 without an IPv6 subnet: the ULA /48 (Docker 27)");
    }

    @Test
    void explicitOverlapIsRefusedNamingThePoolInUse() {
        DefaultIpam ipam = ipam();
        ipam.requestPool(PoolRequest.of(LOCAL, p("10.1.0.0/24")));
        IpamException e = assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.of(LOCAL, p("10.1.0.0/16"))));
        assertEquals(IpamException.Reason.POOL_OVERLAP, e.reason());
        assertEquals(p("10.1.0.0/24"), e.pool());
        assertEquals("subnet 10.1.0.0/16 overlaps the pool 10.1.0.0/24 in use; choose another subnet or omit it to"
                + " get a free one", e.getMessage());
        assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.of(LOCAL, p("10.1.0.0/24"))));
        assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.of(LOCAL, p("10.1.0.128/25"))));
        // Address spaces are independent for explicit pools.
        assertEquals(p("10.1.0.0/16"), ipam.requestPool(PoolRequest.of(GLOBAL, p("10.1.0.0/16"))).pool());
    }

    @Test
    void ipRangeMustLieInsideThePool() {
        DefaultIpam ipam = ipam();
        IpamException e = assertThrows(IpamException.class,
                () -> ipam.requestPool(PoolRequest.of(LOCAL, p("10.1.0.0/16"), p("10.2.0.0/24"))));
        assertEquals(IpamException.Reason.INVALID_REQUEST, e.reason());
        assertEquals("ip-range 10.2.0.0/24 is not inside the subnet 10.1.0.0/16; choose an ip-range within"
                + " 10.1.0.0/16 or omit it to use the whole subnet", e.getMessage());
        assertThrows(IpamException.class, () -> ipam.requestPool(PoolRequest.of(LOCAL, p("10.1.0.0/16"), p("10.0.0.0/8"))));
        e = assertThrows(IpamException.class,
                () -> ipam.requestPool(new PoolRequest(LOCAL, null, p("10.1.1.0/24"), false, Map.of())));
        assertEquals("ip-range 10.1.1.0/24 needs a subnet: give the subnet that contains it", e.getMessage());
        PoolAllocation ok = ipam.requestPool(PoolRequest.of(LOCAL, p("10.1.0.0/16"), p("10.1.1.0/24")));
        assertEquals("local/10.1.0.0/16/10.1.1.0/24", ok.id().toString());
        assertEquals(IpAddresses.parse("10.1.0.1"), ok.gateway());   // the pool's first address, as Docker
    }

    @Test
    void malformedRequestsAreRefusedBeforeAnythingIsHeld() {
        DefaultIpam ipam = ipam();
        IpamException e = assertThrows(IpamException.class,
                () -> ipam.requestPool(PoolRequest.automatic("LocalDefault", false)));
        assertEquals("address space \"LocalDefault\" is not known to the default IPAM; use \"local\" or \"global\"",
                e.getMessage());
        e = assertThrows(IpamException.class,
                () -> ipam.requestPool(new PoolRequest(LOCAL, p("10.1.0.0/24"), null, true, Map.of())));
        assertEquals("subnet 10.1.0.0/24 is not IPv6 but an IPv6 pool was requested; give an IPv6 subnet",
                e.getMessage());
        e = assertThrows(IpamException.class,
                () -> ipam.requestPool(new PoolRequest(LOCAL, null, null, false, Map.of("serial", "true"))));
        assertEquals("option \"serial\" is not supported: the default IPAM accepts no options", e.getMessage());
        assertEquals(IpamException.Reason.INVALID_REQUEST, e.reason());
        assertEquals(p("172.17.0.0/24"), ipam.requestPool(PoolRequest.automatic(LOCAL, false)).pool());
    }

    @Test
    void automaticIpv6PoolsAreSlash64sOfTheUla() {
        DefaultIpam ipam = ipam();
        PoolAllocation a = ipam.requestPool(PoolRequest.automatic(LOCAL, true));
        PoolAllocation b = ipam.requestPool(PoolRequest.automatic(LOCAL, true));
        assertEquals(p("fd12:3456:789a::/64"), a.pool());
        assertEquals(p("fd12:3456:789a:1::/64"), b.pool());
        assertEquals(IpAddresses.parse("fd12:3456:789a::1"), a.gateway());
        assertEquals("local/fd12:3456:789a::/64", a.id().toString());
        assertEquals(a.id(), PoolId.parse(a.id().toString()));
    }

    @Test
    void releasingAPoolWithAddressesFreesItForTheSamePrefix() {
        DefaultIpam ipam = ipam();
        PoolAllocation a = ipam.requestPool(PoolRequest.of(LOCAL, p("10.5.0.0/24")));
        ipam.requestAddress(a.id(), AddressRequest.gateway(a.gateway()));
        ipam.requestAddress(a.id(), AddressRequest.any());
        ipam.requestAddress(a.id(), AddressRequest.any());
        ipam.releasePool(a.id());
        ipam.releasePool(a.id());                                            // idempotent
        assertNull(ipam.pool(a.id()));
        IpamException e = assertThrows(IpamException.class, () -> ipam.requestAddress(a.id(), AddressRequest.any()));
        assertEquals(IpamException.Reason.UNKNOWN_POOL, e.reason());
        assertEquals("pool \"local/10.5.0.0/24\" is not held by the default IPAM; request the pool before its"
                + " addresses", e.getMessage());

        PoolAllocation again = ipam.requestPool(PoolRequest.of(LOCAL, p("10.5.0.0/24")));
        assertEquals(a.id(), again.id());                                    // stable: replays find their records
        assertEquals(0, ipam.pool(again.id()).allocatedCount());
        assertEquals("10.5.0.1/24", ipam.requestAddress(again.id(), AddressRequest.gateway(null)).address().toString());
        assertEquals("10.5.0.2/24", ipam.requestAddress(again.id(), AddressRequest.any()).address().toString());
    }

    @Test
    void releaseRefusesIdsItCannotHaveMade() {
        DefaultIpam ipam = ipam();
        IpamException e = assertThrows(IpamException.class, () -> ipam.releasePool(PoolId.parse("LocalDefault/10.1.0.0/16")));
        assertEquals(IpamException.Reason.INVALID_REQUEST, e.reason());
        assertEquals("pool id \"LocalDefault/10.1.0.0/16\" was not made by the default IPAM: expected SPACE/SUBNET or"
                + " SPACE/SUBNET/IP-RANGE, like local/10.1.0.0/16/10.1.1.0/24", e.getMessage());
        assertThrows(IpamException.class, () -> ipam.releasePool(PoolId.parse("local/10.1.0.0")));
        ipam.releasePool(PoolId.parse("local/10.1.0.0/16/10.1.1.0/24"));     // well-formed, not held: nothing to do
    }

    @Test
    void theGlobalSpaceUsesItsOwnDefaults() {
        DefaultIpam ipam = ipam();
        assertEquals(p("10.0.0.0/24"), ipam.requestPool(PoolRequest.automatic(GLOBAL, false)).pool());
        assertEquals(p("172.17.0.0/24"), ipam.requestPool(PoolRequest.automatic(LOCAL, false)).pool());
        PoolAllocation single = ipam.requestPool(PoolRequest.of(LOCAL, p("10.200.0.7/32")));
        assertNull(single.gateway());                                        // no room for a gateway
        assertEquals(BigInteger.ONE, Addresses.size(single.pool()));
        assertNotEquals(single.id(), ipam.requestPool(PoolRequest.of(GLOBAL, p("10.200.0.7/32"))).id());
    }
}
