package dev.weft.testkit;

/** A UDP datagram as a {@link UdpListener} received it. */
public record Datagram(String payload, String source, int sourcePort) {
}
