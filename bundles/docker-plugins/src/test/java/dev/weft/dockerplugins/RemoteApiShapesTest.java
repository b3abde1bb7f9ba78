package dev.weft.dockerplugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.PortBinding;
import dev.weft.api.SubnetInfo;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.spi.AddressRequest;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.PoolId;
import dev.weft.spi.PoolRequest;
import dev.weft.spi.Scope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The requests and answers against the shapes of libnetwork's remote API ({@code drivers/remote/api},
 * {@code ipams/remote/api}): field names exactly as Docker's, addresses with or without prefix
 * lengths where Docker has them, answers of the wrong shape refused naming the member.
 */
class RemoteApiShapesTest {
    private static final String NID = "a".repeat(64), EID = "b".repeat(64);

    private static void assertJson(String expected, JsonObject actual) {
        assertEquals(JsonParser.parseString(expected), actual, "got " + actual);
    }

    private static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    private static EndpointConfig endpoint(MacAddress mac) {
        return new EndpointConfig(EID, "eth0", InterfaceAddress.parse("10.1.0.2/24"), InterfaceAddress.parse("fd00:1::2/64"),
                IpAddresses.parse("10.1.0.1"), IpAddresses.parse("fd00:1::1"), true, true, mac, List.of(),
                Map.of("k", "v"), Map.of());
    }

    @Test
    void createNetworkCarriesGenericOptionsIpv6FlagAndIpamDataAsDockerDoes() {
        NetworkConfig n = new NetworkConfig(NID, "blue", true, false, List.of(
                new SubnetInfo(IpPrefix.parse("10.1.0.0/24"), null, IpAddresses.parse("10.1.0.1"),
                        Map.of("router", IpAddresses.parse("10.1.0.250"))),
                new SubnetInfo(IpPrefix.parse("fd00:1::/64"), null, IpAddresses.parse("fd00:1::1"), Map.of())),
                Map.of(), false, "default", true);
        assertJson("{\"NetworkID\": \"" + NID + "\", \"Options\": {\"com.docker.network.generic\": {\"mtu\": \"1400\"},"
                + " \"com.docker.network.enable_ipv6\": true},"
                + " \"IPv4Data\": [{\"AddressSpace\": \"LocalDefault\", \"Pool\": \"10.1.0.0/24\", \"Gateway\": \"10.1.0.1/24\","
                + "   \"AuxAddresses\": {\"router\": \"10.1.0.250/24\"}}],"
                + " \"IPv6Data\": [{\"AddressSpace\": \"LocalDefault\", \"Pool\": \"fd00:1::/64\", \"Gateway\": \"fd00:1::1/64\"}]}",
                NetworkApi.createNetwork(n, Map.of("mtu", "1400"), "LocalDefault"));
    }

    @Test
    void endpointCallsNameNetworkAndEndpoint() {
        assertJson("{\"NetworkID\": \"" + NID + "\", \"EndpointID\": \"" + EID + "\", \"Interface\": {\"Address\": "
                + "\"10.1.0.2/24\", \"AddressIPv6\": \"fd00:1::2/64\", \"MacAddress\": \"\"}, \"Options\": {\"k\": \"v\"}}",
                NetworkApi.createEndpoint(NID, endpoint(null)));
        assertEquals("02:42:0a:01:00:02", NetworkApi.createEndpoint(NID, endpoint(MacAddress.parse("02:42:0a:01:00:02")))
                .getAsJsonObject("Interface").get("MacAddress").getAsString());
        assertJson("{\"NetworkID\": \"" + NID + "\", \"EndpointID\": \"" + EID + "\", \"SandboxKey\": \"/run/netns/s\","
                + " \"Options\": {}}", NetworkApi.join(NID, EID, "/run/netns/s"));
        assertJson("{\"NetworkID\": \"" + NID + "\", \"EndpointID\": \"" + EID + "\"}", NetworkApi.endpoint(NID, EID));
        assertJson("{\"NetworkID\": \"" + NID + "\"}", NetworkApi.network(NID));
    }

    @Test
    void externalConnectivityCarriesDockersPortMapAndExposedPorts() {
        List<PortBinding> ports = List.of(new PortBinding("tcp", null, 8080, 80),
                new PortBinding("tcp", IpAddresses.parse("127.0.0.1"), 8081, 80), new PortBinding("udp", null, 5353, 53));
        assertJson("{\"NetworkID\": \"" + NID + "\", \"EndpointID\": \"" + EID + "\", \"Options\": {"
                + "\"com.docker.network.portmap\": ["
                + "  {\"Proto\": 6, \"IP\": \"10.1.0.2\", \"Port\": 80, \"HostIP\": \"\", \"HostPort\": 8080, \"HostPortEnd\": 8080},"
                + "  {\"Proto\": 6, \"IP\": \"10.1.0.2\", \"Port\": 80, \"HostIP\": \"127.0.0.1\", \"HostPort\": 8081, \"HostPortEnd\": 8081},"
                + "  {\"Proto\": 17, \"IP\": \"10.1.0.2\", \"Port\": 53, \"HostIP\": \"\", \"HostPort\": 5353, \"HostPortEnd\": 5353}],"
                + "\"com.docker.network.endpoint.exposedports\": [{\"Proto\": 6, \"Port\": 80}, {\"Proto\": 17, \"Port\": 53}]}}",
                NetworkApi.programExternal(NID, endpoint(null), ports));
    }

    @Test
    void discoveryIsNodeDiscoveryWithTheHostsAddresses() {
        assertJson("{\"DiscoveryType\": 1, \"DiscoveryData\": {\"Address\": \"192.0.2.7\", \"BindAddress\": \"192.0.2.1\","
                + " \"Self\": false}}", NetworkApi.discover(IpAddresses.parse("192.0.2.7"), IpAddresses.parse("192.0.2.1")));
    }

    @Test
    void capabilitiesAreReadWithDockersDefaults() {
        assertEquals(new NetworkApi.Capabilities(Scope.GLOBAL, "global"),
                NetworkApi.capabilities(json("{\"Scope\": \"global\", \"ConnectivityScope\": \"global\"}")));
        assertEquals(new NetworkApi.Capabilities(Scope.LOCAL, "local"), NetworkApi.capabilities(json("{}")));
        Json.Shape e = assertThrows(Json.Shape.class, () -> NetworkApi.capabilities(json("{\"Scope\": \"galaxy\"}")));
        assertTrue(e.getMessage().contains("galaxy"), e.getMessage());
    }

    @Test
    void joinAnswersAreReadAsDockerWritesThem() {
        NetworkApi.Joined j = NetworkApi.joined(json("{\"InterfaceName\": {\"SrcName\": \"veth1\", \"DstPrefix\": \"eth\"},"
                + " \"Gateway\": \"10.1.0.1\", \"GatewayIPv6\": \"fd00:1::1\", \"StaticRoutes\": ["
                + " {\"Destination\": \"10.9.0.0/16\", \"RouteType\": 0, \"NextHop\": \"10.1.0.254\"},"
                + " {\"Destination\": \"10.8.0.0/24\", \"RouteType\": 1}], \"DisableGatewayService\": true}"));
        assertEquals("veth1", j.srcName());
        assertEquals("eth", j.dstPrefix());
        assertEquals(IpAddresses.parse("10.1.0.1"), j.gateway());
        assertEquals(IpAddresses.parse("fd00:1::1"), j.gateway6());
        assertEquals(List.of(new NetworkApi.StaticRoute(IpPrefix.parse("10.9.0.0/16"), 0, IpAddresses.parse("10.1.0.254")),
                new NetworkApi.StaticRoute(IpPrefix.parse("10.8.0.0/24"), 1, null)), j.staticRoutes());
        assertTrue(j.disableGatewayService());
        NetworkApi.Joined bare = NetworkApi.joined(json("{\"InterfaceName\": {\"SrcName\": \"v\"}}"));
        assertNull(bare.gateway());
        assertEquals(List.of(), bare.staticRoutes());
    }

    @Test
    void joinAnswersOfAnotherShapeNameTheMember() {
        for (String[] bad : new String[][] {
                {"{\"StaticRoutes\": [{\"Destination\": \"10.8.0.0/24\", \"RouteType\": 2}]}", "RouteType 2"},
                {"{\"StaticRoutes\": [{\"Destination\": \"10.8.0.0/24\", \"RouteType\": 0}]}", "NextHop"},
                {"{\"StaticRoutes\": [{\"RouteType\": 1}]}", "Destination"},
                {"{\"Gateway\": \"ten\"}", "\"Gateway\""},
                {"{\"InterfaceName\": \"veth1\"}", "\"InterfaceName\""},
                {"{\"StaticRoutes\": {}}", "\"StaticRoutes\""}}) {
            Json.Shape e = assertThrows(Json.Shape.class, () -> NetworkApi.joined(json(bad[0])), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void createEndpointAnswersMayFillInAMacAddress() {
        NetworkApi.Interface i = NetworkApi.createdEndpoint(json("{\"Interface\": {\"MacAddress\": \"02:42:ac:11:00:02\"}}"));
        assertEquals(MacAddress.parse("02:42:ac:11:00:02"), i.mac());
        assertNull(i.address());
        assertEquals(NetworkApi.Interface.NONE, NetworkApi.createdEndpoint(json("{}")));
        assertEquals(InterfaceAddress.parse("10.1.0.9/24"),
                NetworkApi.createdEndpoint(json("{\"Interface\": {\"Address\": \"10.1.0.9/24\"}}")).address());
        assertThrows(Json.Shape.class, () -> NetworkApi.createdEndpoint(json("{\"Interface\": {\"MacAddress\": \"x\"}}")));
    }

    @Test
    void ipamRequestsAreDockersShapes() {
        assertJson("{\"AddressSpace\": \"plocal\", \"Pool\": \"\", \"SubPool\": \"\", \"Options\": {}, \"V6\": false}",
                IpamApi.requestPool(PoolRequest.automatic("plocal", false)));
        assertJson("{\"AddressSpace\": \"plocal\", \"Pool\": \"10.1.0.0/16\", \"SubPool\": \"10.1.2.0/24\","
                + " \"Options\": {\"o\": \"1\"}, \"V6\": false}", IpamApi.requestPool(new PoolRequest("plocal",
                IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.1.2.0/24"), false, Map.of("o", "1"))));
        PoolId id = PoolId.parse("p1");
        assertJson("{\"PoolID\": \"p1\"}", IpamApi.pool(id));
        assertJson("{\"PoolID\": \"p1\", \"Address\": \"\", \"Options\": {\"RequestAddressType\": "
                + "\"com.docker.network.gateway\"}}", IpamApi.requestAddress(id, AddressRequest.gateway(null)));
        assertJson("{\"PoolID\": \"p1\", \"Address\": \"10.1.0.7\", \"Options\": {}}",
                IpamApi.requestAddress(id, AddressRequest.endpoint(IpAddresses.parse("10.1.0.7"))));
        assertJson("{\"PoolID\": \"p1\", \"Address\": \"10.1.0.7\"}",
                IpamApi.releaseAddress(id, IpAddresses.parse("10.1.0.7")));
    }

    @Test
    void ipamAnswersAreReadAndCheckedForShape() {
        IpamApi.Pool p = IpamApi.pool(json("{\"PoolID\": \"plug-10.1.0.0/24\", \"Pool\": \"10.1.0.0/24\","
                + " \"Data\": {\"com.docker.network.gateway\": \"10.1.0.254/24\"}}"));
        assertEquals(new IpamApi.Pool(PoolId.parse("plug-10.1.0.0/24"), IpPrefix.parse("10.1.0.0/24"),
                IpAddresses.parse("10.1.0.254")), p);
        assertNull(IpamApi.pool(json("{\"PoolID\": \"x\", \"Pool\": \"10.1.0.0/24\"}")).gateway());
        assertEquals(InterfaceAddress.parse("10.1.0.3/24"), IpamApi.address(json("{\"Address\": \"10.1.0.3/24\"}")));
        assertEquals("plocal", IpamApi.addressSpaces(json("{\"LocalDefaultAddressSpace\": \"plocal\","
                + " \"GlobalDefaultAddressSpace\": \"pglobal\"}")).local());
        for (String[] bad : new String[][] {
                {"{\"Pool\": \"10.1.0.0/24\"}", "PoolID"},
                {"{\"PoolID\": \"has space\", \"Pool\": \"10.1.0.0/24\"}", "cannot be kept"},
                {"{\"PoolID\": \"x\", \"Pool\": \"ten\"}", "\"Pool\""},
                {"{\"PoolID\": \"x\"}", "\"Pool\""}}) {
            Json.Shape e = assertThrows(Json.Shape.class, () -> IpamApi.pool(json(bad[0])), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
        }
        assertThrows(Json.Shape.class, () -> IpamApi.address(json("{\"Address\": \"10.1.0.3\"}")));
        assertThrows(Json.Shape.class, () -> IpamApi.addressSpaces(json("{\"LocalDefaultAddressSpace\": \"s\","
                + " \"GlobalDefaultAddressSpace\": \"s\"}")));
    }

    @Test
    void endpointOperInfoIsTheValuesMembersAsText() {
        Map<String, String> info = NetworkApi.operInfo(json("{\"Value\": {\"HostVeth\": \"ph01\", \"Mtu\": 1500,"
                + " \"Up\": true, \"Bridge\": {\"Name\": \"pb1\", \"Ports\": [1, 2]}, \"Gone\": null}}"));
        assertEquals(List.of("HostVeth", "Mtu", "Up", "Bridge", "Gone"), List.copyOf(info.keySet()), "in the plugin's order");
        assertEquals("ph01", info.get("HostVeth"), "a string as itself");
        assertEquals("1500", info.get("Mtu"));
        assertEquals("true", info.get("Up"));
        assertEquals("{\"Name\":\"pb1\",\"Ports\":[1,2]}", info.get("Bridge"), "an object as compact JSON");
        assertEquals("null", info.get("Gone"));
        assertEquals(Map.of(), NetworkApi.operInfo(json("{}")), "no Value: nothing to say");
        Json.Shape e = assertThrows(Json.Shape.class, () -> NetworkApi.operInfo(json("{\"Value\": [1]}")));
        assertTrue(e.getMessage().contains("\"Value\""), e.getMessage());
        assertJson("{\"NetworkID\": \"" + NID + "\", \"EndpointID\": \"" + EID + "\"}", NetworkApi.endpoint(NID, EID));
    }

    @Test
    void activationListsWhatThePluginImplements() {
        assertEquals(List.of("NetworkDriver", "IpamDriver"),
                Plugins.implemented(json("{\"Implements\": [\"NetworkDriver\", \"IpamDriver\"]}")));
        assertThrows(Json.Shape.class, () -> Plugins.implemented(json("{\"Implements\": [1]}")));
        JsonElement none = json("{}");
        assertEquals(List.of(), Plugins.implemented(none.getAsJsonObject()));
    }
}
