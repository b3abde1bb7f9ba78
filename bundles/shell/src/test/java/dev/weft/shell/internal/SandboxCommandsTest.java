package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.EndpointSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxCommandsTest {
    private final FakeController controller = new FakeController();

    private CreateSandbox create(String name) {
        CreateSandbox c = new CreateSandbox();
        c.controller = controller;
        c.name = name;
        return c;
    }

    @Test
    void createPrintsTheIdAndPassesTheFirstNetworksEndpoint() throws Exception {
        CreateSandbox c = create("web");
        c.network = "blue";
        c.publish = List.of("8080:80", "127.0.0.1:5353:53/udp");
        c.ip = "10.1.0.7";
        c.ip6 = "fd00:1::7";
        c.aliases = List.of("www", "api");

        assertEquals(FakeController.hexId('c') + "\n", Commands.run(c));

        assertEquals("web", controller.sandboxSpec.name());
        assertEquals("blue", controller.sandboxSpec.network());
        assertNull(controller.sandboxSpec.namespace());
        EndpointSpec e = controller.sandboxSpec.endpoint();
        assertEquals(IpAddresses.parse("10.1.0.7"), e.ipv4());
        assertEquals(IpAddresses.parse("fd00:1::7"), e.ipv6());
        assertEquals(List.of("www", "api"), e.aliases());
        assertEquals(List.of(PortSpec.parse("8080:80"), PortSpec.parse("127.0.0.1:5353:53/udp")), e.ports());
    }

    @Test
    void createWithoutOptionsLeavesTheNetworkToTheController() throws Exception {
        CreateSandbox c = create("lonely");
        c.netns = "/proc/1234/ns/net";
        Commands.run(c);
        assertNull(controller.sandboxSpec.network());
        assertEquals(Path.of("/proc/1234/ns/net"), controller.sandboxSpec.namespace());
        assertEquals(EndpointSpec.defaults(), controller.sandboxSpec.endpoint());
    }

    @Test
    void malformedPublishNamesTheValueAndCallsNothing() {
        CreateSandbox c = create("web");
        c.network = "blue";
        c.publish = List.of("80:abc");
        Commands.Failure f = Commands.fail(c);
        assertTrue(f.message().startsWith("port publication \"80:abc\" is not valid: container port \"abc\""), f.message());
        assertInstanceOf(WeftException.InvalidRequest.class, f.cause());
        assertEquals(List.of(), controller.calls);
    }

    @Test
    void wrongAddressFamiliesAndPathsAreRefusedBeforeTheController() {
        CreateSandbox v6AsIp = create("web");
        v6AsIp.ip = "fd00::7";
        assertEquals("--ip fd00::7: not an IPv4 address (use --ip6 for IPv6); expected an IPv4 address like 10.1.0.2",
                Commands.fail(v6AsIp).message());

        CreateSandbox name = create("web");
        name.ip6 = "localhost";
        assertEquals("--ip6 localhost: not an IP address; expected an IPv6 address like fd00:1::2",
                Commands.fail(name).message());

        CreateSandbox relative = create("web");
        relative.netns = "proc/1/ns/net";
        assertEquals("--netns proc/1/ns/net: expected an absolute path like /proc/1234/ns/net or /run/netns/NAME",
                Commands.fail(relative).message());

        CreateSandbox alias = create("web");
        alias.aliases = List.of("two words");
        assertEquals("--alias two words: expected a name without spaces", Commands.fail(alias).message());

        assertEquals(List.of(), controller.calls);
    }

    @Test
    void connectPassesAddressesAliasesAndPortsAndDisconnectPassesForce() throws Exception {
        ConnectNetwork c = new ConnectNetwork();
        c.controller = controller;
        c.network = "blue";
        c.sandbox = "web";
        c.ip = "10.1.0.9";
        c.aliases = List.of("www");
        c.publish = List.of("9090:90");
        assertEquals("", Commands.run(c));
        assertEquals(IpAddresses.parse("10.1.0.9"), controller.endpointSpec.ipv4());
        assertEquals(List.of("www"), controller.endpointSpec.aliases());
        assertEquals(List.of(PortSpec.parse("9090:90")), controller.endpointSpec.ports());

        DisconnectNetwork d = new DisconnectNetwork();
        d.controller = controller;
        d.network = "blue";
        d.sandbox = "web";
        d.force = true;
        assertEquals("", Commands.run(d));
        assertEquals(List.of("connect blue web", "disconnect -f blue web"), controller.calls);
    }

    @Test
    void gwPriorityIsPassedOnCreateAndConnectAndMustBeAWholeNumber() throws Exception {
        CreateSandbox c = create("web");
        c.network = "blue";
        c.gwPriority = "-5";
        Commands.run(c);
        assertEquals(-5, controller.sandboxSpec.endpoint().gwPriority());

        ConnectNetwork n = new ConnectNetwork();
        n.controller = controller;
        n.network = "green";
        n.sandbox = "web";
        n.gwPriority = "10";
        Commands.run(n);
        assertEquals(10, controller.endpointSpec.gwPriority());

        n.gwPriority = null;
        Commands.run(n);
        assertEquals(0, controller.endpointSpec.gwPriority(), "0 when not given, as Docker's");

        n.gwPriority = "high";
        Commands.Failure f = Commands.fail(n);
        assertEquals("--gw-priority high: expected a whole number from -2147483648 to 2147483647 like 10 or -1 (of a "
                + "sandbox's networks, the one with the highest gives its default route; default 0)", f.message());
        assertInstanceOf(WeftException.InvalidRequest.class, f.cause());
        CreateSandbox big = create("web");
        big.gwPriority = "99999999999";
        assertTrue(Commands.fail(big).message().startsWith("--gw-priority 99999999999: expected a whole number"));
        assertEquals(List.of("createSandbox web", "connect green web", "connect green web"), controller.calls);
    }

    @Test
    void createTakesDockersLongNetworkFormWithItsGatewayPriority() throws Exception {
        CreateSandbox c = create("web");
        c.network = "name=blue,gw-priority=7,ip=10.1.0.7,alias=www,ip6=fd00:1::7";
        c.aliases = List.of("api");
        Commands.run(c);
        assertEquals("blue", controller.sandboxSpec.network());
        EndpointSpec e = controller.sandboxSpec.endpoint();
        assertEquals(7, e.gwPriority());
        assertEquals(IpAddresses.parse("10.1.0.7"), e.ipv4());
        assertEquals(IpAddresses.parse("fd00:1::7"), e.ipv6());
        assertEquals(List.of("api", "www"), e.aliases());

        CreateSandbox twice = create("web");
        twice.network = "name=blue,gw-priority=7";
        twice.gwPriority = "3";
        assertEquals("--network name=blue,gw-priority=7: gw-priority is also given as --gw-priority; give it once",
                Commands.fail(twice).message());
        CreateSandbox unknown = create("web");
        unknown.network = "name=blue,driver-opt=a=b";
        assertEquals("--network name=blue,driver-opt=a=b: unknown key \"driver-opt\"; known keys: name, "
                + "alias, ip, ip6, gw-priority, mac-address (give driver options with --driver-opt)",
                Commands.fail(unknown).message());
        CreateSandbox nameless = create("web");
        nameless.network = "gw-priority=1";
        assertEquals("--network gw-priority=1: no name=; expected e.g. name=blue,gw-priority=10",
                Commands.fail(nameless).message());
        CreateSandbox bad = create("web");
        bad.network = "name=blue,gw-priority=x";
        assertTrue(Commands.fail(bad).message().startsWith("--gw-priority x: expected a whole number"));
        assertEquals(List.of("createSandbox web"), controller.calls);
    }

    @Test
    void connectWithAMalformedAddressCallsNothing() {
        ConnectNetwork c = new ConnectNetwork();
        c.controller = controller;
        c.network = "blue";
        c.sandbox = "web";
        c.ip = "10.1.0.999";
        assertEquals("--ip 10.1.0.999: not an IP address; expected an IPv4 address like 10.1.0.2", Commands.fail(c).message());
        assertEquals(List.of(), controller.calls);
    }

    @Test
    void connectFailureFromTheControllerIsItsMessage() {
        controller.failOn("web", new WeftException.Conflict("sandbox \"web\" is already connected to network \"blue\""));
        ConnectNetwork c = new ConnectNetwork();
        c.controller = controller;
        c.network = "blue";
        c.sandbox = "web";
        assertEquals("sandbox \"web\" is already connected to network \"blue\"", Commands.fail(c).message());
    }

    @Test
    void inspectShowsEndpointsInJoinOrderWithDockerStylePorts() throws Exception {
        controller.sandboxes.add(Fixtures.web());
        InspectSandbox c = new InspectSandbox();
        c.controller = controller;
        c.sandboxes = List.of("web");
        JsonArray array = JsonParser.parseString(Commands.run(c)).getAsJsonArray();
        JsonObject s = array.get(0).getAsJsonObject();
        assertEquals(List.of("Id", "Name", "Hostname", "Namespace", "Mode", "Created", "NetworkMode", "SharedBy", "Dns",
                "DnsSearch", "DnsOptions", "Links", "Endpoints", "ResolvConf", "Hosts"), new ArrayList<>(s.keySet()));
        assertEquals("blue", s.get("NetworkMode").getAsString(), "Docker's HostConfig.NetworkMode: its first network");
        assertEquals(Fixtures.SANDBOX_ID, s.get("Id").getAsString());
        assertEquals("web", s.get("Name").getAsString());
        assertEquals("/run/netns/web", s.get("Namespace").getAsString());
        assertEquals("created", s.get("Mode").getAsString());
        assertEquals("2026-11-22T10:15:30.123456789Z", s.get("Created").getAsString());
        JsonObject e = s.getAsJsonArray("Endpoints").get(0).getAsJsonObject();
        assertEquals(List.of("Network", "NetworkID", "EndpointID", "Interface", "MacAddress", "IPv4Address", "IPv6Address",
                "Aliases", "DNSNames", "GwPriority", "DriverOpts", "DefaultRoutes", "Ports"), new ArrayList<>(e.keySet()));
        assertEquals(JsonParser.parseString("{\"com.docker.network.endpoint.ifname\":\"web0\"}"), e.get("DriverOpts"));
        assertEquals(10, e.get("GwPriority").getAsInt());
        assertEquals(JsonParser.parseString("[\"IPv4\"]"), e.get("DefaultRoutes"), "IPv6's is another endpoint's");
        assertEquals("blue", e.get("Network").getAsString());
        assertEquals(Fixtures.NET_ID, e.get("NetworkID").getAsString());
        assertEquals("eth0", e.get("Interface").getAsString());
        assertEquals("02:42:0a:01:00:02", e.get("MacAddress").getAsString());
        assertEquals("10.1.0.2/24", e.get("IPv4Address").getAsString());
        assertEquals("fd00:1::2/64", e.get("IPv6Address").getAsString());
        assertEquals("www", e.getAsJsonArray("Aliases").get(0).getAsString());
        JsonObject ports = e.getAsJsonObject("Ports");
        assertEquals(JsonParser.parseString("{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}],"
                + "\"53/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"5353\"}]}"), ports);
    }

    @Test
    void inspectUnknownSandboxPrintsTheErrorAloneAndFails() {
        InspectSandbox c = new InspectSandbox();
        c.controller = controller;
        c.sandboxes = List.of("nope");
        Commands.Failure f = Commands.fail(c);
        assertEquals("sandbox \"nope\" not found", f.message());
        assertEquals("", f.output(), "no empty array before the error");
    }

    @Test
    void inspectOfFoundAndMissingSandboxesPrintsTheFoundOnesThenFails() {
        controller.sandboxes.add(Fixtures.web());
        InspectSandbox c = new InspectSandbox();
        c.controller = controller;
        c.sandboxes = List.of("web", "nope");
        Commands.Failure f = Commands.fail(c);
        assertEquals("sandbox \"nope\" not found", f.message());
        assertEquals(1, JsonParser.parseString(f.output()).getAsJsonArray().size());
    }
}
