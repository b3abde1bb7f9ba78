package dev.weft.dns;

import dev.weft.testkit.TestNamespace;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A stand-in upstream resolver on {@code address}:53 (UDP and TCP) inside a test namespace: every
 * A question gets {@code answer}, except {@code slow.example.org} (never answered) and
 * {@code big.example.org} (60 records: over UDP only TC without records, the whole over TCP).
 * Records the names it was asked.
 */
final class Upstream implements AutoCloseable {
    final List<String> asked = new CopyOnWriteArrayList<>();
    private final InetAddress answer;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Thread udpThread;
    private final Thread tcpThread;

    Upstream(TestNamespace ns, String address, String answer) {
        this.answer = DnsFixture.address(answer);
        InetSocketAddress at = new InetSocketAddress(address, 53);
        Object[] sockets = ns.call(() -> new Object[] {new DatagramSocket(at), new ServerSocket(53, 16, at.getAddress())});
        this.udp = (DatagramSocket) sockets[0];
        this.tcp = (ServerSocket) sockets[1];
        udpThread = new Thread(this::serveUdp, "upstream-udp " + address);
        tcpThread = new Thread(this::serveTcp, "upstream-tcp " + address);
        udpThread.setDaemon(true);
        tcpThread.setDaemon(true);
        udpThread.start();
        tcpThread.start();
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] out = answer(Arrays.copyOf(buf, p.getLength()), false);
                if (out != null) {
                    udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                s.setSoTimeout(2000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                byte[] out = answer(q, true);
                if (out != null) {
                    OutputStream o = s.getOutputStream();
                    o.write(new byte[] {(byte) (out.length >> 8), (byte) out.length});
                    o.write(out);
                    o.flush();
                }
            } catch (IOException e) {
                // closed, or a client gone
            }
        }
    }

    private byte[] answer(byte[] wire, boolean overTcp) throws IOException {
        Message q = new Message(wire);
        Record question = q.getQuestion();
        String name = question.getName().toString(true).toLowerCase();
        asked.add(name);
        if (name.equals("slow.example.org")) {
            return null;
        }
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        r.addRecord(question, Section.QUESTION);
        if (question.getType() == Type.A) {
            if (name.equals("big.example.org")) {
                if (!overTcp) {
                    r.getHeader().setFlag(Flags.TC);
                } else {
                    for (int i = 1; i <= 60; i++) {
                        r.addRecord(new ARecord(question.getName(), DClass.IN, 60,
                                InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, (byte) i})), Section.ANSWER);
                    }
                }
            } else {
                r.addRecord(new ARecord(question.getName(), DClass.IN, 60, answer), Section.ANSWER);
            }
        }
        return r.toWire();
    }

    @Override
    public void close() throws Exception {
        udp.close();
        tcp.close();
        udpThread.join(2000);
        tcpThread.join(2000);
    }
}
