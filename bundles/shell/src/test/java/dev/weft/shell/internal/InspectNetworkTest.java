package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SubnetStatus;
import dev.weft.api.WeftException;
import dev.weft.net.IpPrefix;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InspectNetworkTest {
    private final FakeController controller = new FakeController();

    private InspectNetwork command(String... names) {
        InspectNetwork c = new InspectNetwork();
        c.controller = controller;
        c.networks = List.of(names);
        return c;
    }

    @Test
    void printsDockerNetworkInspectShape() throws Exception {
        controller.networks.add(Fixtures.blue());
        String out = Commands.run(command("blue"));

        JsonArray array = JsonParser.parseString(out).getAsJsonArray();
        assertEquals(1, array.size());
        JsonObject n = array.get(0).getAsJsonObject();
        assertEquals(List.of("Name", "Id", "Created", "Scope", "Driver", "EnableIPv4", "EnableIPv6", "IPAM", "Internal",
                "Attachable", "Ingress", "ConfigFrom", "ConfigOnly", "Containers", "Options", "Labels", "Available"),
                new ArrayList<>(n.keySet()));
        assertEquals("blue", n.get("Name").getAsString());
        assertEquals(Fixtures.NET_ID, n.get("Id").getAsString());
        assertEquals("2026-11-22T10:15:30.123456789Z", n.get("Created").getAsString());
        assertEquals("local", n.get("Scope").getAsString());
        assertEquals("bridge", n.get("Driver").getAsString());
        assertTrue(n.get("EnableIPv4").getAsBoolean());
        assertTrue(n.get("EnableIPv6").getAsBoolean());
        assertFalse(n.get("Internal").getAsBoolean());
        assertFalse(n.get("Attachable").getAsBoolean());
        assertFalse(n.get("Ingress").getAsBoolean());
        assertEquals("", n.getAsJsonObject("ConfigFrom").get("Network").getAsString());
        assertFalse(n.get("ConfigOnly").getAsBoolean());
        assertTrue(n.get("Available").getAsBoolean());

        JsonObject ipam = n.getAsJsonObject("IPAM");
        assertEquals("default", ipam.get("Driver").getAsString());
        assertEquals(new JsonObject(), ipam.getAsJsonObject("Options"));
        JsonArray config = ipam.getAsJsonArray("Config");
        assertEquals(2, config.size());
        JsonObject v4 = config.get(0).getAsJsonObject();
        assertEquals(List.of("Subnet", "IPRange", "Gateway", "AuxiliaryAddresses"), new ArrayList<>(v4.keySet()));
        assertEquals("10.1.0.0/24", v4.get("Subnet").getAsString());
        assertEquals("10.1.0.128/25", v4.get("IPRange").getAsString());
        assertEquals("10.1.0.1", v4.get("Gateway").getAsString());
        assertEquals("10.1.0.254", v4.getAsJsonObject("AuxiliaryAddresses").get("router").getAsString());
        JsonObject v6 = config.get(1).getAsJsonObject();
        // Docker's omitempty: no IPRange and no AuxiliaryAddresses when there are none.
        assertEquals(List.of("Subnet", "Gateway"), new ArrayList<>(v6.keySet()));
        assertEquals("fd00:1::/64", v6.get("Subnet").getAsString());
        assertEquals("fd00:1::1", v6.get("Gateway").getAsString());

        JsonObject containers = n.getAsJsonObject("Containers");
        assertEquals(List.of(Fixtures.SANDBOX_ID), new ArrayList<>(containers.keySet()));
        JsonObject c = containers.getAsJsonObject(Fixtures.SANDBOX_ID);
        assertEquals(List.of("Name", "EndpointID", "MacAddress", "IPv4Address", "IPv6Address", "GwPriority", "Aliases",
                "DNSNames"), new ArrayList<>(c.keySet()));
        assertEquals(10, c.get("GwPriority").getAsInt());
        assertEquals("web", c.get("Name").getAsString());
        assertEquals(Fixtures.ENDPOINT_ID, c.get("EndpointID").getAsString());
        assertEquals("02:42:0a:01:00:02", c.get("MacAddress").getAsString());
        assertEquals("10.1.0.2/24", c.get("IPv4Address").getAsString());
        assertEquals("fd00:1::2/64", c.get("IPv6Address").getAsString());

        assertEquals(List.of("com.docker.network.bridge.name", "mtu"), new ArrayList<>(n.getAsJsonObject("Options").keySet()));
        assertEquals("br-blue", n.getAsJsonObject("Options").get("com.docker.network.bridge.name").getAsString());
        assertEquals("<net>=ok", n.getAsJsonObject("Labels").get("team").getAsString());
    }

    @Test
    void showsTheIpamDriverAndItsOptionsInDockersIpamObject() throws Exception {
        NetworkInfo b = Fixtures.blue();
        controller.networks.add(new NetworkInfo(b.id(), "lab", b.driver(), b.scope(), b.created(), false, false, false,
                true, b.subnets().subList(0, 1), b.options(), b.labels(), List.of(), "fixed",
                Map.of("addresses", "10.1.0.50,10.1.0.40", "a", "1")));
        JsonObject n = JsonParser.parseString(Commands.run(command("lab"))).getAsJsonArray().get(0).getAsJsonObject();
        JsonObject ipam = n.getAsJsonObject("IPAM");
        assertEquals(List.of("Driver", "Options", "Config"), new ArrayList<>(ipam.keySet()));
        assertEquals("fixed", ipam.get("Driver").getAsString());
        assertEquals(List.of("a", "addresses"), new ArrayList<>(ipam.getAsJsonObject("Options").keySet()));
        assertEquals("10.1.0.50,10.1.0.40", ipam.getAsJsonObject("Options").get("addresses").getAsString());
        assertEquals("10.1.0.0/24", ipam.getAsJsonArray("Config").get(0).getAsJsonObject().get("Subnet").getAsString());
    }

    @Test
    void showsIpamStatusAfterContainersInDockersShapeSaturatingAtUint64() throws Exception {
        NetworkInfo b = Fixtures.blue();
        BigInteger twoTo64 = BigInteger.ONE.shiftLeft(64);
        controller.networks.add(b.withIpamStatus(Map.of(
                IpPrefix.parse("10.1.0.0/24"), SubnetStatus.of(5, 123),
                IpPrefix.parse("fd00:1::/64"), new SubnetStatus(BigInteger.valueOf(3), twoTo64.subtract(BigInteger.valueOf(3))))));
        JsonObject n = JsonParser.parseString(Commands.run(command("blue"))).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals(List.of("Name", "Id", "Created", "Scope", "Driver", "EnableIPv4", "EnableIPv6", "IPAM", "Internal",
                "Attachable", "Ingress", "ConfigFrom", "ConfigOnly", "Containers", "Status", "Options", "Labels",
                "Available"), new ArrayList<>(n.keySet()));
        JsonObject subnets = n.getAsJsonObject("Status").getAsJsonObject("IPAM").getAsJsonObject("Subnets");
        assertEquals(List.of("10.1.0.0/24", "fd00:1::/64"), new ArrayList<>(subnets.keySet()), "in the network's order");
        JsonObject v4 = subnets.getAsJsonObject("10.1.0.0/24");
        assertEquals(List.of("IPsInUse", "DynamicIPsAvailable"), new ArrayList<>(v4.keySet()));
        assertEquals(5, v4.get("IPsInUse").getAsInt());
        assertEquals(123, v4.get("DynamicIPsAvailable").getAsInt());
        assertEquals("18446744073709551613", subnets.getAsJsonObject("fd00:1::/64").get("DynamicIPsAvailable").toString());

        controller.networks.clear();
        controller.networks.add(b.withIpamStatus(Map.of(IpPrefix.parse("fd00:1::/64"),
                new SubnetStatus(BigInteger.ONE, twoTo64.shiftLeft(16)))));
        n = JsonParser.parseString(Commands.run(command("blue"))).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("18446744073709551615", n.getAsJsonObject("Status").getAsJsonObject("IPAM").getAsJsonObject("Subnets")
                .getAsJsonObject("fd00:1::/64").get("DynamicIPsAvailable").toString(), "a /48 saturates as Docker's uint64");
    }

    @Test
    void anIpv6OnlyNetworkShowsEnableIpv4False() throws Exception {
        NetworkInfo b = Fixtures.blue();
        controller.networks.add(new NetworkInfo(b.id(), "six", b.driver(), b.scope(), b.created(), true, false, false,
                true, b.subnets().subList(1, 2), b.options(), b.labels(), List.of(), "default", Map.of(), false, Map.of()));
        JsonObject n = JsonParser.parseString(Commands.run(command("six"))).getAsJsonArray().get(0).getAsJsonObject();
        assertFalse(n.get("EnableIPv4").getAsBoolean());
        assertTrue(n.get("EnableIPv6").getAsBoolean());
        assertFalse(n.has("Status"), "no status counted: none shown");
    }

    @Test
    void aNetworkOfTheNullIpamDriverHasNoConfig() throws Exception {
        controller.networks.add(new NetworkInfo("d".repeat(64), "bare", "sample", "local", FakeController.CREATED, false,
                false, false, true, List.of(), Map.of(), Map.of(), List.of(), "null", Map.of()));
        JsonObject n = JsonParser.parseString(Commands.run(command("bare"))).getAsJsonArray().get(0).getAsJsonObject();
        JsonObject ipam = n.getAsJsonObject("IPAM");
        assertEquals("null", ipam.get("Driver").getAsString());
        assertEquals(new JsonObject(), ipam.getAsJsonObject("Options"));
        assertEquals(new JsonArray(), ipam.getAsJsonArray("Config"));
    }

    @Test
    void printsLikeDockerWithFourSpacesAndNoHtmlEscapes() throws Exception {
        controller.networks.add(Fixtures.blue());
        String out = Commands.run(command("blue"));
        assertTrue(out.startsWith("[\n    {\n        \"Name\": \"blue\",\n"), out);
        assertTrue(out.contains("\"team\": \"<net>=ok\""), out);
        assertTrue(out.endsWith("\n]\n"), out);
    }

    @Test
    void anEndpointWithoutAddressesHasEmptyStrings() throws Exception {
        controller.networks.add(new dev.weft.api.NetworkInfo("b".repeat(64), "none", "null", "local",
                FakeController.CREATED, false, false, true, true, List.of(), java.util.Map.of(), java.util.Map.of(),
                List.of(new dev.weft.api.EndpointInfo("e".repeat(64), "none", "b".repeat(64), "x", "c".repeat(64),
                        null, null, null, null, List.of(), List.of()))));
        JsonObject n = JsonParser.parseString(Commands.run(command("none"))).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals(new JsonArray(), n.getAsJsonObject("IPAM").getAsJsonArray("Config"));
        JsonObject c = n.getAsJsonObject("Containers").getAsJsonObject("c".repeat(64));
        assertEquals("", c.get("MacAddress").getAsString());
        assertEquals("", c.get("IPv4Address").getAsString());
        assertEquals("", c.get("IPv6Address").getAsString());
    }

    /** A driver's remarks come last, as {@code "Remarks"}, and only when there are some. */
    @Test
    void remarksOfTheDriverComeLastWhenThereAreSome() throws Exception {
        controller.networks.add(Fixtures.blue().withRemarks(Map.of("HostAccess", "The host cannot reach them.",
                "NameResolution", "Names are not served.")));
        JsonObject n = JsonParser.parseString(Commands.run(command("blue"))).getAsJsonArray().get(0).getAsJsonObject();
        List<String> keys = new ArrayList<>(n.keySet());
        assertEquals("Remarks", keys.get(keys.size() - 1));
        assertEquals("The host cannot reach them.", n.getAsJsonObject("Remarks").get("HostAccess").getAsString());
        assertEquals("Names are not served.", n.getAsJsonObject("Remarks").get("NameResolution").getAsString());
    }

    @Test
    void unknownNamePrintsWhatWasFoundAndFails() {
        controller.networks.add(Fixtures.blue());
        Commands.Failure f = Commands.fail(command("blue", "nope", "gone"));
        assertEquals("networks \"nope\", \"gone\" not found", f.message());
        assertInstanceOf(WeftException.NotFound.class, f.cause());
        assertEquals(1, JsonParser.parseString(f.output()).getAsJsonArray().size());
    }

    @Test
    void onlyUnknownNamesPrintTheErrorAloneWithoutAnEmptyArray() {
        Commands.Failure f = Commands.fail(command("nope"));
        assertEquals("network \"nope\" not found", f.message());
        assertInstanceOf(WeftException.NotFound.class, f.cause());
        assertEquals("", f.output());
    }
}
