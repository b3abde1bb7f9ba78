package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.DnsSettings;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxLink;
import dev.weft.api.WeftException;
import dev.weft.api.docker.SandboxShapes;
import dev.weft.net.IpAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Name resolution in the shell: sandbox:create's --hostname, --dns*, --link; names in the inspect commands. */
class NameCommandsTest {
    private final FakeController controller = new FakeController();

    private CreateSandbox create(String name) {
        CreateSandbox c = new CreateSandbox();
        c.controller = controller;
        c.name = name;
        return c;
    }

    @Test
    void createPassesHostnameDnsSettingsAndLinksToTheSpec() throws Exception {
        CreateSandbox c = create("web");
        c.hostname = "web1";
        c.dns = List.of("192.0.2.53", " 2001:db8::53 ", "fe80::1%7");
        c.dnsSearch = List.of("example.com", "corp.example.");
        c.dnsOptions = List.of("ndots:2", "edns0");
        c.links = List.of("db:database", "cache");

        assertEquals(FakeController.hexId('c') + "\n", Commands.run(c));

        assertEquals("web1", controller.sandboxSpec.hostname());
        DnsSettings dns = controller.sandboxSpec.dns();
        assertEquals(IpAddresses.parse("192.0.2.53"), dns.servers().get(0));
        assertEquals(IpAddresses.parse("2001:db8::53"), dns.servers().get(1));
        Inet6Address scoped = (Inet6Address) dns.servers().get(2);
        assertEquals(IpAddresses.parse("fe80::1"), InetAddress.getByAddress(scoped.getAddress()));
        assertEquals(7, scoped.getScopeId(), "a numeric scope is the scope id");
        assertEquals(List.of("example.com", "corp.example."), dns.search());
        assertEquals(List.of("ndots:2", "edns0"), dns.options());
        assertEquals(List.of(new SandboxLink("db", "database"), new SandboxLink("cache", "cache")),
                controller.sandboxSpec.links());
    }

    @Test
    void createWithoutNameOptionsLeavesThemUnset() throws Exception {
        Commands.run(create("web"));
        assertNull(controller.sandboxSpec.hostname());
        assertEquals(DnsSettings.NONE, controller.sandboxSpec.dns());
        assertEquals(List.of(), controller.sandboxSpec.links());
    }

    @Test
    void dnsScopeMayNameAnInterfaceOfThisHost() throws Exception {
        NetworkInterface nic = Collections.list(NetworkInterface.getNetworkInterfaces()).get(0);
        CreateSandbox c = create("web");
        c.dns = List.of("fe80::1%" + nic.getName());
        Commands.run(c);
        Inet6Address scoped = (Inet6Address) controller.sandboxSpec.dns().servers().get(0);
        assertEquals(nic.getName(), scoped.getScopedInterface().getName());
        assertEquals("fe80::1%" + nic.getName(), OptionValues.formatDnsServer(scoped));
    }

    @Test
    void badDnsServersAreRefusedNamingTheValueAndNothingIsCreated() {
        String accepted = "expected IPv4 like 192.0.2.53 or IPv6 like 2001:db8::53 "
                + "('fe80::1%eth0', single-quoted, for a link-local one)";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("x", "--dns x: not an IP address; " + accepted);
        cases.put("300.1.1.1", "--dns 300.1.1.1: not an IP address; " + accepted);
        cases.put("dns.example.com", "--dns dns.example.com: not an IP address; " + accepted);
        cases.put("fe80::1%", "--dns fe80::1%: the scope after % is empty: give an interface name or a numeric "
                + "scope id; " + accepted);
        cases.put("192.0.2.53%eth0", "--dns 192.0.2.53%eth0: only an IPv6 address takes a %SCOPE; " + accepted);
        cases.put("fe80::1%nosuchif9", "--dns fe80::1%nosuchif9: this host has no interface \"nosuchif9\" for the "
                + "scope: give an interface it has or a numeric scope id like fe80::1%2");
        cases.forEach((value, message) -> {
            CreateSandbox c = create("web");
            c.dns = List.of("192.0.2.1", value);
            Commands.Failure f = Commands.fail(c);
            assertEquals(message, f.message());
            assertInstanceOf(WeftException.InvalidRequest.class, f.cause());
        });
        assertEquals(List.of(), controller.calls, "nothing created");
        assertNull(controller.sandboxSpec);
    }

    @Test
    void badSearchDomainsOptionsLinksAndHostnamesAreRefusedBeforeTheController() {
        CreateSandbox search = create("web");
        search.dnsSearch = List.of("bad domain");
        assertTrue(Commands.fail(search).message().startsWith("DNS search domain \"bad domain\" is not a domain name"));

        CreateSandbox option = create("web");
        option.dnsOptions = List.of("ndots 2");
        assertTrue(Commands.fail(option).message().startsWith("DNS option \"ndots 2\" is not a resolver option"));

        CreateSandbox link = create("web");
        link.links = List.of("db:");
        assertEquals("link \"db:\" is not valid: use NAME or NAME:ALIAS", Commands.fail(link).message());

        CreateSandbox hostname = create("web");
        hostname.hostname = "two words";
        assertEquals("--hostname two words: expected a name without spaces, e.g. web1", Commands.fail(hostname).message());

        assertEquals(List.of(), controller.calls);
    }

    static SandboxInfo named() throws Exception {
        EndpointInfo e = Fixtures.endpoint().withDnsNames(List.of("web", "www", "fedcba987654", "web1"));
        InetAddress scoped = Inet6Address.getByAddress(null, IpAddresses.parse("fe80::1").getAddress(), 3);
        return new SandboxInfo(Fixtures.SANDBOX_ID, "web", Path.of("/run/netns/web"), SandboxInfo.Mode.CREATED,
                FakeController.CREATED, List.of(e), "blue", List.of(), "web1",
                new DnsSettings(List.of(IpAddresses.parse("192.0.2.53"), scoped), List.of("example.com"),
                        List.of("ndots:2")),
                List.of(new SandboxLink("db", "database"), new SandboxLink("cache", "cache")));
    }

    @Test
    void inspectShowsHostnameDnsSettingsLinksDnsNamesAndResolverFiles() throws Exception {
        controller.sandboxes.add(named());
        controller.resolverFiles.put("web", Map.of(
                "resolv.conf", "nameserver 127.0.0.11\nsearch example.com\noptions ndots:2 ndots:0\n",
                "hosts", "127.0.0.1\tlocalhost\n10.1.0.2\tweb1\n10.1.0.3\tdb database\n"));
        InspectSandbox c = new InspectSandbox();
        c.controller = controller;
        c.sandboxes = List.of("web");
        String out = Commands.run(c);
        JsonObject s = JsonParser.parseString(out).getAsJsonArray().get(0).getAsJsonObject();

        assertEquals("web1", s.get("Hostname").getAsString());
        assertEquals(JsonParser.parseString("[\"192.0.2.53\",\"fe80::1%3\"]"), s.get("Dns"));
        assertEquals(JsonParser.parseString("[\"example.com\"]"), s.get("DnsSearch"));
        assertEquals(JsonParser.parseString("[\"ndots:2\"]"), s.get("DnsOptions"));
        assertEquals(JsonParser.parseString("[\"db:database\",\"cache\"]"), s.get("Links"));
        JsonObject e = s.getAsJsonArray("Endpoints").get(0).getAsJsonObject();
        assertEquals(JsonParser.parseString("[\"www\"]"), e.get("Aliases"));
        assertEquals(JsonParser.parseString("[\"web\",\"www\",\"fedcba987654\",\"web1\"]"), e.get("DNSNames"));
        assertEquals(JsonParser.parseString("[\"nameserver 127.0.0.11\",\"search example.com\","
                + "\"options ndots:2 ndots:0\"]"), s.get("ResolvConf"));
        assertEquals(JsonParser.parseString("[\"127.0.0.1\\tlocalhost\",\"10.1.0.2\\tweb1\",\"10.1.0.3\\tdb database\"]"),
                s.get("Hosts"));
        assertEquals(List.of("sandbox web", "resolverFiles web"), controller.calls);
    }

    @Test
    void inspectWithoutNamesShowsDefaultsAndNoFiles() throws Exception {
        controller.sandboxes.add(Fixtures.web());
        InspectSandbox c = new InspectSandbox();
        c.controller = controller;
        c.sandboxes = List.of("web");
        JsonObject s = JsonParser.parseString(Commands.run(c)).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("web", s.get("Hostname").getAsString(), "its name when --hostname gave none");
        for (String key : List.of("Dns", "DnsSearch", "DnsOptions", "Links", "ResolvConf", "Hosts")) {
            assertEquals(new JsonArray(), s.get(key), key);
        }
        assertEquals(new JsonArray(), s.getAsJsonArray("Endpoints").get(0).getAsJsonObject().get("DNSNames"));
    }

    @Test
    void inspectOfASandboxRemovedBeforeItsFilesAreReadReportsItMissing() {
        controller.sandboxes.add(Fixtures.web());
        FakeController removing = new FakeController() {
            @Override
            public Map<String, String> resolverFiles(String sandbox) {
                throw new WeftException.NotFound("sandbox \"" + sandbox + "\" not found");
            }
        };
        removing.sandboxes.add(Fixtures.web());
        InspectSandbox c = new InspectSandbox();
        c.controller = removing;
        c.sandboxes = List.of("web");
        Commands.Failure f = Commands.fail(c);
        assertEquals("sandbox \"web\" not found", f.message());
        assertEquals("", f.output());
    }

    @Test
    void linesOfAFileDropOnlyTheEmptyOneAfterTheLastNewline() {
        assertEquals(List.of("a", "", "b"), SandboxShapes.lines("a\n\nb\n"));
        assertEquals(List.of("a", "b"), SandboxShapes.lines("a\r\nb"));
        assertEquals(List.of(), SandboxShapes.lines(""));
        assertEquals(List.of(), SandboxShapes.lines(null));
    }

    @Test
    void networkInspectShowsEachContainersAliasesAndDnsNames() throws Exception {
        NetworkInfo blue = Fixtures.blue();
        EndpointInfo e = blue.endpoints().get(0).withDnsNames(List.of("web", "www", "fedcba987654"));
        controller.networks.add(new NetworkInfo(blue.id(), blue.name(), blue.driver(), blue.scope(), blue.created(),
                blue.ipv6(), blue.internal(), false, blue.available(), blue.subnets(), blue.options(), blue.labels(),
                List.of(e)));
        InspectNetwork c = new InspectNetwork();
        c.controller = controller;
        c.networks = List.of("blue");
        JsonObject n = JsonParser.parseString(Commands.run(c)).getAsJsonArray().get(0).getAsJsonObject();
        JsonObject container = n.getAsJsonObject("Containers").getAsJsonObject(Fixtures.SANDBOX_ID);
        assertEquals(JsonParser.parseString("[\"www\"]"), container.get("Aliases"));
        assertEquals(JsonParser.parseString("[\"web\",\"www\",\"fedcba987654\"]"), container.get("DNSNames"));
    }
}
