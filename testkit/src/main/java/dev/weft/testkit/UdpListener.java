package dev.weft.testkit;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A UDP socket opened inside a namespace that records every datagram with its source address. */
public final class UdpListener implements AutoCloseable {
    private final String namespace;
    private final DatagramSocket socket;
    private final List<Datagram> received = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Datagram> notYetAwaited = new LinkedBlockingQueue<>();

    UdpListener(String namespace, DatagramSocket socket) {
        this.namespace = namespace;
        this.socket = socket;
        Thread receiver = new Thread(this::receiveUntilClosed, "udp-listener " + namespace + " :" + port());
        receiver.setDaemon(true);
        receiver.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Every datagram received so far, oldest first. */
    public List<Datagram> datagrams() {
        return List.copyOf(received);
    }

    /** Waits for the next datagram that no earlier call returned; null when none arrives in time. */
    public Datagram awaitDatagram(Duration timeout) {
        try {
            return notYetAwaited.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "UdpListener[" + namespace + " " + socket.getLocalSocketAddress() + "]";
    }

    private void receiveUntilClosed() {
        byte[] buffer = new byte[65536];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return; // closed
            }
            Datagram datagram = new Datagram(
                    new String(packet.getData(), packet.getOffset(), packet.getLength(), StandardCharsets.UTF_8),
                    Addresses.text(packet.getAddress()), packet.getPort());
            received.add(datagram);
            notYetAwaited.add(datagram);
        }
    }
}
