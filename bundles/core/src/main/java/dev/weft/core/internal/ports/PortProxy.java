package dev.weft.core.internal.ports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one in-runtime path to published ports that the firewall cannot NAT: a selector loop that
 * runs a relay ({@link TcpRelay}, {@link UdpRelay}) per host port it holds. IPv6 has no
 * {@code route_localnet}, so {@code [::1]:PORT} cannot be DNATed into a bridge; and a host IPv6
 * address of an endpoint without IPv6 has no IPv6 target to DNAT to. Such packets reach the host
 * port's own socket, so for those bindings that socket listens (a dual-stack INET6 socket, which
 * still holds the port against every other binder, IPv4 and IPv6) and its relay handles what
 * arrives:
 * <ul>
 *   <li>IPv6 clients are relayed to the port's target ({@link Port#relayTo}), set by
 *       {@link RelayMapper} to the endpoint's IPv6 address when it has one, else its IPv4
 *       address, same container port;</li>
 *   <li>IPv4 arrives only when no DNAT rule took it: for an endpoint without IPv4 (an IPv6-only
 *       network) it is relayed to the endpoint's IPv6 address, as docker-proxy does; otherwise
 *       Weft's ruleset was flushed, and a TCP connection is reset at once, a datagram dropped; and
 *       so is every client while the port has no target.</li>
 * </ul>
 * One selector thread serves every port of the runtime (no thread or process per port); it starts
 * with the first port and stops in {@link #close}. Every socket is made in the runtime's host
 * namespace by {@link HostSockets} (a socket keeps the namespace it was created in, whichever
 * thread uses it later), so the relays connect from the host, like a host process would. The loop
 * makes its relays and they see it only as a {@link RelayLoop}: no dependency back.
 */
public final class PortProxy implements RelayLoop, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PortProxy.class.getName());
    /** How often idle UDP flows are looked for; the selector wakes at least this often. */
    private static final long SWEEP_MILLIS = 5_000;

    /** Runs socket creation in the runtime's host namespace. */
    public interface HostSockets {
        <T> T call(Callable<T> work) throws Exception;
    }

    /** A port held by this proxy; closing it frees the port and ends its flows at once. */
    public interface Port extends AutoCloseable {
        int port();

        /**
         * Relays new IPv6 clients to {@code target} from now on, or resets and drops every client
         * (null). Returns at once (no wait for the loop); flows to another target than the new one end
         * shortly after, on the loop.
         */
        void relayTo(InetSocketAddress target);

        /**
         * As {@link #relayTo(InetSocketAddress)}; {@code ipv4Clients} true relays IPv4 clients too
         * (an endpoint without IPv4: no DNAT can reach it from an IPv4 client), false refuses them.
         */
        default void relayTo(InetSocketAddress target, boolean ipv4Clients) {
            relayTo(target);
        }

        @Override
        void close();
    }

    private final HostSockets host;
    private final ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
    /** Relays in service; selector thread only. */
    private final Set<RelayLoop.Relay> relays = new HashSet<>();
    private Selector selector; // guarded by this
    private Thread thread; // guarded by this
    private boolean stopping; // guarded by this

    private record Task<T>(Callable<T> work, CompletableFuture<T> done) {
        void run() {
            try {
                done.complete(work.call());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }
    }

    public PortProxy(HostSockets host) {
        this.host = host;
    }

    /**
     * Binds {@code protocol} ({@code tcp} or {@code udp}) {@code port} (0: a free one) on
     * {@code address} (an IPv6 address, or null for every address, IPv4 and IPv6), with no target
     * yet: every client is reset or dropped until {@link Port#relayTo}. An explicit {@code ::} is
     * dual-stack too: Java's INET6 sockets cannot be made IPv6-only, so it holds the IPv4 port as well.
     *
     * @throws java.net.BindException when something holds the port
     */
    public Port open(String protocol, InetAddress address, int port) throws IOException {
        if (address instanceof Inet4Address) {
            throw new IllegalArgumentException("address " + address.getHostAddress() + " is IPv4: an IPv4-only binding "
                    + "is reached through DNAT alone, give an IPv6 address or null for every address");
        }
        InetSocketAddress local = new InetSocketAddress(address == null ? anyIpv6() : address, port);
        NetworkChannel channel = switch (protocol) {
            case "tcp" -> inHost(() -> ServerSocketChannel.open(StandardProtocolFamily.INET6));
            case "udp" -> inHost(() -> DatagramChannel.open(StandardProtocolFamily.INET6));
            default -> throw new IllegalArgumentException("protocol \"" + protocol + "\" cannot be relayed: use tcp or udp");
        };
        Relay relay;
        int bound;
        try {
            if (channel instanceof ServerSocketChannel server) {
                // SO_REUSEADDR (Java's default for a server socket) only lets the port be bound again
                // past old TIME_WAIT connections; no other socket can bind it while this one listens.
                server.bind(local, 128);
                server.configureBlocking(false);
                relay = new TcpRelay(this, server);
            } else {
                DatagramChannel udp = (DatagramChannel) channel;
                udp.bind(local);
                udp.configureBlocking(false);
                relay = new UdpRelay(this, udp);
            }
            bound = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            // Bound and listening already: the port is held and clients queue in the backlog, so
            // the caller need not wait for the selector thread to take the socket up (a stop of
            // this relay is queued behind it).
            enqueue(() -> {
                try {
                    relay.register(selector);
                    relays.add(relay);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "port " + bound + "/" + protocol + ": cannot relay it: " + e.getMessage(), e);
                    relay.close();
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new Port() {
            @Override
            public int port() {
                return bound;
            }

            @Override
            public void relayTo(InetSocketAddress target, boolean ipv4Clients) {
                relay.ipv4Clients(ipv4Clients);
                relayTo(target);
            }

            @Override
            public void relayTo(InetSocketAddress target) {
                InetSocketAddress before = relay.target(target);
                if (before != null && !before.equals(target)) {
                    endFlowsLater(relay);
                }
            }

            @Override
            public void close() {
                stop(relay);
            }
        };
    }

    /** Stops every relay and the selector thread; a later {@link #open} starts a new one. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
            if (t == null) {
                return;
            }
            stopping = true;
            selector.wakeup();
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            stopping = false;
        }
    }

    /** Creates a socket in the host namespace (for the relays' outgoing flows). */
    @Override
    public <T> T inHost(Callable<T> work) throws IOException {
        try {
            return host.call(work);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot create a socket in the host namespace: " + e.getMessage(), e);
        }
    }

    /** Ends a relay's flows on the loop, without waiting for it (nothing to end when the loop is stopping). */
    private void endFlowsLater(Relay relay) {
        try {
            enqueue(() -> {
                if (relays.contains(relay)) {
                    relay.endFlows();
                }
                return null;
            });
        } catch (IllegalStateException stopping) {
            // the loop closes every relay with its flows
        }
    }

    /** Closes a relay and makes its sockets really close before returning: the port is free then. */
    private void stop(Relay relay) {
        boolean running;
        synchronized (this) {
            running = thread != null && !stopping;
        }
        if (!running) {
            relay.close(); // the loop closed its relays or is closing them: nothing is registered
            return;
        }
        try {
            onLoop(() -> {
                if (relays.remove(relay)) {
                    relay.close();
                    // A channel registered with a selector is closed for real when its key is
                    // deregistered, at the next select: do it now, so the port is free on return.
                    selector.selectNow();
                }
                return null;
            });
        } catch (IllegalStateException stopped) {
            relay.close();
        }
    }

    /** Runs {@code work} on the selector thread (starting it if needed) and waits for it. */
    private <T> T onLoop(Callable<T> work) {
        Task<T> task = enqueue(work);
        try {
            return task.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the port proxy", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("port proxy: " + c.getMessage(), c);
        }
    }

    /** Hands {@code work} to the selector thread, or runs it at once when called on that thread. */
    private <T> Task<T> enqueue(Callable<T> work) {
        Task<T> task = new Task<>(work, new CompletableFuture<>());
        synchronized (this) {
            if (stopping) {
                throw new IllegalStateException("the port proxy is stopping");
            }
            if (Thread.currentThread() == thread) {
                task.run();
            } else {
                start();
                tasks.add(task);
                selector.wakeup();
            }
        }
        return task;
    }

    private void start() {
        if (thread != null) {
            return;
        }
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the port proxy's selector: " + e.getMessage(), e);
        }
        Selector s = selector;
        thread = new Thread(() -> loop(s), "weft-port-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(Selector s) {
        long nextSweep = System.nanoTime() + SWEEP_MILLIS * 1_000_000;
        try {
            while (!stopping) {
                for (Task<?> task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
                s.select(SWEEP_MILLIS);
                for (Iterator<SelectionKey> it = s.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isValid()) {
                        dispatch(key);
                    }
                }
                long now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    relays.forEach(r -> r.sweep(now));
                    nextSweep = now + SWEEP_MILLIS * 1_000_000;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "the port proxy stopped: [::1] and unNATed IPv6 clients of published ports are "
                    + "refused from now on", e);
        } finally {
            List<Relay> all = new ArrayList<>(relays);
            relays.clear();
            all.forEach(Relay::close);
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing registered is left open either way
            }
            synchronized (this) {
                // callers still waiting must not wait for ever; a later open() starts a new thread
                for (Task<?> task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.done().completeExceptionally(new IllegalStateException("the port proxy stopped"));
                }
                thread = null;
                selector = null;
            }
        }
    }

    private void dispatch(SelectionKey key) {
        try {
            ((RelayLoop.Handler) key.attachment()).ready(key);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "port proxy: a flow failed and is dropped", e);
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closed either way
            }
        }
    }

    private static InetAddress anyIpv6() {
        try {
            return Inet6Address.getByAddress(null, new byte[16], -1);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
