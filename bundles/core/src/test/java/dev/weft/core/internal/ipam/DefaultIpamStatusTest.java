package dev.weft.core.internal.ipam;

import static dev.weft.core.internal.ipam.DefaultIpam.LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.SubnetStatus;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * Docker's subnet status (Engine API 1.52) from the default IPAM: addresses in use count the reserved
 * ones (network, broadcast, subnet-router anycast) with the gateway, auxiliary and endpoint addresses;
 * the dynamic ones available are the free addresses of the ip-range. Counted from the runs, so a /8
 * with many endpoints or a /64 costs no walk over its addresses.
 */
class DefaultIpamStatusTest {
    private final DefaultIpam ipam = new DefaultIpam(DefaultPool.defaults(), IpPrefix.parse("fd12:3456:789a::/48"),
            p -> false);

    private PoolAllocation pool(String subnet, String range) {
        PoolAllocation a = ipam.requestPool(PoolRequest.of(LOCAL, IpPrefix.parse(subnet),
                range == null ? null : IpPrefix.parse(range)));
        ipam.requestAddress(a.id(), AddressRequest.gateway(a.gateway()));
        return a;
    }

    @Test
    void aSlash24CountsNetworkGatewayBroadcastAndEndpointsAsDockerDoes() {
        PoolAllocation a = pool("172.18.0.0/24", null);
        assertEquals(SubnetStatus.of(3, 253), ipam.poolStatus(a.id()), "network, gateway, broadcast");
        ipam.requestAddress(a.id(), AddressRequest.any());
        ipam.requestAddress(a.id(), AddressRequest.any());
        assertEquals(SubnetStatus.of(5, 251), ipam.poolStatus(a.id()));
        ipam.releaseAddress(a.id(), IpAddresses.parse("172.18.0.2"));
        assertEquals(SubnetStatus.of(4, 252), ipam.poolStatus(a.id()));
    }

    @Test
    void dynamicAddressesAreThoseOfTheIpRangeAndAuxiliaryAddressesAreInUse() {
        // as moby's test: network, gateway, 2 aux (one in the range), broadcast, an endpoint
        PoolAllocation a = pool("10.5.0.0/24", "10.5.0.8/30");
        ipam.requestAddress(a.id(), AddressRequest.aux(IpAddresses.parse("10.5.0.100")));
        ipam.requestAddress(a.id(), AddressRequest.aux(IpAddresses.parse("10.5.0.9")));
        ipam.requestAddress(a.id(), AddressRequest.any());
        assertEquals(SubnetStatus.of(6, 2), ipam.poolStatus(a.id()));
    }

    @Test
    void largePoolsAreCountedFromTheirRunsExactly() {
        PoolAllocation eight = pool("10.0.0.0/8", null);
        for (int i = 0; i < 5000; i++) {
            ipam.requestAddress(eight.id(), AddressRequest.any());
        }
        ipam.releaseAddress(eight.id(), IpAddresses.parse("10.0.1.0")); // a hole: two runs
        assertEquals(SubnetStatus.of(5002, (1 << 24) - 5002), ipam.poolStatus(eight.id()));
        assertTrue(ipam.pool(eight.id()).storedRuns() <= 3, "runs, not addresses");

        PoolAllocation six = ipam.requestPool(PoolRequest.automatic(LOCAL, true));
        ipam.requestAddress(six.id(), AddressRequest.gateway(six.gateway()));
        ipam.requestAddress(six.id(), AddressRequest.any());
        BigInteger size = BigInteger.ONE.shiftLeft(64);
        assertEquals(new SubnetStatus(BigInteger.valueOf(3), size.subtract(BigInteger.valueOf(3))),
                ipam.poolStatus(six.id()), "subnet-router anycast, gateway, one endpoint: no broadcast in IPv6");
    }

    @Test
    void pointToPointPoolsReserveNothingAndUnknownPoolsAreRefused() {
        PoolAllocation p = ipam.requestPool(PoolRequest.of(LOCAL, IpPrefix.parse("10.6.0.0/31")));
        assertEquals(SubnetStatus.of(0, 2), ipam.poolStatus(p.id()));
        IpamException e = assertThrows(IpamException.class, () -> ipam.poolStatus(new PoolId("local/10.7.0.0/24")));
        assertEquals(IpamException.Reason.UNKNOWN_POOL, e.reason());
    }

    @Test
    void countInCountsOnlyTheValuesInsideTheInterval() {
        OffsetRuns runs = new OffsetRuns();
        for (int x : new int[] {0, 1, 2, 5, 6, 10}) {
            runs.add(BigInteger.valueOf(x));
        }
        assertEquals(BigInteger.valueOf(6), runs.countIn(BigInteger.ZERO, BigInteger.valueOf(10)));
        assertEquals(BigInteger.valueOf(3), runs.countIn(BigInteger.ONE, BigInteger.valueOf(5)));
        assertEquals(BigInteger.ZERO, runs.countIn(BigInteger.valueOf(3), BigInteger.valueOf(4)));
        assertEquals(BigInteger.ONE, runs.countIn(BigInteger.valueOf(6), BigInteger.valueOf(9)));
        assertEquals(BigInteger.ZERO, runs.countIn(BigInteger.valueOf(9), BigInteger.valueOf(3)));
    }
}
