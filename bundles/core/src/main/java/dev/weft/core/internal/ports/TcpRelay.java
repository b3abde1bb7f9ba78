package dev.weft.core.internal.ports;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One listening TCP host port run by a {@link RelayLoop}: each IPv6 client gets its own connection
 * from the host namespace to the target, and bytes are copied both ways. A half-close is passed on
 * (a client's FIN becomes a FIN to the target, and the other way), and a side is not read while the
 * other side's buffer is full. An error on either side resets both. IPv4 clients (only there when
 * no DNAT rule took them) are reset at once unless the endpoint has no IPv4 (then they are relayed
 * to its IPv6 address, as docker-proxy does), and so is every client while there is no target. Runs
 * on the loop's thread only, except {@link #target(InetSocketAddress)}.
 */
final class TcpRelay extends ListeningRelay<ServerSocketChannel> {
    private static final Logger LOG = Logger.getLogger(TcpRelay.class.getName());
    private static final int BUFFER = 64 * 1024;

    private final Set<Connection> connections = new HashSet<>();

    TcpRelay(RelayLoop loop, ServerSocketChannel server) {
        super(loop, server, SelectionKey.OP_ACCEPT);
    }

    @Override
    public void endFlows() {
        for (Connection c : new ArrayList<>(connections)) {
            c.close(true);
        }
    }

    @Override
    public void ready(SelectionKey key) {
        for (int i = 0; i < BATCH; i++) {
            SocketChannel client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                LOG.log(Level.FINE, "accept on " + listener + " failed", e);
                return;
            }
            if (client == null) {
                return;
            }
            relay(client);
        }
    }

    private void relay(SocketChannel client) {
        SocketChannel upstream = null;
        Connection c = null;
        InetSocketAddress target = target();
        try {
            InetSocketAddress from = (InetSocketAddress) client.getRemoteAddress();
            if (refuses(from.getAddress(), target)) {
                reset(client);
                return;
            }
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            StandardProtocolFamily family = family(target);
            upstream = loop.inHost(() -> SocketChannel.open(family));
            upstream.configureBlocking(false);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c = new Connection(client, upstream);
            connections.add(c);
            if (upstream.connect(target)) {
                c.connected();
            } else {
                c.upstreamKey = upstream.register(selector(), SelectionKey.OP_CONNECT, c);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot relay a client of " + listener + " to " + target, e);
            if (c != null) {
                c.close(true);
            } else {
                reset(client);
                if (upstream != null) {
                    reset(upstream);
                }
            }
        }
    }

    /** Closes with SO_LINGER 0: the peer gets a reset, not an orderly end of stream. */
    private static void reset(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // closing below is what matters
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }

    /** Bytes on their way from one side to the other. */
    private static final class Pipe {
        final ByteBuffer buffer = ByteBuffer.allocate(BUFFER); // write mode: position = bytes held
        boolean ended; // the source sent FIN
        boolean shut; // the FIN was passed on

        boolean canRead() {
            return !ended && buffer.hasRemaining();
        }

        boolean holdsBytes() {
            return buffer.position() > 0;
        }

        void fill(SocketChannel from) throws IOException {
            if (canRead() && from.read(buffer) < 0) {
                ended = true;
            }
        }

        void drain(SocketChannel to) throws IOException {
            if (holdsBytes()) {
                buffer.flip();
                to.write(buffer);
                buffer.compact();
            }
            if (ended && !holdsBytes() && !shut) {
                to.shutdownOutput();
                shut = true;
            }
        }
    }

    /** One relayed client: its socket, the one to the target, and a pipe each way. */
    private final class Connection implements RelayLoop.Handler {
        final SocketChannel client;
        final SocketChannel upstream;
        final Pipe toUpstream = new Pipe();
        final Pipe toClient = new Pipe();
        SelectionKey clientKey;
        SelectionKey upstreamKey;
        boolean open = true;

        Connection(SocketChannel client, SocketChannel upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void connected() throws IOException {
            clientKey = client.register(selector(), 0, this);
            if (upstreamKey == null) {
                upstreamKey = upstream.register(selector(), 0, this);
            }
            interests();
        }

        @Override
        public void ready(SelectionKey key) {
            try {
                if (key == upstreamKey && key.isConnectable()) {
                    if (!upstream.finishConnect()) {
                        return;
                    }
                    connected();
                    return;
                }
                if (key.isReadable()) {
                    (key == clientKey ? toUpstream : toClient).fill((SocketChannel) key.channel());
                }
                toUpstream.drain(upstream);
                toClient.drain(client);
                if (toUpstream.shut && toClient.shut) {
                    close(false);
                } else {
                    interests();
                }
            } catch (IOException | RuntimeException e) {
                // refused or reset by the target, or the client went away: reset the other side too
                close(true);
            }
        }

        /** Reads a side only while its pipe has room; waits to write a side only while bytes wait for it. */
        private void interests() {
            clientKey.interestOps((toUpstream.canRead() ? SelectionKey.OP_READ : 0)
                    | (toClient.holdsBytes() ? SelectionKey.OP_WRITE : 0));
            upstreamKey.interestOps((toClient.canRead() ? SelectionKey.OP_READ : 0)
                    | (toUpstream.holdsBytes() ? SelectionKey.OP_WRITE : 0));
        }

        void close(boolean abort) {
            if (!open) {
                return;
            }
            open = false;
            connections.remove(this);
            if (abort) {
                reset(client);
                reset(upstream);
            } else {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // closed either way
                }
                try {
                    upstream.close();
                } catch (IOException ignored) {
                    // closed either way
                }
            }
        }
    }
}
