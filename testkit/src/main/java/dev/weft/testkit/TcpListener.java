package dev.weft.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP server socket opened inside a namespace. Each accepted client first gets one greeting
 * line (the namespace name, so a test can tell which namespace answered), then every line it
 * sends is echoed back. The listener remembers who connected: that is what tests assert on
 * (for example that NAT kept or rewrote the client's source address).
 */
public final class TcpListener implements AutoCloseable {
    private final String namespace;
    private final ServerSocket server;
    private final List<Endpoint> peers = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Endpoint> notYetAwaited = new LinkedBlockingQueue<>();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    TcpListener(String namespace, ServerSocket server) {
        this.namespace = namespace;
        this.server = server;
        Thread acceptor = new Thread(this::acceptUntilClosed, "tcp-listener " + namespace + " :" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Remote addresses of all accepted connections, oldest first. */
    public List<String> remoteAddresses() {
        return peers.stream().map(Endpoint::address).toList();
    }

    /** Remote address and port of all accepted connections, oldest first. */
    public List<Endpoint> peers() {
        return List.copyOf(peers);
    }

    /**
     * Waits for the next accepted connection that no earlier call returned, and returns its
     * remote address; null when none arrives within the timeout.
     */
    public String awaitConnection(Duration timeout) {
        try {
            Endpoint peer = notYetAwaited.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return peer == null ? null : peer.address();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The most recent peer that connected from the given port, waiting up to the timeout for it. */
    Optional<Endpoint> peerWithPort(int remotePort, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = peers.size() - 1; i >= 0; i--) {
                if (peers.get(i).port() == remotePort) {
                    return Optional.of(peers.get(i));
                }
            }
            if (System.nanoTime() > deadline || !Sleep.briefly()) {
                return Optional.empty();
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing a server socket only fails if it is already broken; nothing left to release.
        }
        for (Socket socket : accepted) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Same: the connection is gone either way.
            }
        }
    }

    @Override
    public String toString() {
        return "TcpListener[" + namespace + " " + server.getLocalSocketAddress() + "]";
    }

    private void acceptUntilClosed() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.add(socket);
            // Record before greeting: a client that has read the greeting can rely on being recorded.
            Endpoint peer = new Endpoint(Addresses.text(socket.getInetAddress()), socket.getPort());
            peers.add(peer);
            notYetAwaited.add(peer);
            Thread echo = new Thread(() -> greetAndEcho(socket), "tcp-echo " + namespace + " " + peer);
            echo.setDaemon(true);
            echo.start();
        }
    }

    private void greetAndEcho(Socket socket) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write((namespace + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // The client went away or the listener closed: both end the conversation.
        }
    }
}
