package dev.weft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.net.MacAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointDriverOptionsTest {

    @Test
    void sysctlsBecomePathsWithTheRealNameInTheOrderGivenTheLastValueWinning() {
        Map<String, String> s = EndpointDriverOptions.sysctls(
                " net.ipv6.conf.IFNAME.accept_ra = 0,net.ipv4.conf.IFNAME.log_martians=1,net.mpls.conf.IFNAME.input=1,"
                        + "net.ipv6.conf.IFNAME.accept_ra=2", "eth0.100");
        assertEquals(List.of("net/ipv6/conf/eth0.100/accept_ra", "net/ipv4/conf/eth0.100/log_martians",
                "net/mpls/conf/eth0.100/input"), List.copyOf(s.keySet()), "a dotted name stays one path element");
        assertEquals(List.of("2", "1", "1"), List.copyOf(s.values()));
    }

    @Test
    void theDriverGetsEveryKeyButTheControllersOwn() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(EndpointDriverOptions.IFNAME, "a0");
        all.put("b", "2");
        all.put(EndpointDriverOptions.SYSCTLS, "net.ipv4.conf.IFNAME.log_martians=1");
        all.put("a", "1");
        assertEquals(List.of("b", "a"), List.copyOf(EndpointDriverOptions.forDriver(all).keySet()));
    }

    @Test
    void aSpecIsCheckedWhenMade() {
        EndpointSpec ok = EndpointSpec.defaults().withMac(MacAddress.parse("02:00:00:00:00:01"))
                .withDriverOptions(Map.of(EndpointDriverOptions.IFNAME, "web0"));
        assertEquals("web0", ok.interfaceName());
        assertEquals(0, ok.withGwPriority(0).gwPriority());
        WeftException zero = assertThrows(WeftException.InvalidRequest.class,
                () -> EndpointSpec.defaults().withMac(MacAddress.parse("00:00:00:00:00:00")));
        assertEquals("MAC address 00:00:00:00:00:00: the all-zeros MAC cannot be an interface's address; expected a "
                + "unicast address like 02:42:ac:11:00:02", zero.getMessage());
        assertThrows(WeftException.InvalidRequest.class, () -> EndpointSpec.defaults()
                .withDriverOptions(Map.of(EndpointDriverOptions.SYSCTLS, "net.ipv4.conf.IFNAME.x=1,net.core.somaxconn=9")));
        assertThrows(WeftException.InvalidRequest.class, () -> EndpointSpec.defaults()
                .withDriverOptions(Map.of(EndpointDriverOptions.IFNAME, "a:b")));
        assertEquals(Map.of(), new EndpointSpec(null, null, null, null, 3).driverOptions(), "the old constructors");
    }
}
