package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listeners: the socket's place, mode and group, a stale socket replaced, one in use left alone,
 * the loopback-only TCP listener, removal at stop. Jetty on a fake controller; traffic on loopback
 * and a socket in a temporary directory only.
 */
class DockerApiServerTest {
    Path dir;

    @BeforeEach
    void dir() throws IOException {
        dir = Files.createTempDirectory("weft-docker-api-server-");
    }

    @AfterEach
    void remove() throws IOException {
        DockerCliFixture.deleteTree(dir);
    }

    DockerApiServer start(Path socket, String tcp) throws Exception {
        return new DockerApiServer(new FakeController(), socket, Listeners.group(""), Listeners.tcp(tcp), 4, "0.1.0", "t");
    }

    /** One HTTP/1.1 request over the Unix socket; the whole answer. */
    static String unixRequest(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            try (InputStream in = Channels.newInputStream(ch)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void socketIsMadeInA0711DirectoryWithMode0660AndRemovedAtStop() throws Exception {
        Path socket = dir.resolve("run/docker.sock");
        try (DockerApiServer server = start(socket, "")) {
            assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            PosixFileAttributes a = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertTrue(a.isOther(), "a socket");
            assertEquals("rw-rw----", PosixFilePermissions.toString(a.permissions()));
            assertEquals("root", a.owner().getName());
            assertEquals(Listeners.group("").getName(), a.group().getName());
            String answer = unixRequest(socket, "GET /v1.50/_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
            assertTrue(answer.contains("Api-Version: 1.50"), answer);
            assertTrue(answer.contains("Ostype: linux"), answer);
            assertTrue(answer.endsWith("\r\n\r\nOK"), answer);
            assertEquals(-1, server.tcpPort());
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "removed at stop");
    }

    @Test
    void oneKeepAliveConnectionCarriesRequestAfterRequest() throws Exception {
        Path socket = dir.resolve("docker.sock");
        try (DockerApiServer server = start(socket, "");
             SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(Channels.newInputStream(ch),
                    StandardCharsets.UTF_8));
            for (int i = 0; i < 3; i++) {
                ch.write(ByteBuffer.wrap("GET /v1.50/networks HTTP/1.1\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
                assertEquals("HTTP/1.1 200 OK", in.readLine());
                int length = -1;
                for (String h = in.readLine(); !h.isEmpty(); h = in.readLine()) {
                    if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                }
                char[] body = new char[length];
                assertEquals(length, in.read(body, 0, length));
                assertEquals("[]\n", new String(body), "a whole body with its Content-Length, as the bench reads it");
            }
        }
    }

    @Test
    void aBodyOverOneMebibyteIsRefused() throws Exception {
        Path socket = dir.resolve("docker.sock");
        try (DockerApiServer server = start(socket, "")) {
            String body = "{\"Name\":\"" + "x".repeat(EngineHandler.MAX_BODY) + "\"}";
            String answer = unixRequest(socket, "POST /networks/create HTTP/1.1\r\nHost: d\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer.substring(0, Math.min(200, answer.length())));
            assertTrue(answer.contains("the request body has more than 1048576 bytes"), answer);
        }
    }

    @Test
    void aStaleSocketIsReplacedOneInUseOrAFileIsNot() throws Exception {
        Path socket = dir.resolve("docker.sock");
        ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        other.bind(UnixDomainSocketAddress.of(socket));
        IOException inUse = assertThrows(IOException.class, () -> start(socket, ""));
        assertTrue(inUse.getMessage().contains("is in use: something answers on it"), inUse.getMessage());
        other.close(); // the file stays: a crashed daemon's stale socket
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        try (DockerApiServer server = start(socket, "")) {
            assertTrue(unixRequest(socket, "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n").contains("200 OK"));
        }
        Files.writeString(socket, "not a socket");
        IOException notSocket = assertThrows(IOException.class, () -> start(socket, ""));
        assertEquals(socket + " exists and is not a socket; remove it or give another weft.run.dir", notSocket.getMessage());
    }

    @Test
    void aRunDirectoryOthersMayWriteToIsRefused() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> start(open.resolve("docker.sock"), ""));
        assertTrue(e.getMessage().contains("other users may write to it"), e.getMessage());
    }

    @Test
    void tcpOnLoopbackAnswersAndOtherAddressesAreRefused() throws Exception {
        try (DockerApiServer server = start(dir.resolve("docker.sock"), "127.0.0.1:0".replace(":0", ":" + freePort()))) {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.tcpPort() + "/v1.50/version")
                    .toURL().openConnection();
            c.setRequestProperty("Connection", "close"); // no idle connection for Jetty's graceful stop to wait for
            assertEquals(200, c.getResponseCode());
            assertEquals("1.50", c.getHeaderField("Api-Version"));
            try (InputStream in = c.getInputStream()) {
                assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("\"ApiVersion\":\"1.50\""));
            }
            c.disconnect();
        }
        IllegalArgumentException wide = assertThrows(IllegalArgumentException.class, () -> Listeners.tcp("0.0.0.0:2375"));
        assertTrue(wide.getMessage().startsWith("tcp = 0.0.0.0:2375 is refused: 0.0.0.0 is not a loopback address, and the "
                + "Engine API has no TLS"), wide.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Listeners.tcp("192.0.2.1:2375")).getMessage()
                .contains("is not a loopback address"));
        assertEquals("tcp = localhost:2375: \"localhost\" is not an IP address (names are not resolved); expected a loopback "
                + "address and port like 127.0.0.1:2375 or [::1]:2375",
                assertThrows(IllegalArgumentException.class, () -> Listeners.tcp("localhost:2375")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Listeners.tcp("127.0.0.1:99999")).getMessage()
                .contains("port \"99999\" is not a number in 1-65535"));
        assertEquals(2375, Listeners.tcp("[::1]:2375").getPort());
        assertEquals(null, Listeners.tcp(""));
    }

    @Test
    void aGroupThatDoesNotExistIsRefusedNamingIt() {
        IOException e = assertThrows(IOException.class, () -> Listeners.group("no-such-group-x"));
        assertTrue(e.getMessage().startsWith("dev.weft.dockerapi: socket.group = no-such-group-x: no such group"), e.getMessage());
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
