package dev.weft.core.internal.ipam;

import dev.weft.net.IpPrefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instance setting {@value #SETTING} (in {@code etc/dev.weft.cfg} the key {@code defaultPools}):
 * the default address pools, in Docker's {@code default-address-pools} shape
 * {@code base=CIDR,size=N;base=CIDR,size=N}, IPv4 and IPv6 bases alike, in the order they are used.
 * Empty: {@link DefaultPool#defaults()}. The form before it, {@code BASE/LEN:SIZE} comma separated
 * ({@code 172.17.0.0/16:24,10.200.0.0/16:24}), is still read.
 *
 * <p>A list that does not parse is refused as a whole, naming the item and the shape expected: core
 * does not start on a list it cannot read (it would otherwise hand out subnets from pools nobody
 * asked for).
 */
public final class DefaultPoolList {
    /** The framework property ({@code etc/custom.properties}) that {@code etc/dev.weft.cfg} reads. */
    public static final String SETTING = "weft.default.address.pools";
    /** The environment variable {@code ./weft} sets it from. */
    public static final String ENV = "WEFT_DEFAULT_ADDRESS_POOLS";
    /** The shape, for messages. */
    public static final String SHAPE = "base=CIDR,size=N;base=CIDR,size=N";
    private static final String EXAMPLE = "base=172.17.0.0/16,size=24;base=fd00:1::/48,size=64";

    private DefaultPoolList() {}

    /** The pools {@code text} names, or the built-in defaults when it is empty. */
    public static List<DefaultPool> parse(String text) {
        if (text == null || text.isBlank()) {
            return DefaultPool.defaults();
        }
        String trimmed = text.trim();
        if (!trimmed.contains("=")) {
            return legacy(trimmed);
        }
        List<DefaultPool> out = new ArrayList<>();
        for (String item : trimmed.split(";", -1)) {
            out.add(item(item.trim()));
        }
        return List.copyOf(out);
    }

    /** One {@code base=CIDR,size=N}: both keys once, in any order, nothing else. */
    private static DefaultPool item(String item) {
        if (item.isEmpty()) {
            throw invalid(item, "is empty (a stray ';')");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : item.split(",", -1)) {
            int eq = field.indexOf('=');
            String key = eq < 0 ? field.trim() : field.substring(0, eq).trim();
            if (eq < 0 || !(key.equals("base") || key.equals("size"))) {
                throw invalid(item, "has \"" + field.trim() + "\" where base=CIDR or size=N belongs");
            }
            if (fields.put(key, field.substring(eq + 1).trim()) != null) {
                throw invalid(item, "gives " + key + " twice");
            }
        }
        if (!fields.containsKey("base") || !fields.containsKey("size")) {
            throw invalid(item, "lacks " + (fields.containsKey("base") ? "size=N" : "base=CIDR"));
        }
        return pool(item, fields.get("base"), fields.get("size"));
    }

    /** {@code BASE/LEN:SIZE,…}, the form before Docker's shape. */
    private static List<DefaultPool> legacy(String text) {
        List<DefaultPool> out = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            String[] parts = item.trim().split(":");
            if (parts.length != 2) {
                throw invalid(item.trim(), "is neither base=CIDR,size=N nor the older BASE/LEN:SIZE");
            }
            out.add(pool(item.trim(), parts[0].trim(), parts[1].trim()));
        }
        return List.copyOf(out);
    }

    private static DefaultPool pool(String item, String baseText, String sizeText) {
        IpPrefix base;
        try {
            base = IpPrefix.parse(baseText);
        } catch (IllegalArgumentException e) {
            throw invalid(item, "base " + baseText + " is not a CIDR prefix like 172.17.0.0/16 (" + e.getMessage() + ")");
        }
        int size;
        try {
            size = Integer.parseInt(sizeText);
        } catch (NumberFormatException e) {
            throw invalid(item, "size " + sizeText + " is not a prefix length like 24");
        }
        int longest = base.isIpv4() ? 30 : 126; // room for a gateway and an endpoint, as a network needs
        if (size < base.length() || size > longest) {
            throw invalid(item, "size " + size + " must be between the base's length " + base.length() + " and "
                    + longest + " (a smaller subnet has no room for a gateway and an endpoint)");
        }
        return new DefaultPool(base, size);
    }

    private static IllegalArgumentException invalid(String item, String why) {
        return new IllegalArgumentException("default address pool \"" + item + "\" " + why + "; " + SETTING
                + " expects " + SHAPE + ", like " + EXAMPLE + " (empty for the built-in pools)");
    }
}
