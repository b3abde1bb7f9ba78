package dev.weft.dockerplugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery as Docker's pkg/plugins: sockets, NAME/NAME.sock, .spec and .json files, order, refusals. */
class PluginScanTest {
    private Path root;
    private final List<ServerSocketChannel> sockets = new ArrayList<>();
    private final Map<Path, String> problems = new LinkedHashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory("weft-plugin-scan-");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (ServerSocketChannel s : sockets) {
            s.close();
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Path socket(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(p));
        sockets.add(s);
        return p;
    }

    private Map<String, PluginAddress> scan(Path... dirs) {
        return PluginScan.scan(List.of(dirs), problems::put);
    }

    @Test
    void socketsAndSpecsAreFoundAsDockerFindsThem() throws IOException {
        Path run = root.resolve("run"), etc = root.resolve("etc");
        Path a = socket(run.resolve("a.sock"));
        Path b = socket(run.resolve("b/b.sock"));
        Files.createDirectories(etc);
        Path other = socket(root.resolve("elsewhere/c.socket.sock"));
        Files.writeString(etc.resolve("c.spec"), "unix://" + other + "\n");
        Files.writeString(etc.resolve("d.json"), "{\"Name\": \"d\", \"Addr\": \"tcp://127.0.0.1:9234\","
                + " \"TLSConfig\": {\"InsecureSkipVerify\": false}}");
        Files.writeString(etc.resolve("e.spec"), "tcp://localhost:9235");
        Files.writeString(run.resolve("notes.txt"), "not a plugin");
        Files.writeString(run.resolve("f.sock"), "a regular file, not a socket");

        Map<String, PluginAddress> found = scan(run, etc);
        assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(found.keySet()), found.toString());
        assertEquals(a, found.get("a").socket());
        assertEquals(b, found.get("b").socket());
        assertEquals(other, found.get("c").socket());
        assertEquals(etc.resolve("c.spec"), found.get("c").source());
        assertEquals("tcp://127.0.0.1:9234", found.get("d").url());
        assertEquals("localhost", found.get("e").host());
        assertEquals(Map.of(), problems);
    }

    @Test
    void theFirstPlaceOfANameWinsSocketsBeforeSpecs() throws IOException {
        Path first = root.resolve("first"), second = root.resolve("second");
        Path s = socket(second.resolve("p.sock"));
        Files.createDirectories(first);
        Files.writeString(first.resolve("p.spec"), "unix:///nowhere/p.sock");
        Path q = socket(first.resolve("q.sock"));
        Files.writeString(first.resolve("q.spec"), "unix:///nowhere/q.sock");
        Map<String, PluginAddress> found = scan(first, second);
        assertEquals(Path.of("/nowhere/p.sock"), found.get("p").socket(), "the earlier directory wins");
        assertEquals(q, found.get("q").socket(), "in one directory, the socket wins over the spec");
        assertTrue(s.toFile().exists());
    }

    @Test
    void tcpElsewhereThanLoopbackTlsAndBadSpecsAreRefusedSayingWhy() throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc"));
        Files.writeString(etc.resolve("far.spec"), "tcp://192.0.2.10:9000");
        Files.writeString(etc.resolve("tls.json"), "{\"Addr\": \"tcp://127.0.0.1:9000\", \"TLSConfig\": {\"CAFile\": \"/ca.pem\"}}");
        Files.writeString(etc.resolve("http.spec"), "http://127.0.0.1:9000");
        Files.writeString(etc.resolve("broken.json"), "{\"Addr\": ");
        Map<String, PluginAddress> found = scan(etc);
        assertEquals(Map.of(), found);
        assertTrue(problems.get(etc.resolve("far.spec")).contains("not on a loopback address"), problems.toString());
        assertTrue(problems.get(etc.resolve("tls.json")).contains("TLS"), problems.toString());
        assertTrue(problems.get(etc.resolve("http.spec")).contains("unix:///PATH or tcp://HOST:PORT"), problems.toString());
        assertTrue(problems.get(etc.resolve("broken.json")).contains("not JSON"), problems.toString());
    }

    @Test
    void missingDirectoriesAreNoError() {
        assertEquals(Map.of(), scan(root.resolve("absent")));
        assertEquals(Map.of(), problems);
    }
}
