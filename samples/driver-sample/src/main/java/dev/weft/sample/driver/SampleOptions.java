package dev.weft.sample.driver;

import dev.weft.api.WeftException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sample driver's typed options, parsed from the user's {@code -o KEY=VALUE} map. Every key
 * the driver knows is listed in {@link #KEYS}; any other key is refused, naming it.
 *
 * @param mtu the MTU of the network's bridge and veths, or 0 when not set (then the instance's
 *            default MTU applies, and when that is 0 too, the kernel's)
 */
public record SampleOptions(int mtu) {
    public static final String MTU = "mtu";

    /** The option keys, in one place. */
    public static final List<String> KEYS = List.of(MTU);

    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;
    /** IPv6 needs links of at least this MTU (RFC 8200 §5). */
    static final int MIN_IPV6_MTU = 1280;

    /** Parses {@code options}; refuses unknown keys and malformed values. No side effects. */
    public static SampleOptions parse(Map<String, String> options) {
        int mtu = 0;
        // Sorted, so a request with several bad keys always names the same one first.
        for (Map.Entry<String, String> option : new TreeMap<>(options).entrySet()) {
            switch (option.getKey()) {
                case MTU -> mtu = parseMtu(option.getValue());
                default -> throw new WeftException.InvalidRequest("driver \"" + SampleDriver.NAME + "\" has no option \""
                        + option.getKey() + "\": known options are " + String.join(", ", KEYS));
            }
        }
        return new SampleOptions(mtu);
    }

    private static int parseMtu(String value) {
        try {
            int mtu = Integer.parseInt(value.trim());
            if (mtu >= MIN_MTU && mtu <= MAX_MTU) {
                return mtu;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is accepted
        }
        throw new WeftException.InvalidRequest("driver \"" + SampleDriver.NAME + "\": option " + MTU + "=\"" + value
                + "\" is not valid: expected a whole number from " + MIN_MTU + " to " + MAX_MTU);
    }

    /** The MTU to give new links: this network's, else {@code instanceDefault}; 0 leaves it to the kernel. */
    int effectiveMtu(int instanceDefault) {
        return mtu != 0 ? mtu : instanceDefault;
    }
}
