package dev.weft.core.internal;

import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.GatewayAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * What makes a requested subnet usable, checked before anything is allocated: it holds no address
 * that no interface can carry, it leaves room for the gateway (when the network has one) and an endpoint, and its ip-range,
 * gateway and auxiliary addresses lie inside it, except that an IPv6 gateway may be link-local
 * (Docker accepts {@code --gateway fe80::1}; the bridge then carries it beside its own link-local).
 */
final class SubnetRules {
    /** Addresses a subnet must not hold: the kernel refuses them on an interface, or routes them elsewhere. */
    private record Reserved(IpPrefix prefix, String what) {}

    private static final List<Reserved> RESERVED = List.of(
            new Reserved(IpPrefix.parse("127.0.0.0/8"), "loopback addresses"),
            new Reserved(IpPrefix.parse("224.0.0.0/4"), "multicast addresses"),
            new Reserved(IpPrefix.parse("::/128"), "the unspecified address"),
            new Reserved(IpPrefix.parse("::1/128"), "the loopback address"),
            new Reserved(IpPrefix.parse("ff00::/8"), "multicast addresses"));

    /**
     * The longest prefix a network with a gateway accepts: the gateway takes one address and an
     * endpoint needs another, besides the network (and, for IPv4, broadcast) address.
     */
    static final int LONGEST_IPV4 = 30;
    static final int LONGEST_IPV6 = 126;

    private SubnetRules() {}

    /**
     * Checks a requested subnet against where its gateway comes from
     * ({@link dev.weft.spi.NetworkDriver#gatewayAddress}): without a gateway (none at all, or none
     * given where only a given one counts) any size down to one address is accepted, and with
     * {@link GatewayAddress#NONE} a {@code --gateway} is refused.
     */
    static void check(String network, SubnetSpec s, GatewayAddress gatewayFrom) {
        IpPrefix subnet = s.subnet();
        checkAddresses(network, subnet);
        if (gatewayFrom == GatewayAddress.ALLOCATED || gatewayFrom == GatewayAddress.IF_GIVEN && s.gateway() != null) {
            checkSize(network, subnet);
        } else if (s.gateway() != null) {
            throw new WeftException.InvalidRequest("network \"" + network + "\": gateway " + IpAddresses.format(s.gateway())
                    + " was given for subnet " + subnet + ", but the network's driver options give the host no address on "
                    + "it (no gateway); drop --gateway, or choose a gateway mode with one");
        }
        if (s.ipRange() != null && (s.ipRange().isIpv4() != subnet.isIpv4() || !subnet.contains(s.ipRange().address())
                || s.ipRange().length() < subnet.length())) {
            throw new WeftException.InvalidRequest("network \"" + network + "\": ip-range " + s.ipRange()
                    + " is not inside subnet " + subnet);
        }
        if (s.gateway() != null && !subnet.contains(s.gateway()) && !isLinkLocalGateway(subnet, s.gateway())) {
            throw new WeftException.InvalidRequest("network \"" + network + "\": gateway "
                    + IpAddresses.format(s.gateway()) + " is not inside subnet " + subnet
                    + (subnet.isIpv4() ? "" : "; an IPv6 gateway may also be link-local (fe80::/10)"));
        }
        for (Map.Entry<String, InetAddress> a : s.auxAddresses().entrySet()) {
            if (!subnet.contains(a.getValue())) {
                throw new WeftException.InvalidRequest("network \"" + network + "\": aux address " + a.getKey() + "="
                        + IpAddresses.format(a.getValue()) + " is not inside subnet " + subnet);
            }
        }
    }

    /**
     * A subnet of the unspecified address with a prefix length ({@code 0.0.0.0/24}, {@code ::/64}):
     * Docker 29's request for any free subnet of that length from the default pools, not the subnet
     * itself. {@code 0.0.0.0/0} and {@code ::/0} are not: they are every address, and refused as such.
     */
    static boolean isSizeRequest(IpPrefix subnet) {
        return subnet.address().isAnyLocalAddress() && subnet.length() > 0;
    }

    /**
     * A size request asks for a length a network can use, and names no address in the subnet it
     * will get: an ip-range, gateway or auxiliary address cannot be placed in it yet.
     */
    static void checkSizeRequest(String network, SubnetSpec s) {
        IpPrefix subnet = s.subnet();
        checkSize(network, subnet);
        if (s.ipRange() != null || s.gateway() != null || !s.auxAddresses().isEmpty()) {
            throw new WeftException.InvalidRequest("network \"" + network + "\": subnet " + subnet + " asks for any free /"
                    + subnet.length() + ", so an ip-range, gateway or aux address cannot be placed in it; give a "
                    + "concrete subnet with them, or drop them");
        }
    }

    /**
     * An IPv6 link-local gateway outside its subnet: the bridge carries it (as a /64, the
     * link-local prefix), IPAM does not hand it out, and sandboxes route through it by device.
     */
    static boolean isLinkLocalGateway(IpPrefix subnet, InetAddress gateway) {
        return !subnet.isIpv4() && gateway instanceof Inet6Address && gateway.isLinkLocalAddress()
                && !subnet.contains(gateway);
    }

    private static void checkAddresses(String network, IpPrefix subnet) {
        String example = subnet.isIpv4() ? "10.1.0.0/24" : "fd00:1::/64";
        if (subnet.length() == 0) {
            throw new WeftException.InvalidRequest("network \"" + network + "\": subnet " + subnet
                    + " has prefix length 0: it is every " + (subnet.isIpv4() ? "IPv4" : "IPv6")
                    + " address, loopback and multicast included; give a subnet like " + example);
        }
        for (Reserved r : RESERVED) {
            if (r.prefix().isIpv4() == subnet.isIpv4() && r.prefix().overlaps(subnet)) {
                throw new WeftException.InvalidRequest("network \"" + network + "\": subnet " + subnet + " holds "
                        + r.what() + " (" + r.prefix() + "), which a network's interfaces cannot use; give a subnet "
                        + "outside " + r.prefix() + ", like " + example);
            }
        }
    }

    private static void checkSize(String network, IpPrefix subnet) {
        int longest = subnet.isIpv4() ? LONGEST_IPV4 : LONGEST_IPV6;
        int width = subnet.isIpv4() ? 32 : 128;
        if (subnet.length() > longest) {
            int addresses = 1 << (width - subnet.length());
            if (isSizeRequest(subnet)) {
                throw new WeftException.InvalidRequest("network \"" + network + "\": subnet " + subnet + " asks for a /"
                        + subnet.length() + ", too small for a network with a gateway (" + addresses
                        + (addresses == 1 ? " address" : " addresses") + "); ask for a /" + longest + " or shorter");
            }
            throw new WeftException.InvalidRequest("network \"" + network + "\": subnet " + subnet + " is too small "
                    + "for a network with a gateway (it has " + addresses + (addresses == 1 ? " address" : " addresses")
                    + " and the gateway takes one); the smallest accepted " + (subnet.isIpv4() ? "IPv4" : "IPv6")
                    + " subnet is a /" + longest);
        }
    }
}
