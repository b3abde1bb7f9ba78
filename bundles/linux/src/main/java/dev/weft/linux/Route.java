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
 * @param metric      the route's priority, 0 for the kernel's default
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
        if (metric > 0) {
            sb.append(" metric ").append(metric);
        }
        return sb.toString();
    }
}
