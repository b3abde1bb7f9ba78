package dev.weft.sample.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.IpamException;
import dev.weft.spi.PoolAllocation;
import dev.weft.spi.PoolRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FixedIpamTest {
    private static final IpPrefix SUBNET = IpPrefix.parse("10.77.0.0/24");
    private static final Map<String, String> LIST = Map.of("addresses", "10.77.0.50, 10.77.0.40");
    private final FixedIpam ipam = new FixedIpam();

    private PoolAllocation pool(Map<String, String> options) {
        return ipam.requestPool(new PoolRequest("fixed-local", SUBNET, null, false, options));
    }

    private String next(PoolAllocation p) {
        return IpAddresses.format(ipam.requestAddress(p.id(), AddressRequest.any()).address().address());
    }

    @Test
    void endpointsGetTheListInItsOrderAndTheGatewayIsOutsideIt() {
        PoolAllocation p = pool(LIST);
        assertEquals("fixed/fixed-local/10.77.0.0/24", p.id().toString());
        assertEquals("10.77.0.1", IpAddresses.format(p.gateway()));
        ipam.requestAddress(p.id(), AddressRequest.gateway(p.gateway()));
        assertEquals("10.77.0.50", next(p));
        assertEquals("10.77.0.40", next(p));
        IpamException full = assertThrows(IpamException.class, () -> next(p));
        assertEquals(IpamException.Reason.POOL_EXHAUSTED, full.reason());
        ipam.releaseAddress(p.id(), IpAddresses.parse("10.77.0.50"));
        assertEquals("10.77.0.50", next(p));
    }

    @Test
    void aReplayGivesTheSameIdAndTakesTheRecordedAddressesBack() {
        PoolAllocation p = pool(LIST);
        next(p);
        FixedIpam restarted = new FixedIpam();
        PoolAllocation again = restarted.requestPool(new PoolRequest("fixed-local", SUBNET, null, false, LIST));
        assertEquals(p.id(), again.id());
        restarted.requestAddress(again.id(), AddressRequest.endpoint(IpAddresses.parse("10.77.0.50")));
        assertEquals("10.77.0.40", IpAddresses.format(restarted.requestAddress(again.id(), AddressRequest.any())
                .address().address()));
        assertEquals(IpamException.Reason.ADDRESS_IN_USE, assertThrows(IpamException.class, () -> restarted
                .requestAddress(again.id(), AddressRequest.endpoint(IpAddresses.parse("10.77.0.50")))).reason());
    }

    @Test
    void whatItCannotServeIsRefusedNamingTheValue() {
        assertEquals("IPAM driver \"fixed\" picks no subnets: give one with --subnet, and its endpoints' addresses "
                + "with --ipam-opt addresses=A,B,...", assertThrows(IpamException.class, () -> ipam.requestPool(
                new PoolRequest("fixed-local", null, null, false, LIST))).getMessage());
        assertEquals("IPAM driver \"fixed\" needs the endpoints' addresses: --ipam-opt addresses=A,B,... inside subnet "
                + "10.77.0.0/24", assertThrows(IpamException.class, () -> pool(Map.of())).getMessage());
        assertEquals("IPAM driver \"fixed\" has no option color; it takes addresses=A,B,... (the endpoints' "
                + "addresses, in order)", assertThrows(IpamException.class,
                () -> pool(Map.of("addresses", "10.77.0.5", "color", "red"))).getMessage());
        assertEquals("addresses: 10.78.0.5 is not inside subnet 10.77.0.0/24",
                assertThrows(IpamException.class, () -> pool(Map.of("addresses", "10.78.0.5"))).getMessage());
        assertEquals("addresses: 10.77.0.255 is the network or broadcast address of 10.77.0.0/24, which no interface "
                + "can use", assertThrows(IpamException.class, () -> pool(Map.of("addresses", "10.77.0.255"))).getMessage());
        assertEquals("addresses: \"ten\" is not an IP address",
                assertThrows(IpamException.class, () -> pool(Map.of("addresses", "ten"))).getMessage());
        assertEquals("addresses: 10.77.0.5 is given twice",
                assertThrows(IpamException.class, () -> pool(Map.of("addresses", "10.77.0.5,10.77.0.5"))).getMessage());
        pool(LIST);
        IpamException overlap = assertThrows(IpamException.class, () -> ipam.requestPool(new PoolRequest("fixed-local",
                IpPrefix.parse("10.77.0.0/16"), null, false, LIST)));
        assertEquals(IpamException.Reason.POOL_OVERLAP, overlap.reason());
        assertEquals(SUBNET, overlap.pool());
    }
}
