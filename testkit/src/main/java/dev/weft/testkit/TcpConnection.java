package dev.weft.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A connected TCP client socket opened inside a namespace. Reads time out after a couple of
 * seconds so a broken path fails the test instead of hanging it.
 */
public final class TcpConnection implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final String namespace;
    private final Socket socket;
    private final BufferedReader in;

    TcpConnection(String namespace, Socket socket) throws IOException {
        this.namespace = namespace;
        this.socket = socket;
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public String localAddress() {
        return Addresses.text(socket.getLocalAddress());
    }

    /** The address this connection was made to, as the client sees it (before any NAT). */
    public String remoteAddress() {
        return Addresses.text(socket.getInetAddress());
    }

    public int remotePort() {
        return socket.getPort();
    }

    /** Reads one line (the first one is the listener's greeting: its namespace name); null at end of stream. */
    public String readLine() {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("reading from " + this + ": " + e.getMessage(), e);
        }
    }

    /** Sends one line; a {@link TcpListener} echoes it back. */
    public void writeLine(String line) {
        try {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to " + this + ": " + e.getMessage(), e);
        }
    }

    /**
     * The remote address the listener recorded for this connection (matched by this
     * connection's local port), i.e. the source address as it arrived after any NAT on the path.
     * Waits briefly, because the listener accepts on its own thread.
     */
    public String peerSeenBy(TcpListener listener) {
        return listener.peerWithPort(localPort(), TIMEOUT)
                .map(Endpoint::address)
                .orElseThrow(() -> new AssertionError(listener + " saw no connection from local port "
                        + localPort() + " of " + this + " (it saw " + listener.peers() + ")"));
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // A socket that fails to close is released by the kernel anyway.
        }
    }

    @Override
    public String toString() {
        return "TcpConnection[" + namespace + " " + new Endpoint(localAddress(), localPort()) + " -> "
                + new Endpoint(remoteAddress(), remotePort()) + "]";
    }
}
