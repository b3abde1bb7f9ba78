package dev.weft.net;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An address on an interface with its prefix length, e.g. {@code 10.1.0.2/24}. */
public record InterfaceAddress(InetAddress address, int prefixLength) {

    public InterfaceAddress {
        int max = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range 0-" + max
                    + " for " + IpAddresses.format(address));
        }
    }

    /** Parses {@code 10.1.0.2/24} or {@code fd00:1::2/64}; the message names the value and what is accepted. */
    public static InterfaceAddress parse(String text) {
        String expect = "expected ADDRESS/LENGTH like 10.1.0.2/24 (length 0-32) or fd00:1::2/64 (length 0-128)";
        if (text == null) {
            throw new IllegalArgumentException("no address given: " + expect);
        }
        int slash = text.indexOf('/');
        if (slash < 0 || slash != text.lastIndexOf('/')) {
            throw new IllegalArgumentException("\"" + text + "\" is not an address with a prefix length: " + expect);
        }
        InetAddress a = IpAddresses.tryParse(text.substring(0, slash));
        String len = text.substring(slash + 1);
        if (a == null || len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid address: " + expect);
        }
        int n = Integer.parseInt(len);
        int max = a.getAddress().length * 8;
        if (n > max) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid address: prefix length " + n
                    + " exceeds " + max + " for " + (max == 32 ? "IPv4" : "IPv6"));
        }
        return new InterfaceAddress(a, n);
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The prefix this address is in, e.g. 10.1.0.0/24 for 10.1.0.2/24. */
    public IpPrefix prefix() {
        return new IpPrefix(address, prefixLength);
    }

    @Override
    public String toString() {
        return IpAddresses.format(address) + "/" + prefixLength;
    }
}
