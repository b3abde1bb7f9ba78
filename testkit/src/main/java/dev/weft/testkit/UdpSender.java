package dev.weft.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A UDP socket bound to one local port inside a namespace, so several datagrams share one
 * 5-tuple (one conntrack flow). Sending needs no namespace thread: the socket already belongs
 * to the namespace it was created in.
 */
public final class UdpSender implements AutoCloseable {
    private final String namespace;
    private final DatagramSocket socket;

    UdpSender(String namespace, DatagramSocket socket) {
        this.namespace = namespace;
        this.socket = socket;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public void send(String address, int port, String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(Addresses.parse(address), port)));
        } catch (IOException e) {
            throw new UncheckedIOException("netns " + namespace + ": cannot send UDP from port " + localPort()
                    + " to " + new Endpoint(address, port) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
