package dev.weft.driver.overlay;

import dev.weft.api.WeftException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The overlay driver's typed options, parsed from the user's {@code -o KEY=VALUE} map under
 * Docker's names ({@link #KEYS}); any other key is refused, naming it. What depends on the host
 * (the underlay's MTU) or on the network (its subnets) is {@link OverlayDriver#validate}'s.
 *
 * @param vnis the VNIs given ({@code vxlanid_list}, Docker's comma list, one per subnet), or
 *             empty for one chosen in the cluster store; the network is one layer-2 segment, so
 *             only the first is used. After {@link OverlayDriver#allocateNetwork} the recorded
 *             options hold the one claimed
 * @param mtu  the MTU of the overlay's links, or 0 for the underlay's less the VXLAN overhead
 */
public record OverlayOptions(List<Integer> vnis, int mtu) {
    public static final String VXLANID_LIST = "com.docker.network.driver.overlay.vxlanid_list";
    public static final String MTU = "com.docker.network.driver.mtu";
    /** Docker's key for an IPsec-encrypted overlay: refused here, whatever its value. */
    public static final String ENCRYPTED = "encrypted";
    /** The option keys, in one place. */
    public static final List<String> KEYS = List.of(VXLANID_LIST, MTU, ENCRYPTED);
    static final int MAX_VNI = 0xffffff;
    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;
    /** IPv6 needs links of at least this MTU (RFC 8200 §5). */
    static final int MIN_IPV6_MTU = 1280;

    public OverlayOptions {
        vnis = List.copyOf(vnis);
    }

    public static OverlayOptions parse(Map<String, String> options) {
        Map<String, String> unknown = new TreeMap<>(options);
        unknown.keySet().removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new WeftException.InvalidRequest("unknown overlay option" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.keySet()) + "; the overlay driver takes " + String.join(", ", KEYS));
        }
        if (options.containsKey(ENCRYPTED)) {
            throw new WeftException.InvalidRequest("overlay option " + ENCRYPTED + ": this kernel has no IPsec ESP "
                    + "(xfrm), so encrypted overlays cannot be made; drop -o " + ENCRYPTED);
        }
        return new OverlayOptions(vnis(options.get(VXLANID_LIST)), mtu(options.get(MTU)));
    }

    /** The VNI of the network's segment (the first given or claimed), or 0 when none is yet. */
    public int vni() {
        return vnis.isEmpty() ? 0 : vnis.get(0);
    }

    private static List<Integer> vnis(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            int vni = -1;
            String p = part.strip();
            if (p.matches("[0-9]{1,8}")) {
                vni = Integer.parseInt(p);
            }
            if (vni < 1 || vni > MAX_VNI) {
                throw new WeftException.InvalidRequest("overlay option " + VXLANID_LIST + "=" + value + " is not valid: "
                        + "\"" + p + "\" is not a VNI; give numbers from 1 to " + MAX_VNI + ", separated by commas");
            }
            if (out.contains(vni)) {
                throw new WeftException.InvalidRequest("overlay option " + VXLANID_LIST + "=" + value
                        + " names VNI " + vni + " twice");
            }
            out.add(vni);
        }
        return out;
    }

    private static int mtu(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int mtu = Integer.parseInt(value.strip());
            if (mtu >= MIN_MTU && mtu <= MAX_MTU) {
                return mtu;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new WeftException.InvalidRequest("overlay option " + MTU + "=" + value + " is not valid: expected a "
                + "number from " + MIN_MTU + " to the underlay interface's MTU less 50 (the VXLAN header)");
    }
}
