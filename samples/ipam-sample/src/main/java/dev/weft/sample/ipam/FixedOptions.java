package dev.weft.sample.ipam;

import static dev.weft.spi.IpamException.Reason.INVALID_REQUEST;

import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.IpamException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code fixed} IPAM driver's options ({@code --ipam-opt KEY=VALUE}), every key listed here and
 * unknown keys refused by name: {@value #ADDRESSES}, the endpoints' addresses in the order they
 * are handed out, comma-separated, each inside the subnet.
 *
 * @param addresses the list, in its order, without duplicates
 */
record FixedOptions(List<InetAddress> addresses) {
    static final String ADDRESSES = "addresses";
    static final Set<String> KEYS = Set.of(ADDRESSES);

    FixedOptions {
        addresses = List.copyOf(addresses);
    }

    /** Parses the options of a pool request for {@code subnet}; refuses what does not fit it. */
    static FixedOptions parse(Map<String, String> options, IpPrefix subnet) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw invalid("IPAM driver \"" + FixedIpam.NAME + "\" has no option " + String.join(", ", unknown)
                    + "; it takes " + ADDRESSES + "=A,B,... (the endpoints' addresses, in order)");
        }
        String text = options.getOrDefault(ADDRESSES, "").trim();
        if (text.isEmpty()) {
            throw invalid("IPAM driver \"" + FixedIpam.NAME + "\" needs the endpoints' addresses: --ipam-opt "
                    + ADDRESSES + "=A,B,... inside subnet " + subnet);
        }
        Set<InetAddress> list = new LinkedHashSet<>();
        for (String item : text.split(",")) {
            InetAddress a = IpAddresses.tryParse(item.trim());
            if (a == null) {
                throw invalid(ADDRESSES + ": \"" + item.trim() + "\" is not an IP address");
            }
            if (!subnet.contains(a)) {
                throw invalid(ADDRESSES + ": " + IpAddresses.format(a) + " is not inside subnet " + subnet);
            }
            if (FixedIpam.reserved(subnet, a)) {
                throw invalid(ADDRESSES + ": " + IpAddresses.format(a) + " is the network or broadcast address of "
                        + subnet + ", which no interface can use");
            }
            if (!list.add(a)) {
                throw invalid(ADDRESSES + ": " + IpAddresses.format(a) + " is given twice");
            }
        }
        return new FixedOptions(new ArrayList<>(list));
    }

    private static IpamException invalid(String message) {
        return new IpamException(INVALID_REQUEST, message);
    }
}
