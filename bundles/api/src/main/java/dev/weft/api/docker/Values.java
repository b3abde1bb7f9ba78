package dev.weft.api.docker;

import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Values as people type them and Docker's clients send them: prefixes, addresses, MAC addresses.
 * Every error is one {@link WeftException.InvalidRequest} line that starts with the field (an
 * option such as {@code --subnet}, or a body field such as {@code IPAM.Config.Subnet}) and the value
 * as given, and says what is accepted, e.g. {@code --subnet 10.0.0.0/33: prefix length 33 exceeds 32
 * for IPv4}. Addresses are parsed as literals only ({@link IpAddresses}): a host name is refused,
 * never resolved.
 */
public final class Values {
    public static final String CIDR_FORMAT = "expected ADDRESS/LENGTH like 10.1.0.0/16 or fd00:1::/64";
    public static final String IP_FORMAT = "expected an IPv4 address like 10.1.0.2 or an IPv6 address like fd00:1::2";

    private Values() {}

    /** A network prefix: a literal, a length in range, no host bits. */
    public static IpPrefix prefix(String field, String text) {
        String value = text == null ? "" : text.trim();
        int slash = value.indexOf('/');
        if (slash < 0) {
            throw invalid(field, text, "no prefix length; " + CIDR_FORMAT);
        }
        String addressPart = value.substring(0, slash);
        String lengthPart = value.substring(slash + 1);
        InetAddress address = IpAddresses.tryParse(addressPart);
        if (address == null) {
            throw invalid(field, text, "\"" + addressPart + "\" is not an IP address; " + CIDR_FORMAT);
        }
        int max = address instanceof Inet4Address ? 32 : 128;
        if (lengthPart.isEmpty() || lengthPart.length() > 3
                || !lengthPart.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(field, text, "prefix length \"" + lengthPart + "\" is not a number in 0-" + max);
        }
        int length = Integer.parseInt(lengthPart);
        if (length > max) {
            throw invalid(field, text, "prefix length " + length + " exceeds " + max + " for "
                    + (max == 32 ? "IPv4" : "IPv6"));
        }
        IpPrefix prefix = new IpPrefix(address, length);
        if (!prefix.address().equals(address)) {
            throw invalid(field, text, "host bits are set; did you mean " + prefix + "?");
        }
        return prefix;
    }

    /** An IPv4 or IPv6 address literal. */
    public static InetAddress address(String field, String text) {
        InetAddress a = IpAddresses.tryParse(text == null ? null : text.trim());
        if (a == null) {
            throw invalid(field, text, "not an IP address; " + IP_FORMAT);
        }
        return a;
    }

    /** A MAC address an interface can have: six hex pairs, unicast, not all zeros. */
    public static MacAddress mac(String field, String text) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw invalid(field, text, "not a MAC address; expected six hex pairs like 02:42:ac:11:00:02");
        }
        String problem = mac.interfaceAddressProblem();
        if (problem != null) {
            throw invalid(field, text, problem);
        }
        return mac;
    }

    /** Aliases (names on one network): not empty, no whitespace. */
    public static List<String> aliases(String field, List<String> texts) {
        for (String text : orEmpty(texts)) {
            if (text == null || text.isBlank() || text.chars().anyMatch(Character::isWhitespace)) {
                throw invalid(field, text, "expected a name without spaces");
            }
        }
        return List.copyOf(orEmpty(texts));
    }

    public static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** {@code FIELD VALUE: WHY}. */
    public static WeftException.InvalidRequest invalid(String field, String value, String why) {
        return new WeftException.InvalidRequest(field + " " + value + ": " + why);
    }
}
