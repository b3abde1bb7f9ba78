package dev.weft.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The upstream stand-in of the forwarded-name figures: a UDP responder on {@value #ADDRESS}:53 in a
 * host namespace's loopback (where systemd-resolved listens on a real machine), answering every A
 * query at once with {@value #ANSWER} (TTL 60), every other query NOERROR without records. Its
 * socket is opened by a thread inside the namespace; the answering thread need not be in it.
 */
final class DnsUpstream implements AutoCloseable {
    static final String ADDRESS = "127.0.0.53";
    static final String ANSWER = "198.51.100.7";
    private final DatagramSocket socket;
    private final Thread thread;
    private final AtomicLong answered = new AtomicLong();

    DnsUpstream(DnsTarget.Entry host) throws Exception {
        socket = (DatagramSocket) host.call(() -> {
            DatagramSocket s = new DatagramSocket(null);
            s.setReceiveBufferSize(1 << 20);
            s.bind(new InetSocketAddress(InetAddress.getByName(ADDRESS), DnsLoad.PORT));
            return s;
        });
        thread = new Thread(this::serve, "dns-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    long answered() {
        return answered.get();
    }

    private void serve() {
        byte[] buf = new byte[4096];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        InetAddress answer;
        try {
            answer = InetAddress.getByName(ANSWER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        while (!socket.isClosed()) {
            try {
                in.setLength(buf.length);
                socket.receive(in);
                Message q = new Message(java.util.Arrays.copyOf(buf, in.getLength()));
                Record question = q.getQuestion();
                if (question == null) {
                    continue;
                }
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setFlag(Flags.RA);
                if (q.getHeader().getFlag(Flags.RD)) {
                    r.getHeader().setFlag(Flags.RD);
                }
                r.addRecord(question, Section.QUESTION);
                if (question.getType() == Type.A) {
                    r.addRecord(new ARecord(question.getName(), DClass.IN, 60, answer), Section.ANSWER);
                }
                byte[] wire = r.toWire(512);
                socket.send(new DatagramPacket(wire, wire.length, in.getSocketAddress()));
                answered.incrementAndGet();
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                // a malformed query: ignore it, as a server would
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
