package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.NetworkSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CreateNetworkTest {
    private final FakeController controller = new FakeController();

    private CreateNetwork command(String name) {
        CreateNetwork c = new CreateNetwork();
        c.controller = controller;
        c.name = name;
        return c;
    }

    @Test
    void printsTheIdAndPassesEveryOption() throws Exception {
        CreateNetwork c = command("blue");
        c.driver = "macvlan";
        c.ipv6 = true;
        c.internal = true;
        c.options = List.of("parent=eth0", "mode=bridge");
        c.labels = List.of("team=net", "beta");

        assertEquals(FakeController.hexId('a') + "\n", Commands.run(c));

        NetworkSpec spec = controller.networkSpec;
        assertEquals("blue", spec.name());
        assertEquals("macvlan", spec.driver());
        assertTrue(spec.ipv6());
        assertTrue(spec.internal());
        assertEquals(Map.of("parent", "eth0", "mode", "bridge"), spec.options());
        assertEquals(Map.of("team", "net", "beta", ""), spec.labels());
        assertEquals(List.of(), spec.subnets());
    }

    @Test
    void aRepeatedRouteIsGatheredAndAnyOtherRepeatedKeyKeepsItsLastValue() throws Exception {
        CreateNetwork c = command("blue");
        c.options = List.of("route=10.9.0.0/24,10.1.0.254", "mtu=1400", "route=fd00:9::/64,fd00:1::fe,20", "mtu=1300");
        Commands.run(c);
        assertEquals(Map.of("route", "10.9.0.0/24,10.1.0.254;fd00:9::/64,fd00:1::fe,20", "mtu", "1300"),
                controller.networkSpec.options());
    }

    @Test
    void ipv4FalseMakesAnIpv6OnlyRequestAndRefusesEveryIpv4ValueNamingIt() throws Exception {
        CreateNetwork c = command("six");
        c.ipv4 = false;
        c.ipv6 = true;
        c.subnets = List.of("fd00:6::/64");
        c.gateways = List.of("fd00:6::1");
        Commands.run(c);
        assertTrue(!controller.networkSpec.ipv4() && controller.networkSpec.ipv6());
        assertTrue(command("four").ipv4 == null, "without --ipv4: on");

        String[][] refused = {
            {"--subnet", "10.6.0.0/24"}, {"--gateway", "10.6.0.1"}, {"--ip-range", "10.6.0.0/25"},
            {"--aux-address", "router=10.6.0.9"}};
        for (String[] r : refused) {
            controller.networkSpec = null;
            CreateNetwork bad = command("bad");
            bad.ipv4 = false;
            bad.ipv6 = true;
            bad.subnets = new java.util.ArrayList<>(List.of("fd00:6::/64"));
            switch (r[0]) {
                case "--subnet" -> bad.subnets.add(r[1]);
                case "--gateway" -> bad.gateways = List.of(r[1]);
                case "--ip-range" -> bad.ipRanges = List.of(r[1]);
                default -> bad.auxAddresses = List.of(r[1]);
            }
            Commands.Failure f = Commands.fail(bad);
            assertEquals(r[0] + " " + r[1] + ": is IPv4, and the network is IPv6-only (--ipv4=false); drop it, or drop "
                    + "--ipv4=false", f.message());
            assertInstanceOf(WeftException.InvalidRequest.class, f.cause());
            assertNull(controller.networkSpec, "the controller was not asked");
        }
    }

    @Test
    void withoutDriverTheSpecDefaultsToBridge() throws Exception {
        Commands.run(command("blue"));
        assertEquals("bridge", controller.networkSpec.driver());
    }

    @Test
    void passesTheIpamDriverAndItsOptionsLikeDocker() throws Exception {
        CreateNetwork c = command("lab");
        c.ipamDriver = "fixed";
        c.ipamOptions = List.of("addresses=10.77.0.50,10.77.0.40", "note=a=b");
        Commands.run(c);
        assertEquals("fixed", controller.networkSpec.ipamDriver());
        assertEquals(Map.of("addresses", "10.77.0.50,10.77.0.40", "note", "a=b"), controller.networkSpec.ipamOptions());
    }

    @Test
    void aDriverOptionWithoutValueIsTheKeyWithAnEmptyValueAsDockersOpt() throws Exception {
        CreateNetwork c = command("sealed");
        c.options = List.of("encrypted", "com.docker.network.driver.mtu=1400");
        Commands.run(c);
        assertEquals(Map.of("encrypted", "", "com.docker.network.driver.mtu", "1400"), controller.networkSpec.options(),
                "the driver decides what an empty value means (the overlay refuses encrypted)");
    }

    @Test
    void withoutIpamDriverTheSpecHasTheDefaultOneAndNoOptions() throws Exception {
        Commands.run(command("blue"));
        assertEquals("default", controller.networkSpec.ipamDriver());
        assertEquals(Map.of(), controller.networkSpec.ipamOptions());
    }

    @Test
    void anEmptyIpamDriverNameReachesTheControllerAsEmpty() throws Exception {
        CreateNetwork c = command("blue");
        c.ipamDriver = "";
        Commands.run(c);
        assertEquals("", controller.networkSpec.ipamDriver(), "core refuses it naming the installed IPAM drivers");
    }

    @Test
    void rangesGatewaysAndAuxAddressesGoToTheSubnetThatContainsThem() throws Exception {
        CreateNetwork c = command("blue");
        c.subnets = List.of("10.1.0.0/24", "fd00:1::/64");
        // Given in the other order: Docker pairs by containment, not by position.
        c.gateways = List.of("fd00:1::1", "10.1.0.1");
        c.ipRanges = List.of("10.1.0.128/25");
        c.auxAddresses = List.of("router=10.1.0.254", "dns6=fd00:1::53");
        Commands.run(c);

        List<SubnetSpec> subnets = controller.networkSpec.subnets();
        assertEquals(2, subnets.size());
        SubnetSpec v4 = subnets.get(0);
        assertEquals(IpPrefix.parse("10.1.0.0/24"), v4.subnet());
        assertEquals(IpPrefix.parse("10.1.0.128/25"), v4.ipRange());
        assertEquals(IpAddresses.parse("10.1.0.1"), v4.gateway());
        assertEquals(Map.of("router", IpAddresses.parse("10.1.0.254")), v4.auxAddresses());
        SubnetSpec v6 = subnets.get(1);
        assertEquals(IpPrefix.parse("fd00:1::/64"), v6.subnet());
        assertNull(v6.ipRange());
        assertEquals(IpAddresses.parse("fd00:1::1"), v6.gateway());
        assertEquals(Map.of("dns6", IpAddresses.parse("fd00:1::53")), v6.auxAddresses());
    }

    @Test
    void anEmptyDriverNameReachesTheControllerAsEmptyNotAsTheDefault() throws Exception {
        CreateNetwork c = command("blue");
        c.driver = "";
        Commands.run(c);
        assertEquals("", controller.networkSpec.driver(), "core refuses it naming the installed drivers");
    }

    @Test
    void anIpv6LinkLocalGatewayBelongsToTheOnlyIpv6Subnet() throws Exception {
        CreateNetwork c = command("blue");
        c.subnets = List.of("10.1.0.0/24", "fd00:1::/64");
        c.gateways = List.of("fe80::1");
        Commands.run(c);

        List<SubnetSpec> subnets = controller.networkSpec.subnets();
        assertNull(subnets.get(0).gateway());
        assertEquals(IpAddresses.parse("fe80::1"), subnets.get(1).gateway());
    }

    @Test
    void theIthGatewayGivenInOrderBelongsToTheIthSubnet() throws Exception {
        CreateNetwork c = command("blue");
        c.subnets = List.of("10.1.0.0/24", "10.2.0.0/24");
        c.gateways = List.of("10.1.0.1", "10.2.0.1");
        c.ipRanges = List.of("10.1.0.0/26", "10.2.0.64/26");
        Commands.run(c);

        List<SubnetSpec> subnets = controller.networkSpec.subnets();
        assertEquals(IpAddresses.parse("10.1.0.1"), subnets.get(0).gateway());
        assertEquals(IpAddresses.parse("10.2.0.1"), subnets.get(1).gateway());
        assertEquals(IpPrefix.parse("10.1.0.0/26"), subnets.get(0).ipRange());
        assertEquals(IpPrefix.parse("10.2.0.64/26"), subnets.get(1).ipRange());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        subnet length      | --subnet=10.0.0.0/33                     | --subnet 10.0.0.0/33: prefix length 33 exceeds 32 for IPv4
        subnet v6 length   | --subnet=fd00::/129                      | --subnet fd00::/129: prefix length 129 exceeds 128 for IPv6
        subnet no length   | --subnet=10.0.0.0                        | --subnet 10.0.0.0: no prefix length; expected ADDRESS/LENGTH like 10.1.0.0/16 or fd00:1::/64
        subnet bad length  | --subnet=10.0.0.0/x                      | --subnet 10.0.0.0/x: prefix length "x" is not a number in 0-32
        subnet host name   | --subnet=example.com/24                  | --subnet example.com/24: "example.com" is not an IP address; expected ADDRESS/LENGTH like 10.1.0.0/16 or fd00:1::/64
        subnet host bits   | --subnet=10.1.0.1/24                     | --subnet 10.1.0.1/24: host bits are set; did you mean 10.1.0.0/24?
        subnets overlap    | --subnet=10.1.0.0/16 --subnet=10.1.2.0/24 | --subnet 10.1.2.0/24: overlaps --subnet 10.1.0.0/16; give subnets that do not overlap
        gateway no subnet  | --gateway=10.1.0.1                       | --gateway 10.1.0.1: needs a --subnet that contains it
        range no subnet    | --ip-range=10.1.0.0/25                   | --ip-range 10.1.0.0/25: needs a --subnet that contains it
        gateway outside    | --subnet=10.1.0.0/24 --gateway=10.2.0.1  | --gateway 10.2.0.1: is in no --subnet (10.1.0.0/24); give it inside one of them
        link-local no v6   | --subnet=10.1.0.0/24 --gateway=fe80::1   | --gateway fe80::1: is an IPv6 link-local gateway and needs an IPv6 --subnet to serve
        link-local two v6  | --subnet=fd00:1::/64 --subnet=fd00:2::/64 --gateway=fe80::1 | --gateway fe80::1: is link-local, so it could serve any of the IPv6 subnets (fd00:1::/64, fd00:2::/64); give one IPv6 subnet, or a gateway inside each
        gateway not an IP  | --subnet=10.1.0.0/24 --gateway=gw.local  | --gateway gw.local: not an IP address; expected an IPv4 address like 10.1.0.2 or an IPv6 address like fd00:1::2
        two gateways       | --subnet=10.1.0.0/24 --gateway=10.1.0.1 --gateway=10.1.0.2 | --gateway 10.1.0.2: subnet 10.1.0.0/24 already has --gateway 10.1.0.1; give one gateway per subnet
        range outside      | --subnet=10.1.0.0/24 --ip-range=10.9.0.0/25 | --ip-range 10.9.0.0/25: is in no --subnet (10.1.0.0/24); give it inside one of them
        range too big      | --subnet=10.1.0.0/24 --ip-range=10.1.0.0/16 | --ip-range 10.1.0.0/16: is larger than its subnet 10.1.0.0/24; give a range inside the subnet
        aux no name        | --subnet=10.1.0.0/24 --aux-address=10.1.0.5 | --aux-address 10.1.0.5: expected NAME=IP like router=10.1.0.254
        aux not an IP      | --subnet=10.1.0.0/24 --aux-address=r=10.1.0.300 | --aux-address r=10.1.0.300: "10.1.0.300" is not an IP address; expected NAME=IP like router=10.1.0.254
        aux outside        | --subnet=10.1.0.0/24 --aux-address=r=10.2.0.5 | --aux-address r=10.2.0.5: is in no --subnet (10.1.0.0/24); give it inside one of them
        aux twice          | --subnet=10.1.0.0/24 --aux-address=r=10.1.0.5 --aux-address=r=10.1.0.6 | --aux-address r=10.1.0.6: the name "r" is given twice
        opt empty key      | -o==1500                                 | -o =1500: the key is empty; expected KEY=VALUE
        ipam opt no value  | --ipam-opt=addresses                    | --ipam-opt addresses: expected KEY=VALUE
        ipam opt empty key | --ipam-opt==x                            | --ipam-opt =x: the key is empty; expected KEY=VALUE
        """)
    void malformedValuesFailWithOneLineNamingTheValueAndCallNothing(String caseName, String args, String expected) {
        CreateNetwork c = command("blue");
        for (String arg : args.trim().split(" ")) {
            String option = arg.substring(0, arg.indexOf('='));
            String value = arg.substring(arg.indexOf('=') + 1);
            switch (option) {
                case "--subnet" -> c.subnets = append(c.subnets, value);
                case "--gateway" -> c.gateways = append(c.gateways, value);
                case "--ip-range" -> c.ipRanges = append(c.ipRanges, value);
                case "--aux-address" -> c.auxAddresses = append(c.auxAddresses, value);
                case "-o" -> c.options = append(c.options, value);
                case "--ipam-opt" -> c.ipamOptions = append(c.ipamOptions, value);
                default -> throw new IllegalArgumentException(option);
            }
        }
        Commands.Failure f = Commands.fail(c);
        assertEquals(expected, f.message());
        assertInstanceOf(WeftException.InvalidRequest.class, f.cause());
        assertEquals(List.of(), controller.calls, "nothing may be asked of the controller");
        assertEquals("", f.output());
    }

    @Test
    void aRefusalOfTheControllerIsItsOwnMessage() {
        controller.failOn("blue", new WeftException.Conflict(
                "network \"blue\": subnet 10.1.0.0/16 overlaps network \"red\" (10.1.0.0/24)"));
        CreateNetwork c = command("blue");
        c.subnets = List.of("10.1.0.0/16");
        Commands.Failure f = Commands.fail(c);
        assertEquals("network \"blue\": subnet 10.1.0.0/16 overlaps network \"red\" (10.1.0.0/24)", f.message());
        assertInstanceOf(WeftException.Conflict.class, f.cause());
    }

    private static List<String> append(List<String> list, String value) {
        List<String> out = list == null ? new java.util.ArrayList<>() : new java.util.ArrayList<>(list);
        out.add(value);
        return out;
    }
}
