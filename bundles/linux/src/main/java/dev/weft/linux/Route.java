package dev.weft.linux;

import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.net.InetAddress;

/**
 * A route in the main table.
 *
 * @param destination the prefix ({@code 0.0.0.0/0} or {@code ::/0} for a default route)
 * @param gateway     the next hop, or null for a directly connected (link-scope) route
 * @param device      the output interface index, or 0 to let the kernel pick it from the gateway
 * @param onLink      the gateway is on the link even if no prefix there covers it
 * @param metric      the route's priority ({@code RTA_PRIORITY}, iproute2's {@code metric}), an unsigned
 *                    32-bit number held in an int's bits (so 4294967295 is -1:
 *                    {@link Integer#toUnsignedLong} reads it, {@link #withMetric(long)} sets it); 0 for
 *                    the kernel's default (0 for IPv4; IPv6 has no 0 and makes it 1024)
 */
public record Route(IpPrefix destination, InetAddress gateway, int device, boolean onLink, int metric) {

    public static Route defaultVia(InetAddress gateway) {
        return new Route(IpPrefix.defaultRoute(gateway.getAddress().length == 16), gateway, 0, false, 0);
    }

    public static Route defaultVia(InetAddress gateway, int device) {
        return new Route(IpPrefix.defaultRoute(gateway.getAddress().length == 16), gateway, device, false, 0);
    }

    public static Route via(IpPrefix destination, InetAddress gateway) {
        return new Route(destination, gateway, 0, false, 0);
    }

    /** A directly connected route: {@code destination dev DEVICE scope link}. */
    public static Route direct(IpPrefix destination, int device) {
        return new Route(destination, null, device, false, 0);
    }

    public Route onLink(int device) {
        return new Route(destination, gateway, device, true, metric);
    }

    public Route withMetric(int metric) {
        return new Route(destination, gateway, device, onLink, metric);
    }

    /** This route with the metric {@code metric}, from 0 to 4294967295 (a u32, as the kernel takes it). */
    public Route withMetric(long metric) {
        if (metric < 0 || metric > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("route metric " + metric + " is out of range 0-4294967295");
        }
        return withMetric((int) metric);
    }

    public boolean isIpv4() {
        return destination.isIpv4();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(destination.isDefault() ? "default" : destination.toString());
        if (gateway != null) {
            sb.append(" via ").append(IpAddresses.format(gateway));
        }
        if (device > 0) {
            sb.append(" dev #").append(device);
        }
        if (onLink) {
            sb.append(" onlink");
        }
        if (metric != 0) {
            sb.append(" metric ").append(Integer.toUnsignedString(metric));
        }
        return sb.toString();
    }
}
