package dev.weft.dns.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listening sockets and the one thread that serves them: UDP queries are read and, when the
 * answer is local, answered on this thread (no hand-off on the fast path); TCP connections are
 * accepted here and served on a bounded pool of blocking threads (a client's several queries in
 * a row, closed after an idle time). Sockets are made in the host namespace ({@link HostSockets}).
 *
 * <p>Sockets are unbound on the loop thread, so that the port is free when {@link #unbind}
 * returns (a channel closed while registered with a selector is closed only at the selector's
 * next round).
 */
public final class ServerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServerLoop.class.getName());
    private static final int DATAGRAMS_PER_ROUND = 64;

    /** What the server does with a query. */
    public interface Handler {
        /** A UDP query to {@code listener} from {@code source}; on the loop thread: answer quickly or hand off. */
        void udp(Listener listener, InetSocketAddress source, byte[] query);

        /** A TCP connection to {@code listener}; on a pool thread, blocking; the handler closes it. */
        void tcp(Listener listener, SocketChannel client);
    }

    /**
     * The UDP and TCP socket on one address, port 53, shared by every network served there (the
     * overlays whose sandboxes reach the host through one egress network's gateway).
     */
    public static final class Listener {
        private final InetSocketAddress address;
        private final DatagramChannel udp;
        private final ServerSocketChannel tcp;
        private volatile Set<String> networkIds = Set.of();

        Listener(InetSocketAddress address, DatagramChannel udp, ServerSocketChannel tcp) {
            this.address = address;
            this.udp = udp;
            this.tcp = tcp;
        }

        /** The networks served at this address now. */
        public Set<String> networkIds() {
            return networkIds;
        }

        /** Sets the networks served at this address (one volatile write). */
        public void networkIds(Set<String> ids) {
            networkIds = Set.copyOf(ids);
        }

        public InetSocketAddress address() {
            return address;
        }

        /** Sends a UDP answer; thread-safe, never blocks (a full socket buffer drops it, as UDP may). */
        public void send(byte[] answer, InetSocketAddress to) {
            try {
                udp.send(ByteBuffer.wrap(answer), to);
            } catch (IOException e) {
                LOG.log(Level.FINE, "cannot answer " + to + " from " + address + ": " + e.getMessage());
            }
        }
    }

    private final HostSockets host;
    private final Handler handler;
    private final Selector selector;
    private final Thread thread;
    private final ThreadPoolExecutor tcpPool;
    private final int maxTcpConnections;
    private final AtomicInteger tcpConnections = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65_535);
    private volatile boolean closed;

    public ServerLoop(HostSockets host, Handler handler, int maxTcpConnections) {
        this.host = host;
        this.handler = handler;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector for the DNS server: " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        this.maxTcpConnections = maxTcpConnections;
        this.tcpPool = new ThreadPoolExecutor(maxTcpConnections, maxTcpConnections, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "weft-dns-tcp-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        tcpPool.allowCoreThreadTimeOut(true);
        this.thread = new Thread(this::run, "weft-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Binds UDP and TCP port {@code port} of {@code address} in the host namespace and serves them.
     *
     * @throws IOException as the bind failed, e.g. {@code BindException} when another program has the port
     */
    public Listener bind(InetAddress address, int port) throws IOException {
        InetSocketAddress at = new InetSocketAddress(address, port);
        StandardProtocolFamily family = address instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        Object made = host.inHost(() -> {
            DatagramChannel udp = DatagramChannel.open(family);
            ServerSocketChannel tcp = null;
            try {
                udp.bind(at);
                tcp = ServerSocketChannel.open(family);
                tcp.bind(at, 128);
                udp.configureBlocking(false);
                tcp.configureBlocking(false);
                return new Listener(at, udp, tcp);
            } catch (IOException e) {
                udp.close();
                if (tcp != null) {
                    tcp.close();
                }
                return e;
            }
        });
        if (made instanceof IOException e) {
            throw e;
        }
        Listener l = (Listener) made;
        onLoop(() -> {
            try {
                l.udp.register(selector, SelectionKey.OP_READ, l);
                l.tcp.register(selector, SelectionKey.OP_ACCEPT, l);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return l;
    }

    /** Stops serving {@code l} and closes its sockets; the port is free when this returns. */
    public void unbind(Listener l) {
        Runnable close = () -> {
            cancel(l.udp.keyFor(selector));
            cancel(l.tcp.keyFor(selector));
            try {
                selector.selectNow(); // deregisters the cancelled keys, so close() below closes at once
            } catch (IOException e) {
                LOG.log(Level.FINE, "selectNow: " + e.getMessage());
            }
            closeQuietly(l.udp);
            closeQuietly(l.tcp);
        };
        if (closed || Thread.currentThread() == thread) {
            close.run();
        } else {
            onLoop(close);
        }
    }

    private static void cancel(SelectionKey k) {
        if (k != null) {
            k.cancel();
        }
    }

    /** Runs {@code task} on the loop thread and waits for it. */
    private void onLoop(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the DNS server's thread", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the DNS server's thread did not respond within 5 s", e);
        }
    }

    private void run() {
        while (!closed) {
            try {
                selector.select();
                for (Runnable t; (t = tasks.poll()) != null; ) {
                    t.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    Listener l = (Listener) k.attachment();
                    if (k.isReadable()) {
                        readUdp(l);
                    } else if (k.isAcceptable()) {
                        accept(l);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "DNS server loop: " + e.getMessage(), e);
                }
            }
        }
    }

    private void readUdp(Listener l) throws IOException {
        for (int i = 0; i < DATAGRAMS_PER_ROUND; i++) {
            buffer.clear();
            InetSocketAddress source = (InetSocketAddress) l.udp.receive(buffer);
            if (source == null) {
                return;
            }
            buffer.flip();
            byte[] query = new byte[buffer.remaining()];
            buffer.get(query);
            try {
                handler.udp(l, source, query);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "DNS query from " + source + " to " + l.address + ": " + e, e);
            }
        }
    }

    private void accept(Listener l) throws IOException {
        for (SocketChannel c; (c = l.tcp.accept()) != null; ) {
            SocketChannel client = c;
            if (tcpConnections.incrementAndGet() > maxTcpConnections) { // the bound: refuse this one
                tcpConnections.decrementAndGet();
                closeQuietly(client);
                continue;
            }
            try {
                tcpPool.execute(() -> {
                    try {
                        handler.tcp(l, client);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "DNS over TCP to " + l.address + ": " + e, e);
                    } finally {
                        closeQuietly(client);
                        tcpConnections.decrementAndGet();
                    }
                });
            } catch (RuntimeException e) { // closed
                tcpConnections.decrementAndGet();
                closeQuietly(client);
            }
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    /** Stops the thread and closes every socket it serves. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tcpPool.shutdownNow();
        for (SelectionKey k : selector.keys()) {
            closeQuietly(k.channel());
        }
        closeQuietly(selector);
    }
}
