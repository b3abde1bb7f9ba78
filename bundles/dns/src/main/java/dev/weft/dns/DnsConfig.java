package dev.weft.dns;

/**
 * The DNS server's settings (OSGi configuration PID {@code dev.weft.dns}, same keys).
 *
 * @param upstreamTimeoutMillis how long one upstream is given to answer one forwarded query, in
 *                              milliseconds, before the next is tried (at most 3 are tried, as libc
 *                              does); when all fail the client gets SERVFAIL
 * @param maxConcurrentForwards forwarded queries in flight at once; one more is answered SERVFAIL at
 *                              once (counted, logged at most once a minute) instead of waiting
 * @param tcpIdleMillis         a client's TCP connection is closed after this long without a query
 * @param maxTcpConnections     client TCP connections open at once; more are closed at once
 */
public record DnsConfig(int upstreamTimeoutMillis, int maxConcurrentForwards, int tcpIdleMillis, int maxTcpConnections) {
    public DnsConfig {
        positive("upstreamTimeoutMillis", upstreamTimeoutMillis);
        positive("maxConcurrentForwards", maxConcurrentForwards);
        positive("tcpIdleMillis", tcpIdleMillis);
        positive("maxTcpConnections", maxTcpConnections);
    }

    /** 2000 ms per upstream, 256 forwards, 10 s TCP idle, 64 TCP connections. */
    public static DnsConfig defaults() {
        return new DnsConfig(2000, 256, 10_000, 64);
    }

    public DnsConfig withUpstreamTimeoutMillis(int millis) {
        return new DnsConfig(millis, maxConcurrentForwards, tcpIdleMillis, maxTcpConnections);
    }

    public DnsConfig withMaxConcurrentForwards(int max) {
        return new DnsConfig(upstreamTimeoutMillis, max, tcpIdleMillis, maxTcpConnections);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("DNS setting " + key + " is " + value + ": it must be at least 1");
        }
    }
}
