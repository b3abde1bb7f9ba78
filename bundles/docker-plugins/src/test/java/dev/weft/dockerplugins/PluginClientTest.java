package dev.weft.dockerplugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.net.IpAddresses;
import dev.weft.spi.Discovery;
import dev.weft.spi.DriverContext;
import dev.weft.spi.PortMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against plugin.py on a Unix socket (no root, no kernel): what each way of failing
 * becomes ({@link PluginCallException.Kind}, a message naming plugin and call), within the timeout,
 * and a global plugin's discovery calls.
 */
class PluginClientTest {
    private static final Duration TIMEOUT = Duration.ofMillis(800);
    private Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<PluginClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-plugin-client-");
        try (InputStream in = PluginClientTest.class.getResourceAsStream("plugin.py")) {
            Files.copy(in, dir.resolve("plugin.py"));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        clients.forEach(PluginClient::close);
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private PluginClient plugin(String name, String... args) throws Exception {
        Path socket = dir.resolve(name + ".sock");
        List<String> cmd = new ArrayList<>(List.of("python3", dir.resolve("plugin.py").toString(), "--socket",
                socket.toString(), "--state", dir.resolve(name + ".json").toString()));
        cmd.addAll(List.of(args));
        processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .start());
        PluginFixture.await(name + "'s socket", Duration.ofSeconds(10), () -> Files.exists(socket));
        return client(name, socket);
    }

    private PluginClient client(String name, Path socket) {
        return client(name, socket, TIMEOUT);
    }

    private PluginClient client(String name, Path socket, Duration timeout) {
        PluginClient c = new PluginClient(PluginAddress.unix(name, socket, socket), timeout,
                Executors.defaultThreadFactory());
        clients.add(c);
        return c;
    }

    private PluginCallException fails(PluginClient c, String call) {
        long start = System.nanoTime();
        PluginCallException e = assertThrows(PluginCallException.class, () -> c.call(call, new JsonObject()));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < TIMEOUT.toMillis() + 700, call + " failed after " + ms + " ms: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("Docker plugin \"" + c.name() + "\": " + call + " "), e.getMessage());
        return e;
    }

    @Test
    void activationAnswersWhatThePluginImplements() throws Exception {
        PluginClient c = plugin("both", "--kind", "both");
        assertEquals(List.of("NetworkDriver", "IpamDriver"),
                c.call(Plugins.ACTIVATE, new JsonObject(), Plugins::implemented));
    }

    @Test
    void eachWayOfFailingIsNamed() throws Exception {
        PluginClient c = plugin("bad", "--hang", "NetworkDriver.CreateNetwork", "--garbage", "NetworkDriver.DeleteNetwork",
                "--http-error", "NetworkDriver.Leave", "--refuse", "NetworkDriver.Join");
        PluginCallException hang = fails(c, NetworkApi.CREATE_NETWORK);
        assertEquals(PluginCallException.Kind.TIMEOUT, hang.kind(), hang.getMessage());
        assertTrue(hang.getMessage().contains("did not answer within 800 ms"), hang.getMessage());
        PluginCallException garbage = fails(c, NetworkApi.DELETE_NETWORK);
        assertEquals(PluginCallException.Kind.GARBAGE, garbage.kind(), garbage.getMessage());
        assertTrue(garbage.getMessage().contains("not JSON: \"<html>this is not JSON</html>\""), garbage.getMessage());
        PluginCallException http = fails(c, NetworkApi.LEAVE);
        assertEquals(PluginCallException.Kind.HTTP_STATUS, http.kind(), http.getMessage());
        assertTrue(http.getMessage().contains("HTTP 500: \"internal trouble, sorry\""), http.getMessage());
        PluginCallException refused = fails(c, NetworkApi.JOIN);
        assertEquals(PluginCallException.Kind.REFUSED, refused.kind(), refused.getMessage());
        assertEquals("the test plugin refuses NetworkDriver.Join", refused.pluginMessage());
        PluginCallException unknown = fails(c, "IpamDriver.RequestPool");
        assertEquals(PluginCallException.Kind.REFUSED, unknown.kind(), "a 404 with an Err is the plugin's refusal");
        PluginCallException shape = assertThrows(PluginCallException.class,
                () -> c.call(Plugins.ACTIVATE, new JsonObject(), IpamApi::pool));
        assertTrue(shape.getMessage().contains("no \"PoolID\""), shape.getMessage());
        assertEquals(PluginCallException.Kind.GARBAGE, shape.kind(), shape.getMessage());
    }

    @Test
    void aSocketNobodyListensOnIsUnreachable() throws Exception {
        Path socket = dir.resolve("dead.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(socket)); // bound, closed: the file stays, nobody answers
        }
        PluginCallException e = fails(client("dead", socket), Plugins.ACTIVATE);
        assertEquals(PluginCallException.Kind.UNREACHABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be reached at unix://" + socket), e.getMessage());
    }

    @Test
    void aGlobalPluginFollowsTheClustersHosts() throws Exception {
        PluginClient c = plugin("glob", "--scope", "global");
        NetworkApi.Capabilities caps = c.call(NetworkApi.GET_CAPABILITIES, new JsonObject(), NetworkApi::capabilities);
        RemoteDriver d = RemoteDriver.of(c, caps, null, context(), name -> "", Runnable::run);
        Discovery discovery = assertInstanceOf(Discovery.class, d, "a global plugin's driver implements Discovery");
        Discovery.Node node = new Discovery.Node("h2", IpAddresses.parse("192.0.2.2"), Map.of());
        discovery.nodeJoined(node);
        discovery.nodeLeft(node);
        JsonArray calls = JsonParser.parseString(Files.readString(dir.resolve("glob.json"))).getAsJsonObject()
                .getAsJsonArray("calls");
        List<String> seen = new ArrayList<>();
        calls.forEach(x -> seen.add(x.getAsJsonArray().get(0).getAsString() + " "
                + x.getAsJsonArray().get(1).getAsJsonObject()));
        String data = "{\"DiscoveryData\":{\"Address\":\"192.0.2.2\",\"BindAddress\":\"\",\"Self\":false},\"DiscoveryType\":1}";
        assertTrue(seen.contains("NetworkDriver.DiscoverNew " + data), seen.toString());
        assertTrue(seen.contains("NetworkDriver.DiscoverDelete " + data), seen.toString());
        PluginClient local = plugin("loc");
        assertTrue(!(RemoteDriver.of(local, local.call(NetworkApi.GET_CAPABILITIES, new JsonObject(),
                NetworkApi::capabilities), null, context(), name -> "", Runnable::run) instanceof Discovery),
                "a local plugin's driver does not");
    }

    /**
     * EndpointOperInfo waits at most 5 s, or the plugin's timeout when that is shorter: a plugin that
     * hangs on it costs an inspect no more (Docker's default timeout is 30 s); one that does not know
     * the endpoint refuses, in its own words.
     */
    @Test
    void endpointOperInfoIsBoundedByFiveSecondsOrThePluginsTimeout() throws Exception {
        plugin("hangs", "--hang", NetworkApi.ENDPOINT_OPER_INFO);
        Path socket = dir.resolve("hangs.sock");
        NetworkApi.Capabilities caps = new NetworkApi.Capabilities(dev.weft.spi.Scope.LOCAL, "local");
        dev.weft.spi.NetworkConfig n = new dev.weft.spi.NetworkConfig("a".repeat(64), "blue", false, false, List.of(),
                Map.of(), false, "default", true);
        dev.weft.spi.EndpointConfig e = new dev.weft.spi.EndpointConfig("b".repeat(64), "eth0", null, null, null, null,
                false, false, null, List.of(), Map.of(), Map.of());
        for (Duration timeout : List.of(Duration.ofSeconds(30), TIMEOUT)) {
            RemoteDriver d = RemoteDriver.of(client("hangs", socket, timeout), caps, null, context(), x -> "", Runnable::run);
            Duration bound = timeout.compareTo(RemoteDriver.OPER_INFO_BOUND) < 0 ? timeout : RemoteDriver.OPER_INFO_BOUND;
            long start = System.nanoTime();
            PluginCallException x = assertThrows(PluginCallException.class, () -> d.endpointInfo(n, Map.of(), e));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(PluginCallException.Kind.TIMEOUT, x.kind(), x.getMessage());
            assertTrue(ms >= bound.toMillis() - 100 && ms < bound.toMillis() + 700, "with a timeout of " + timeout
                    + " EndpointOperInfo gave up after " + ms + " ms, expected about " + bound.toMillis() + ": "
                    + x.getMessage());
            assertTrue(x.getMessage().startsWith("Docker plugin \"hangs\": NetworkDriver.EndpointOperInfo did not answer "
                    + "within "), x.getMessage());
        }
        PluginClient c = plugin("knows", "--kind", "net");
        RemoteDriver d = RemoteDriver.of(c, caps, null, context(), x -> "", Runnable::run);
        PluginCallException refused = assertThrows(PluginCallException.class, () -> d.endpointInfo(n, Map.of(), e));
        assertEquals(PluginCallException.Kind.REFUSED, refused.kind(), refused.getMessage());
        assertEquals("no endpoint " + "b".repeat(64), refused.pluginMessage());
    }

    private static DriverContext context() {
        return new DriverContext() {
            @Override
            public String instance() {
                return "t";
            }

            @Override
            public String linkPrefix() {
                return "t";
            }

            @Override
            public String nftTable() {
                return "t";
            }

            @Override
            public FirewallMode firewallMode() {
                return FirewallMode.NONE;
            }

            @Override
            public int defaultMtu() {
                return 0;
            }

            @Override
            public Optional<PortMapper> portMapper(String name) {
                return Optional.empty();
            }

            @Override
            public <K> dev.weft.spi.DeferredWork<K> deferredWork(dev.weft.spi.DeferredPolicy policy,
                                                                 dev.weft.spi.DeferredWork.Task<K> task) {
                throw new UnsupportedOperationException("not used by the plugin drivers");
            }
        };
    }
}
