package dev.weft.dns.internal;

import dev.weft.api.DnsSettings;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * What the server does with a query: finds the asking sandbox (the endpoint with the query's source
 * address on a local network whose gateway the listener's address is, or on a network served there:
 * {@link NameTable.State#asker}; none: no answer at all), answers locally
 * ({@link Answerer}) or forwards to the asker's upstreams ({@link Forwarder}). UDP on the loop
 * thread (local answers inline), TCP on a connection thread (several queries per connection, closed
 * after {@code tcpIdleMillis} without one).
 *
 * <p>Upstreams: the asker's own servers ({@code --dns}), else the host's; none when all its
 * networks are internal (REFUSED, see {@code DnsServer}); the server's own addresses are dropped.
 */
public final class Queries implements ServerLoop.Handler {
    private static final Logger LOG = Logger.getLogger(Queries.class.getName());
    private static final int PORT = 53;

    private final NameTable table;
    private final Answerer answerer;
    private final Forwarder forwarder;
    private final Upstreams upstreams;
    private final Map<String, DnsSettings> sandboxDns;
    private final Supplier<Set<NameTable.Key>> ownAddresses;
    private final int tcpIdleMillis;

    /**
     * @param sandboxDns   each sandbox's own DNS settings by sandbox id (kept by the caller)
     * @param ownAddresses the server's listen addresses now (never upstreams: no loops)
     */
    public Queries(NameTable table, Answerer answerer, Forwarder forwarder, Upstreams upstreams,
                   Map<String, DnsSettings> sandboxDns, Supplier<Set<NameTable.Key>> ownAddresses, int tcpIdleMillis) {
        this.table = table;
        this.answerer = answerer;
        this.forwarder = forwarder;
        this.upstreams = upstreams;
        this.sandboxDns = sandboxDns;
        this.ownAddresses = ownAddresses;
        this.tcpIdleMillis = tcpIdleMillis;
    }

    @Override
    public void udp(ServerLoop.Listener listener, InetSocketAddress source, byte[] bytes) {
        NameTable.State state = table.state();
        NameTable.Entry asker = state.asker(listener.networkIds(), listener.address().getAddress(), source.getAddress())
                .orElse(null);
        if (asker == null) {
            return; // not one of this network's sandboxes: no answer at all
        }
        Message query = parse(bytes);
        if (query == null) {
            return;
        }
        int limit = Answerer.udpLimit(query);
        Optional<Message> local = answerer.answer(query, state, asker.sandboxId());
        if (local.isPresent()) {
            listener.send(Answerer.wire(local.get(), limit), source);
            return;
        }
        List<InetSocketAddress> ups = upstreamsFor(state, asker);
        if (ups == null || ups.isEmpty()) {
            listener.send(Answerer.wire(Answerer.reply(query, ups == null ? Rcode.REFUSED : Rcode.SERVFAIL, false),
                    limit), source);
            return;
        }
        forwarder.forwardUdp(bytes, ups, answer -> listener.send(answer != null ? answer
                : Answerer.wire(Answerer.reply(query, Rcode.SERVFAIL, false), limit), source));
    }

    @Override
    public void tcp(ServerLoop.Listener listener, SocketChannel client) {
        try {
            client.configureBlocking(true);
            Socket s = client.socket();
            s.setSoTimeout(tcpIdleMillis);
            InetSocketAddress source = (InetSocketAddress) client.getRemoteAddress();
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                int len;
                try {
                    len = in.readUnsignedShort();
                } catch (EOFException | SocketTimeoutException e) {
                    return;
                }
                byte[] bytes = new byte[len];
                in.readFully(bytes);
                byte[] answer = answerTcp(listener, source, bytes);
                if (answer == null) {
                    return;
                }
                byte[] framed = new byte[answer.length + 2];
                framed[0] = (byte) (answer.length >> 8);
                framed[1] = (byte) answer.length;
                System.arraycopy(answer, 0, framed, 2, answer.length);
                out.write(framed);
                out.flush();
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "DNS over TCP: " + e.getMessage());
        }
    }

    private byte[] answerTcp(ServerLoop.Listener listener, InetSocketAddress source, byte[] bytes) {
        NameTable.State state = table.state();
        NameTable.Entry asker = state.asker(listener.networkIds(), listener.address().getAddress(), source.getAddress())
                .orElse(null);
        if (asker == null) {
            return null;
        }
        Message query = parse(bytes);
        if (query == null) {
            return null;
        }
        Optional<Message> local = answerer.answer(query, state, asker.sandboxId());
        if (local.isPresent()) {
            return Answerer.wire(local.get(), 65_535);
        }
        List<InetSocketAddress> ups = upstreamsFor(state, asker);
        byte[] answer = ups == null || ups.isEmpty() ? null : forwarder.forwardTcp(bytes, ups);
        return answer != null ? answer
                : Answerer.wire(Answerer.reply(query, ups == null ? Rcode.REFUSED : Rcode.SERVFAIL, false), 65_535);
    }

    /** The query in {@code bytes}; null for garbage and for responses (never answered: no loops). */
    private static Message parse(byte[] bytes) {
        try {
            Message m = new Message(bytes);
            return m.getHeader().getFlag(Flags.QR) ? null : m;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Where the asker's other names go: its own servers ({@code --dns}), else the host's, or null
     * when it may not forward (all its networks internal, no own servers).
     */
    private List<InetSocketAddress> upstreamsFor(NameTable.State state, NameTable.Entry asker) {
        Set<NameTable.Key> own = ownAddresses.get();
        DnsSettings dns = sandboxDns.get(asker.sandboxId());
        if (dns != null && !dns.servers().isEmpty()) {
            List<InetSocketAddress> out = new ArrayList<>();
            for (InetAddress a : dns.servers()) {
                if (!own.contains(NameTable.Key.of(a)) && out.size() < Upstreams.MAX) {
                    out.add(new InetSocketAddress(a, PORT));
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        if (state.onlyInternal(asker.sandboxId())) {
            return null;
        }
        return upstreams.current(own);
    }
}
