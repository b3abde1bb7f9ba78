package dev.weft.testkit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Address text in and out: literals only (never DNS), and plain text that tests can compare. */
final class Addresses {
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private Addresses() {
    }

    /** Parses an IPv4 or IPv6 literal ("10.1.0.2", "fd00:1::2", "[fd00:1::2]"); rejects host names. */
    static InetAddress parse(String literal) {
        String text = literal.strip();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        if (!LITERAL.matcher(text).matches()) {
            throw new IllegalArgumentException("not an IP address literal: '" + literal
                    + "' (the test kit never resolves names; use e.g. 10.1.0.2 or fd00:1::2)");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: '" + literal + "'", e);
        }
    }

    /** The address part of a CIDR such as "10.1.0.1/24". */
    static String withoutPrefix(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    static boolean isIpv6(String addressOrCidr) {
        return withoutPrefix(addressOrCidr).contains(":");
    }

    static String text(SocketAddress address) {
        return text(((InetSocketAddress) address).getAddress());
    }

    /**
     * Plain text for comparisons: no leading '/', no scope, IPv4-mapped IPv6 shown as IPv4,
     * IPv6 compressed the way iproute2 prints it (RFC 5952), e.g. "fd00:1::2".
     */
    static String text(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        if (isIpv4Mapped(bytes)) {
            return (bytes[12] & 0xff) + "." + (bytes[13] & 0xff) + "." + (bytes[14] & 0xff) + "." + (bytes[15] & 0xff);
        }
        return compressIpv6(bytes);
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
    }

    private static String compressIpv6(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // RFC 5952: replace the longest run (first one on ties) of two or more zero groups by "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
