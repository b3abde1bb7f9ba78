package dev.weft.dns.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Relays queries to upstream resolvers from the host namespace: upstreams in order, each given
 * {@code timeoutMillis}; the first answer is relayed byte for byte (only the query id, which is
 * replaced by a random one on the way out, restored); none: {@code null}, and the caller answers
 * SERVFAIL. At most {@code max} forwards are in flight; one more is refused at once (the caller
 * answers SERVFAIL), counted and logged at most once a minute, rather than queued behind a hidden
 * timeout.
 *
 * <p>UDP forwards borrow a socket from a pool made in the host namespace (an upstream's late
 * answer to an earlier query is told apart by source and id); TCP forwards open a connection each.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Forwarder.class.getName());
    private static final int SOCKET_BATCH = 8;
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final HostSockets host;
    private final int timeoutMillis;
    private final Semaphore slots;
    private final ThreadPoolExecutor pool;
    private final ConcurrentLinkedQueue<DatagramSocket> sockets = new ConcurrentLinkedQueue<>();
    private final List<DatagramSocket> allSockets = new ArrayList<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private volatile boolean closed;

    public Forwarder(HostSockets host, int timeoutMillis, int max) {
        this.host = host;
        this.timeoutMillis = timeoutMillis;
        this.slots = new Semaphore(max);
        AtomicInteger n = new AtomicInteger();
        // as many threads as slots, made on demand and ended after 30 s idle; the queue is never
        // longer than the few moments a finishing thread takes to come back for more work, since
        // the slots bound what is submitted (a SynchronousQueue would refuse work in that moment)
        this.pool = new ThreadPoolExecutor(max, max, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "weft-dns-forward-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Queries refused because {@code max} forwards were in flight. */
    public long refusedCount() {
        return refused.get();
    }

    /**
     * Forwards a UDP query off the caller's thread; {@code reply} gets the upstream's answer, or
     * null when all failed or the bound was reached (then at once, on the caller's thread).
     */
    public void forwardUdp(byte[] query, List<InetSocketAddress> upstreams, Consumer<byte[]> reply) {
        if (!slots.tryAcquire()) {
            overloaded();
            reply.accept(null);
            return;
        }
        try {
            pool.execute(() -> {
                byte[] answer = null;
                try {
                    answer = exchangeUdp(query, upstreams);
                } catch (RuntimeException e) { // e.g. no socket in the host namespace: SERVFAIL, not silence
                    LOG.log(Level.WARNING, "cannot forward a query: " + e.getMessage(), e);
                } finally {
                    slots.release();
                }
                reply.accept(answer);
            });
        } catch (RuntimeException e) { // rejected: closed
            slots.release();
            reply.accept(null);
        }
    }

    /** Forwards a query over TCP on the caller's thread (a client's TCP connection); null when all failed. */
    public byte[] forwardTcp(byte[] query, List<InetSocketAddress> upstreams) {
        if (!slots.tryAcquire()) {
            overloaded();
            return null;
        }
        try {
            return exchangeTcp(query, upstreams);
        } finally {
            slots.release();
        }
    }

    private void overloaded() {
        long count = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastRefusalLog.compareAndSet(last, now)) {
            LOG.warning("DNS forwarding is at its bound of concurrent queries; answered SERVFAIL at once ("
                    + count + " so far); raise maxConcurrentForwards in dev.weft.dns if the upstreams are slow");
        }
    }

    byte[] exchangeUdp(byte[] query, List<InetSocketAddress> upstreams) {
        if (upstreams.isEmpty() || query.length < 12) {
            return null;
        }
        DatagramSocket s = borrow();
        if (s == null) {
            return null;
        }
        try {
            int id = ThreadLocalRandom.current().nextInt(0x10000);
            byte[] out = withId(query, id);
            byte[] buf = new byte[65_535];
            for (InetSocketAddress up : upstreams.subList(0, Math.min(Upstreams.MAX, upstreams.size()))) {
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                try {
                    s.send(new DatagramPacket(out, out.length, up));
                    while (true) {
                        long left = (deadline - System.nanoTime()) / 1_000_000L;
                        if (left <= 0) {
                            break;
                        }
                        s.setSoTimeout((int) left);
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        s.receive(p);
                        if (p.getPort() == up.getPort() && Arrays.equals(p.getAddress().getAddress(), up.getAddress().getAddress())
                                && p.getLength() >= 12 && id(buf) == id) {
                            byte[] answer = Arrays.copyOf(buf, p.getLength());
                            return withId(answer, id(query));
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // next upstream
                } catch (IOException e) {
                    LOG.log(Level.FINE, "upstream " + up + ": " + e.getMessage());
                }
            }
            return null;
        } finally {
            if (!closed) {
                sockets.add(s);
            } else {
                s.close();
            }
        }
    }

    byte[] exchangeTcp(byte[] query, List<InetSocketAddress> upstreams) {
        for (InetSocketAddress up : upstreams.subList(0, Math.min(Upstreams.MAX, upstreams.size()))) {
            SocketChannel ch;
            try {
                ch = host.inHost(SocketChannel::open);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot open a TCP socket in the host namespace: " + e.getMessage(), e);
                return null;
            }
            try (ch) {
                Socket s = ch.socket();
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                s.connect(up, timeoutMillis);
                s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
                OutputStream out = s.getOutputStream();
                byte[] framed = new byte[query.length + 2];
                framed[0] = (byte) (query.length >> 8);
                framed[1] = (byte) query.length;
                System.arraycopy(query, 0, framed, 2, query.length);
                out.write(framed);
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int len = in.readUnsignedShort();
                byte[] answer = new byte[len];
                in.readFully(answer);
                return answer;
            } catch (SocketTimeoutException | EOFException e) {
                // next upstream
            } catch (IOException e) {
                LOG.log(Level.FINE, "upstream " + up + " (tcp): " + e.getMessage());
            }
        }
        return null;
    }

    private DatagramSocket borrow() {
        DatagramSocket s = sockets.poll();
        if (s != null) {
            return s;
        }
        synchronized (allSockets) {
            if (closed) {
                return null;
            }
            List<DatagramSocket> made = host.inHost(() -> {
                List<DatagramSocket> l = new ArrayList<>(SOCKET_BATCH);
                for (int i = 0; i < SOCKET_BATCH; i++) {
                    l.add(new DatagramSocket()); // dual-stack, bound to a random port now (in the host namespace)
                }
                return l;
            });
            allSockets.addAll(made);
            sockets.addAll(made.subList(1, made.size()));
            return made.get(0);
        }
    }

    static int id(byte[] msg) {
        return ((msg[0] & 0xff) << 8) | (msg[1] & 0xff);
    }

    static byte[] withId(byte[] msg, int id) {
        byte[] c = msg.clone();
        c[0] = (byte) (id >> 8);
        c[1] = (byte) id;
        return c;
    }

    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
        synchronized (allSockets) {
            allSockets.forEach(DatagramSocket::close);
            allSockets.clear();
        }
        sockets.clear();
    }
}
