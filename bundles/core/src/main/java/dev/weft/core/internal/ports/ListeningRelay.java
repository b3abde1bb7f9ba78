package dev.weft.core.internal.ports;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;

/**
 * What {@link TcpRelay} and {@link UdpRelay} share: the listening socket of one host port, which the
 * loop's selector hands to the relay ({@link #ready}); the target that new flows go to, swapped from
 * any thread; the selector that the relay's flows register with; and closing, which ends the flows
 * before the listening socket.
 *
 * @param <C> the listening socket
 */
abstract class ListeningRelay<C extends SelectableChannel> implements RelayLoop.Relay, RelayLoop.Handler {
    /** The most a relay or a flow handles per wake-up, so one busy port cannot starve the others. */
    static final int BATCH = 64;

    final RelayLoop loop;
    final C listener;
    private final int readyOps;
    /** Where new flows go; null while the port is not mapped. */
    private volatile InetSocketAddress target;
    /** IPv4 clients are relayed (the target's endpoint has no IPv4); else they are refused. */
    private volatile boolean ipv4Clients;
    private Selector selector;

    /** @param readyOps what the listening socket is selected for */
    ListeningRelay(RelayLoop loop, C listener, int readyOps) {
        this.loop = loop;
        this.listener = listener;
        this.readyOps = readyOps;
    }

    @Override
    public InetSocketAddress target(InetSocketAddress to) {
        InetSocketAddress before = target;
        target = to;
        return before;
    }

    @Override
    public void ipv4Clients(boolean relayed) {
        ipv4Clients = relayed;
    }

    /**
     * Whether a client from {@code from} is refused: while the port has no target, and an IPv4
     * client unless the endpoint has no IPv4 ({@link #ipv4Clients(boolean)}): otherwise IPv4 here
     * means Weft's DNAT rules are missing, and such a client is refused, never relayed.
     */
    boolean refuses(java.net.InetAddress from, InetSocketAddress to) {
        return to == null || (from instanceof Inet4Address && !ipv4Clients);
    }

    /** Where new flows go now; null while the port is not mapped. */
    InetSocketAddress target() {
        return target;
    }

    @Override
    public void register(Selector selector) throws IOException {
        this.selector = selector;
        listener.register(selector, readyOps, this);
    }

    /** The loop's selector, once {@link #register}ed: flows register their sockets with it. */
    Selector selector() {
        return selector;
    }

    @Override
    public void close() {
        endFlows();
        try {
            listener.close();
        } catch (IOException ignored) {
            // the port is released either way
        }
    }

    /** The protocol family of a socket that reaches {@code target}. */
    static StandardProtocolFamily family(InetSocketAddress target) {
        return target.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }
}
