package dev.weft.driver.bridge;

import dev.weft.linux.Route;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * One static route of netavark's {@code -o route=DEST,GATEWAY[,METRIC]}: added in every sandbox of
 * the network, out of the sandbox's interface on it ({@code DEST via GATEWAY dev IF metric METRIC}).
 *
 * @param destination the prefix routed (no host bits), IPv4 or IPv6
 * @param gateway     the next hop, of the destination's family; {@link BridgeDriver#validate} checks
 *                    that it lies in a subnet of the network
 * @param metric      0 to 4294967295 (a u32, as netavark); 0 when not given: the kernel's default
 *                    (0 for IPv4, 1024 for IPv6)
 */
record StaticRoute(IpPrefix destination, InetAddress gateway, long metric) {
    static final String FORMAT = "DEST,GATEWAY[,METRIC] with DEST a prefix like 10.9.0.0/16 or fd00:9::/64, GATEWAY "
            + "an address of its family in one of the network's subnets, METRIC a whole number from 0 to 4294967295";
    static final long MAX_METRIC = 0xFFFF_FFFFL;

    /**
     * Parses {@code DEST,GATEWAY[,METRIC]}; throws {@link IllegalArgumentException} saying what is
     * wrong with it (the caller names the option).
     */
    static StaticRoute parse(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("\"" + text + "\" has " + parts.length + " part" + (parts.length == 1 ? "" : "s")
                    + ", not 2 or 3");
        }
        IpPrefix destination;
        try {
            destination = IpPrefix.parse(parts[0].trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("destination \"" + parts[0].trim() + "\": " + e.getMessage());
        }
        InetAddress gateway = IpAddresses.tryParse(parts[1].trim());
        if (gateway == null) {
            throw new IllegalArgumentException("gateway \"" + parts[1].trim() + "\" is not an IP address");
        }
        if ((gateway instanceof Inet4Address) != destination.isIpv4()) {
            throw new IllegalArgumentException("gateway " + IpAddresses.format(gateway) + " is not of the family of "
                    + destination);
        }
        long metric = parts.length == 3 ? parseMetric(parts[2].trim()) : 0;
        return new StaticRoute(destination, gateway, metric);
    }

    /** A u32 metric; throws {@link IllegalArgumentException} naming the text. */
    static long parseMetric(String text) {
        if (!text.isEmpty() && text.length() <= 10 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            long m = Long.parseLong(text);
            if (m <= MAX_METRIC) {
                return m;
            }
        }
        throw new IllegalArgumentException("metric \"" + text + "\" is not a whole number from 0 to " + MAX_METRIC);
    }

    /** The kernel route through the sandbox interface {@code device}. */
    Route toRoute(int device) {
        return new Route(destination, gateway, device, false, 0).withMetric(metric);
    }

    /** As the user writes it: {@code DEST,GATEWAY[,METRIC]}. */
    @Override
    public String toString() {
        return destination + "," + IpAddresses.format(gateway) + (metric != 0 ? "," + metric : "");
    }
}
