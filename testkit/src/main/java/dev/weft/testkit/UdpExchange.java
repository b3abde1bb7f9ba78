package dev.weft.testkit;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** One UDP request and its reply, over a socket the caller made (in whatever namespace it lives). */
public final class UdpExchange {
    private UdpExchange() {
    }

    /** Sends {@code payload} to {@code address:port} and returns the reply, or null when none comes within {@code wait}. */
    public static String exchange(DatagramSocket s, String address, int port, String payload, Duration wait)
            throws IOException {
        byte[] out = payload.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(out, out.length, new InetSocketAddress(address, port)));
        s.setSoTimeout((int) wait.toMillis());
        byte[] in = new byte[2048];
        DatagramPacket d = new DatagramPacket(in, in.length);
        try {
            s.receive(d);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(d.getData(), 0, d.getLength(), StandardCharsets.UTF_8);
    }
}
