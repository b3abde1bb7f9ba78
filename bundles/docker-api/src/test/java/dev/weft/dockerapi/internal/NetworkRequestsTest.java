package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Docker's request bodies as Weft's specs. */
class NetworkRequestsTest {
    final FakeController controller = new FakeController();

    NetworkSpec create(String json) {
        return NetworkRequests.create(Body.parse(json), controller.drivers());
    }

    @Test
    void theBodyDockerCli2822SendsForCreate() {
        // as recorded from `docker network create --subnet 10.9.0.0/24 --gateway 10.9.0.1
        // -o com.docker.network.bridge.enable_icc=false --internal --label a=b x`
        NetworkSpec spec = create("{\"Driver\":\"bridge\",\"Scope\":\"\",\"IPAM\":{\"Driver\":\"default\",\"Options\":{},"
                + "\"Config\":[{\"Subnet\":\"10.9.0.0/24\",\"Gateway\":\"10.9.0.1\"}]},\"Internal\":true,\"Attachable\":false,"
                + "\"Ingress\":false,\"ConfigOnly\":false,\"ConfigFrom\":null,\"Options\":{\"com.docker.network.bridge.enable_icc\":"
                + "\"false\"},\"Labels\":{\"a\":\"b\"},\"Name\":\"x\"}");
        assertEquals("x", spec.name());
        assertEquals("bridge", spec.driver());
        assertEquals(List.of(new SubnetSpec(IpPrefix.parse("10.9.0.0/24"), null, IpAddresses.parse("10.9.0.1"), Map.of())),
                spec.subnets());
        assertTrue(spec.internal());
        assertTrue(spec.ipv4());
        assertFalse(spec.ipv6());
        assertEquals(Map.of("com.docker.network.bridge.enable_icc", "false"), spec.options());
        assertEquals(Map.of("a", "b"), spec.labels());
        assertEquals("default", spec.ipamDriver());
    }

    @Test
    void whatSdksSendWithNullsAndDefaults() {
        NetworkSpec spec = create("{\"Name\":\"y\",\"CheckDuplicate\":true,\"Driver\":\"\",\"Scope\":null,\"EnableIPv4\":null,"
                + "\"EnableIPv6\":null,\"IPAM\":null,\"Internal\":false,\"Options\":null,\"Labels\":null}");
        assertEquals(NetworkSpec.DEFAULT_DRIVER, spec.driver());
        assertEquals(List.of(), spec.subnets());
        assertTrue(spec.ipv4());
        assertFalse(spec.ipv6());
        assertEquals("default", spec.ipamDriver());
    }

    @Test
    void everyIpamConfigEntryIsOneSubnetWithItsRangeGatewayAndAuxAddresses() {
        NetworkSpec spec = create("{\"Name\":\"d\",\"EnableIPv6\":true,\"IPAM\":{\"Driver\":\"\",\"Options\":{\"o\":\"1\"},"
                + "\"Config\":[{\"Subnet\":\"10.7.0.0/24\",\"IPRange\":\"10.7.0.128/25\",\"Gateway\":\"10.7.0.1\","
                + "\"AuxiliaryAddresses\":{\"router\":\"10.7.0.254\"}},{\"Subnet\":\"fd00:7::/64\",\"Gateway\":\"fd00:7::1\"},{}]}}");
        assertTrue(spec.ipv6());
        assertEquals(Map.of("o", "1"), spec.ipamOptions());
        assertEquals(List.of(new SubnetSpec(IpPrefix.parse("10.7.0.0/24"), IpPrefix.parse("10.7.0.128/25"),
                        IpAddresses.parse("10.7.0.1"), Map.of("router", IpAddresses.parse("10.7.0.254"))),
                new SubnetSpec(IpPrefix.parse("fd00:7::/64"), null, IpAddresses.parse("fd00:7::1"), Map.of())), spec.subnets());
    }

    @Test
    void badIpamIsRefusedNamingTheField() {
        assertEquals("IPAM.Config.Gateway 10.8.0.1: is in no IPAM.Config.Subnet (10.7.0.0/24); give it inside one of them",
                refused(() -> create("{\"Name\":\"d\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.7.0.0/24\",\"Gateway\":\"10.8.0.1\"}]}}")));
        assertEquals("IPAM.Config.Subnet 10.7.0.0/33: prefix length 33 exceeds 32 for IPv4",
                refused(() -> create("{\"Name\":\"d\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.7.0.0/33\"}]}}")));
        assertEquals("IPAM.Config[1].Subnet 10.7.0.0/25: overlaps 10.7.0.0/24 of another IPAM.Config entry; give subnets that "
                + "do not overlap", refused(() -> create("{\"Name\":\"d\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.7.0.0/24\"},"
                + "{\"Subnet\":\"10.7.0.0/25\"}]}}")));
        assertEquals("IPAM.Config.Gateway 10.7.0.1: needs a IPAM.Config.Subnet that contains it",
                refused(() -> create("{\"Name\":\"d\",\"IPAM\":{\"Config\":[{\"Gateway\":\"10.7.0.1\"}]}}")));
        assertEquals("IPAM.Config.Subnet 10.7.0.0/24: is IPv4, and the network is IPv6-only (EnableIPv4 false); drop it, "
                + "or set EnableIPv4 true", refused(() -> create("{\"Name\":\"d\",\"EnableIPv4\":false,\"EnableIPv6\":true,"
                + "\"IPAM\":{\"Config\":[{\"Subnet\":\"10.7.0.0/24\"}]}}")));
    }

    @Test
    void swarmAndConfigOnlyFeaturesAndAWrongScopeAreRefused() {
        assertEquals("Name: required; give the network's name", refused(() -> create("{\"Driver\":\"bridge\"}")));
        assertTrue(refused(() -> create("{\"Name\":\"i\",\"Ingress\":true}")).startsWith("Ingress true: Weft has no swarm"));
        assertTrue(refused(() -> create("{\"Name\":\"c\",\"ConfigOnly\":true}")).startsWith("ConfigOnly true"));
        assertTrue(refused(() -> create("{\"Name\":\"c\",\"ConfigFrom\":{\"Network\":\"base\"}}")).startsWith("ConfigFrom base"));
        assertEquals("Scope global: driver bridge makes local networks; give local or leave it empty",
                refused(() -> create("{\"Name\":\"s\",\"Scope\":\"global\"}")));
        assertTrue(refused(() -> create("{\"Name\":\"s\",\"Scope\":\"swarm\"}")).startsWith("Scope swarm: Weft has no swarm"));
        create("{\"Name\":\"s\",\"Scope\":\"local\",\"ConfigFrom\":{\"Network\":\"\"}}");
    }

    @Test
    void endpointConfigOfConnect() {
        EndpointSpec spec = NetworkRequests.endpoint(Body.parse("{\"IPAMConfig\":{\"IPv4Address\":\"10.9.0.5\","
                + "\"IPv6Address\":\"fd00:9::5\"},\"Aliases\":[\"web\",\"www\"],\"MacAddress\":\"02:42:0a:09:00:05\","
                + "\"DriverOpts\":{\"com.docker.network.endpoint.ifname\":\"web0\"},\"GwPriority\":-3}"));
        assertEquals(IpAddresses.parse("10.9.0.5"), spec.ipv4());
        assertEquals(IpAddresses.parse("fd00:9::5"), spec.ipv6());
        assertEquals(List.of("web", "www"), spec.aliases());
        assertEquals("02:42:0a:09:00:05", spec.mac().toString());
        assertEquals("web0", spec.interfaceName());
        assertEquals(-3, spec.gwPriority());
        EndpointSpec none = NetworkRequests.endpoint(Body.parse("{\"IPAMConfig\":null,\"MacAddress\":\"\",\"Aliases\":null}"));
        assertNull(none.ipv4());
        assertNull(none.mac());
        assertEquals(EndpointSpec.defaults(), NetworkRequests.endpoint(null));
    }

    @Test
    void badEndpointConfigIsRefusedNamingTheField() {
        assertEquals("IPAMConfig.IPv4Address fd00::5: not an IPv4 address (IPv6 goes in IPv6Address); expected an IPv4 "
                + "address like 10.1.0.2", refused(() -> NetworkRequests.endpoint(Body.parse("{\"IPAMConfig\":{\"IPv4Address\":"
                + "\"fd00::5\"}}"))));
        assertEquals("IPAMConfig.IPv4Address web: not an IP address; expected an IPv4 address like 10.1.0.2 or an IPv6 "
                + "address like fd00:1::2", refused(() -> NetworkRequests.endpoint(Body.parse("{\"IPAMConfig\":{\"IPv4Address\":"
                + "\"web\"}}"))));
        assertEquals("MacAddress 01:00:5e:00:00:01: a multicast MAC cannot be an interface's address (the lowest bit of the first octet "
                + "is set); expected a unicast address like 02:42:ac:11:00:02",
                refused(() -> NetworkRequests.endpoint(Body.parse("{\"MacAddress\":\"01:00:5e:00:00:01\"}"))));
        assertTrue(refused(() -> NetworkRequests.endpoint(Body.parse("{\"Links\":[\"db:db\"]}"))).startsWith("Links [db:db]"));
        assertEquals("Aliases a b: expected a name without spaces",
                refused(() -> NetworkRequests.endpoint(Body.parse("{\"Aliases\":[\"a b\"]}"))));
        assertEquals("GwPriority 1.5: expected a whole number from -2147483648 to 2147483647",
                refused(() -> NetworkRequests.endpoint(Body.parse("{\"GwPriority\":1.5}"))));
    }

    private static String refused(Executable e) {
        RuntimeException x = assertThrows(RuntimeException.class, e);
        assertTrue(x instanceof ApiException || x instanceof WeftException.InvalidRequest, x.toString());
        if (x instanceof ApiException a) {
            assertEquals(400, a.status());
        }
        return x.getMessage();
    }
}
