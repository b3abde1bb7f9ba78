package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.PortSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.impl.action.command.ManagerImpl;
import org.apache.karaf.shell.impl.console.SessionFactoryImpl;
import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs command lines through Karaf's own shell (the classes the OSGi command extender uses:
 * SessionFactoryImpl, ManagerImpl, the Gogo parser, DefaultActionPreparator), with the fake
 * controller registered as the service the commands' {@code @Reference} asks for, and the
 * commands printing to {@code System.out} as they do in Karaf. No OSGi container: this proves the
 * annotations, option parsing, output redirection and error reporting, not bundle wiring.
 */
class KarafSessionTest {
    private final FakeController controller = new FakeController();
    private ThreadIOImpl threadIO;
    private SessionFactoryImpl factory;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Session session;

    @BeforeEach
    void startShell() {
        threadIO = new ThreadIOImpl();
        threadIO.start(); // replaces System.out with the per-thread dispatcher, as Karaf does
        factory = new SessionFactoryImpl(threadIO);
        factory.getRegistry().register(controller);
        ManagerImpl manager = new ManagerImpl(factory.getRegistry(), factory.getRegistry());
        KarafContractTest.COMMANDS.forEach(manager::register);
        KarafContractTest.COMPLETERS.forEach(manager::register);
        session = factory.create(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stopShell() {
        session.close();
        factory.stop();
        threadIO.stop();
    }

    private String execute(String line) throws Exception {
        out.reset();
        session.execute(line);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void createParsesRepeatedOptionsAndPrintsTheIdThroughSystemOut() throws Exception {
        String printed = execute("network:create -d bridge --subnet 10.1.0.0/24 --subnet fd00:1::/64"
                + " --gateway 10.1.0.1 --ip-range 10.1.0.128/25 --aux-address router=10.1.0.254 --ipv6"
                + " -o mtu=1400 --opt com.docker.network.bridge.name=br-blue --label team=net blue");
        assertEquals(FakeController.hexId('a') + "\n", printed);
        assertEquals("blue", controller.networkSpec.name());
        assertEquals(2, controller.networkSpec.subnets().size());
        assertEquals(IpAddresses.parse("10.1.0.1"), controller.networkSpec.subnets().get(0).gateway());
        assertEquals(Map.of("mtu", "1400", "com.docker.network.bridge.name", "br-blue"), controller.networkSpec.options());
        assertEquals(Map.of("team", "net"), controller.networkSpec.labels());
        assertTrue(controller.networkSpec.ipv6());
    }

    @Test
    void createParsesTheNameOptionsAsDockerRunWritesThem() throws Exception {
        String printed = execute("sandbox:create --hostname web1 --dns 192.0.2.53 --dns 2001:db8::53 --dns 'fe80::1%7'"
                + " --dns-search example.com --dns-search corp.example --dns-option ndots:2 --dns-option edns0"
                + " --link db:database --link cache web");
        assertEquals(FakeController.hexId('c') + "\n", printed);
        assertEquals("web1", controller.sandboxSpec.hostname());
        assertEquals(List.of("192.0.2.53", "2001:db8::53", "fe80::1%7"),
                controller.sandboxSpec.dns().servers().stream().map(OptionValues::formatDnsServer).toList());
        assertEquals(List.of("example.com", "corp.example"), controller.sandboxSpec.dns().search());
        assertEquals(List.of("ndots:2", "edns0"), controller.sandboxSpec.dns().options());
        assertEquals(List.of(new dev.weft.api.SandboxLink("db", "database"), new dev.weft.api.SandboxLink("cache", "cache")),
                controller.sandboxSpec.links());

        CommandException e = assertThrows(CommandException.class, () -> execute("sandbox:create --dns x other"));
        assertEquals("--dns x: not an IP address; expected IPv4 like 192.0.2.53 or IPv6 like 2001:db8::53 "
                + "('fe80::1%eth0', single-quoted, for a link-local one)", e.getMessage());
        assertEquals(List.of("createSandbox web"), controller.calls);
    }

    @Test
    void ipv4TakesFalseAsDockersFlagDoesAndIsOnWithoutIt() throws Exception {
        execute("network:create --ipv4=false --ipv6 six");
        assertFalse(controller.networkSpec.ipv4());
        assertTrue(controller.networkSpec.ipv6());
        execute("network:create --ipv4 four");
        assertTrue(controller.networkSpec.ipv4());
        execute("network:create --subnet 0.0.0.0/24 plain");
        assertTrue(controller.networkSpec.ipv4());
        assertEquals("0.0.0.0/24", controller.networkSpec.subnets().get(0).subnet().toString(), "a size: core's to read");
    }

    @Test
    void aWeftErrorReachesTheCallerAsOneLineWithItsOwnMessage() {
        CommandException e = assertThrows(CommandException.class,
                () -> execute("network:create --subnet 10.0.0.0/33 blue"));
        assertEquals("--subnet 10.0.0.0/33: prefix length 33 exceeds 32 for IPv4", e.getMessage());
        assertInstanceOf(WeftException.InvalidRequest.class, e.getCause());
        assertEquals(List.of(), controller.calls);
    }

    @Test
    void aliasesRunTheSameCommand() throws Exception {
        controller.networks.add(Fixtures.network(Fixtures.NET_ID, "blue", "bridge", true));
        assertEquals("0123456789ab\n", execute("network:ls -q"));
        assertEquals(execute("network:list"), execute("network:ls"));
        assertEquals("blue\n", execute("network:rm blue"));
        assertEquals("", execute("sandbox:ls -q"));
        execute("driver:ls");
    }

    @Test
    void sandboxCreateTakesPublishAndNetworkModes() throws Exception {
        execute("sandbox:create --network container:db -p 8080:80 --publish 127.0.0.1:53:53/udp --alias www web");
        assertEquals("container:db", controller.sandboxSpec.network());
        assertEquals(List.of(PortSpec.parse("8080:80"), PortSpec.parse("127.0.0.1:53:53/udp")),
                controller.sandboxSpec.endpoint().ports());
        assertEquals(List.of("www"), controller.sandboxSpec.endpoint().aliases());
    }

    @Test
    void aBracketedIpv6PublishNeedsQuotesInTheShell() throws Exception {
        // Gogo reads an unquoted [ ... ] as a list literal, which Karaf then refuses as extra
        // arguments; quoted, the value arrives as typed. The option's help says so.
        CommandException e = assertThrows(CommandException.class,
                () -> execute("sandbox:create --network blue -p [::1]:8080:80 web"));
        assertEquals("Too many arguments specified", e.getMessage());
        execute("sandbox:create --network blue -p '[::1]:8080:80' web");
        assertEquals(List.of(PortSpec.parse("[::1]:8080:80")), controller.sandboxSpec.endpoint().ports());
    }

    @Test
    void helpIsGeneratedFromTheAnnotations() throws Exception {
        String help = execute("network:create --help");
        assertTrue(help.contains("--subnet"), help);
        assertTrue(help.contains("--aux-address"), help);
        assertTrue(help.contains("-d, --driver"), help);
    }

    @Test
    void missingArgumentIsKarafsUsageError() {
        CommandException e = assertThrows(CommandException.class, () -> execute("network:connect blue"));
        assertTrue(e.getMessage().contains("sandbox"), e.getMessage());
        assertEquals(List.of(), controller.calls);
    }
}
