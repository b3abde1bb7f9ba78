package dev.weft.testkit;

/** One side of a connection as a listener saw it: plain address text ("10.1.0.2", "fd00:1::2") and port. */
public record Endpoint(String address, int port) {
    @Override
    public String toString() {
        return address.contains(":") ? "[" + address + "]:" + port : address + ":" + port;
    }
}
