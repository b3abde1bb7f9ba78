package dev.weft.bench;

import java.nio.file.Path;

/**
 * Weft's side of {@link DnsBench}: its runtime with the bridge driver and the embedded DNS server
 * of {@code bundles/dns}. Until that bundle is in this checkout, {@link #open} returns null and the
 * report says so.
 */
final class DnsWeft {
    private DnsWeft() {
    }

    static DnsTarget open(Path work) {
        return null;
    }

    static String whyMissing() {
        return "bundles/dns (Weft's DNS server) is not in this checkout yet";
    }
}
