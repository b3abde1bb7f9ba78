package dev.weft.core.internal.ports;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One UDP host port run by a {@link RelayLoop}. Each IPv6 client address gets its own flow: a
 * datagram socket made in the host namespace and connected to the target, whose replies go back
 * to that client through the listening socket. Flows idle for {@link #IDLE_NANOS} end; at most
 * {@link #MAX_FLOWS} live per port, the least recently used giving way to a new one. IPv4
 * datagrams (only there when no DNAT rule took them) are dropped, and so is every datagram while
 * there is no target. Runs on the loop's thread only, except {@link #target(InetSocketAddress)}.
 */
final class UdpRelay extends ListeningRelay<DatagramChannel> {
    private static final Logger LOG = Logger.getLogger(UdpRelay.class.getName());
    static final long IDLE_NANOS = 30_000_000_000L;
    static final int MAX_FLOWS = 1024;

    /** Access order: the first entry is the least recently used flow. */
    private final LinkedHashMap<SocketAddress, Flow> flows = new LinkedHashMap<>(16, 0.75f, true);
    /** One datagram at a time: the selector thread is the only user. */
    private final ByteBuffer buffer = ByteBuffer.allocate(65536);

    UdpRelay(RelayLoop loop, DatagramChannel listener) {
        super(loop, listener, SelectionKey.OP_READ);
    }

    @Override
    public void endFlows() {
        flows.values().forEach(Flow::close);
        flows.clear();
    }

    /** A datagram from a client. */
    @Override
    public void ready(SelectionKey key) {
        for (int i = 0; i < BATCH; i++) {
            SocketAddress from;
            buffer.clear();
            try {
                from = listener.receive(buffer);
            } catch (IOException e) {
                LOG.log(Level.FINE, "receive on " + listener + " failed", e);
                return;
            }
            if (from == null) {
                return;
            }
            InetSocketAddress to = target();
            if (refuses(((InetSocketAddress) from).getAddress(), to)) {
                continue; // no target, or IPv4 where Weft's DNAT rules are missing: drop, never relay
            }
            Flow flow = flows.get(from);
            try {
                if (flow == null) {
                    flow = open(from, to);
                }
                flow.lastUsed = System.nanoTime();
                buffer.flip();
                flow.upstream.write(buffer);
            } catch (IOException e) {
                // the target refused an earlier datagram (ICMP port unreachable) or is not reachable: UDP drops it
                LOG.log(Level.FINEST, "relaying a datagram from " + from + " to " + to + " failed", e);
            }
        }
    }

    private Flow open(SocketAddress client, InetSocketAddress target) throws IOException {
        if (flows.size() >= MAX_FLOWS) {
            Iterator<Flow> oldest = flows.values().iterator();
            Flow evicted = oldest.next();
            oldest.remove();
            evicted.close();
        }
        StandardProtocolFamily family = family(target);
        DatagramChannel upstream = loop.inHost(() -> DatagramChannel.open(family));
        try {
            upstream.configureBlocking(false);
            upstream.connect(target);
            Flow flow = new Flow(client, upstream);
            upstream.register(selector(), SelectionKey.OP_READ, flow);
            flows.put(client, flow);
            return flow;
        } catch (IOException | RuntimeException e) {
            upstream.close();
            throw e;
        }
    }

    @Override
    public void sweep(long now) {
        List<Flow> idle = new ArrayList<>();
        for (Flow f : flows.values()) {
            if (now - f.lastUsed > IDLE_NANOS) {
                idle.add(f);
            }
        }
        for (Flow f : idle) {
            flows.remove(f.client);
            f.close();
        }
    }

    /** The number of live flows (for tests). */
    int flows() {
        return flows.size();
    }

    /** One client's flow: replies from the target go back to this client. */
    private final class Flow implements RelayLoop.Handler {
        final SocketAddress client;
        final DatagramChannel upstream;
        long lastUsed = System.nanoTime();

        Flow(SocketAddress client, DatagramChannel upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        /** A reply from the target. */
        @Override
        public void ready(SelectionKey key) {
            for (int i = 0; i < BATCH; i++) {
                buffer.clear();
                try {
                    if (upstream.receive(buffer) == null) {
                        return; // nothing more to read (receive, unlike read, tells an empty datagram apart)
                    }
                } catch (IOException e) {
                    return; // e.g. PortUnreachableException: the target has nothing on that port now
                }
                flows.get(client); // a reply counts as use: moves the flow to the young end
                lastUsed = System.nanoTime();
                buffer.flip();
                try {
                    listener.send(buffer, client); // 0 when the socket buffer is full: dropped, as UDP may
                } catch (IOException e) {
                    LOG.log(Level.FINEST, "sending a reply to " + client + " failed", e);
                }
            }
        }

        void close() {
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closed either way
            }
        }
    }
}
