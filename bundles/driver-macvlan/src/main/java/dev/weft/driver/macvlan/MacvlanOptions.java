package dev.weft.driver.macvlan;

import dev.weft.api.WeftException;
import dev.weft.linux.MacvlanMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The macvlan driver's typed options, parsed from the user's {@code -o KEY=VALUE} map under
 * Docker's names ({@link #KEYS}); any other key is refused, naming it. What depends on the host
 * (the parent exists, its MTU) is {@link MacvlanDriver#validate}'s.
 *
 * @param parent the host interface the sandboxes' macvlan links sit on, as given: {@code eth0}, or
 *               {@code eth0.10} for the 802.1Q sub-interface of {@code eth0} with VLAN id 10
 * @param mode   how links of one parent reach each other ({@code macvlan_mode}, default bridge)
 * @param mtu    the links' MTU, or 0 for the parent's
 */
public record MacvlanOptions(String parent, MacvlanMode mode, int mtu) {
    public static final String PARENT = "parent";
    public static final String MODE = "macvlan_mode";
    public static final String MTU = "com.docker.network.driver.mtu";
    /** The option keys, in one place. */
    public static final List<String> KEYS = List.of(PARENT, MODE, MTU);
    /** The modes a user may choose, as Docker spells them ({@code source} is not one of Docker's). */
    static final List<MacvlanMode> MODES = List.of(MacvlanMode.BRIDGE, MacvlanMode.PRIVATE, MacvlanMode.VEPA,
            MacvlanMode.PASSTHRU);
    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;
    /** IPv6 needs links of at least this MTU (RFC 8200 §5). */
    static final int MIN_IPV6_MTU = 1280;
    private static final int IFNAMSIZ = 15;

    public static MacvlanOptions parse(Map<String, String> options) {
        Map<String, String> unknown = new TreeMap<>(options);
        unknown.keySet().removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new WeftException.InvalidRequest("unknown macvlan option" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.keySet()) + "; the macvlan driver takes " + String.join(", ", KEYS));
        }
        String parent = options.get(PARENT);
        if (parent == null || parent.isBlank()) {
            throw new WeftException.InvalidRequest("the macvlan driver needs a parent interface: give -o " + PARENT
                    + "=IFACE (an interface of the host, e.g. eth0, or eth0.10 for VLAN 10 on it). Docker makes a "
                    + "\"dummy\" link when no parent is given, and this kernel has no dummy link type");
        }
        parent = parent.strip();
        checkParentName(parent);
        return new MacvlanOptions(parent, mode(options.get(MODE)), mtu(options.get(MTU)));
    }

    /** The VLAN id of a parent named {@code IFACE.VLAN}, else 0. */
    public int vlanId() {
        int dot = parent.lastIndexOf('.');
        return dot < 0 ? 0 : Integer.parseInt(parent.substring(dot + 1));
    }

    /** The interface under the VLAN ({@code eth0} of {@code eth0.10}), or the parent itself. */
    public String lowerParent() {
        int dot = parent.lastIndexOf('.');
        return dot < 0 ? parent : parent.substring(0, dot);
    }

    private static MacvlanMode mode(String value) {
        if (value == null || value.isBlank()) {
            return MacvlanMode.BRIDGE;
        }
        for (MacvlanMode m : MODES) {
            if (m.name().toLowerCase(Locale.ROOT).equals(value.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new WeftException.InvalidRequest("macvlan option " + MODE + "=" + value + " is not valid: expected "
                + "bridge (the default), private, vepa or passthru");
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
        throw new WeftException.InvalidRequest("macvlan option " + MTU + "=" + value + " is not valid: expected a "
                + "number from " + MIN_MTU + " to " + MAX_MTU + ", at most the parent interface's MTU");
    }

    /**
     * A parent is an interface name, or {@code IFACE.VLAN} (Docker's form for an 802.1Q
     * sub-interface, which is then also its name) with a VLAN id from 1 to 4094.
     */
    private static void checkParentName(String parent) {
        boolean validName = parent.length() <= IFNAMSIZ && !parent.equals(".") && !parent.equals("..")
                && parent.chars().noneMatch(c -> c <= ' ' || c == '/' || c == ':' || c > 126);
        if (!validName) {
            throw new WeftException.InvalidRequest("macvlan option " + PARENT + "=" + parent + " is not valid: an "
                    + "interface name has 1-15 printable characters without '/', ':' or spaces");
        }
        int dot = parent.lastIndexOf('.');
        if (dot < 0) {
            return;
        }
        String id = parent.substring(dot + 1);
        int vlan = -1;
        if (id.matches("[0-9]{1,4}")) {
            vlan = Integer.parseInt(id);
        }
        if (dot == 0 || vlan < 1 || vlan > 4094) {
            throw new WeftException.InvalidRequest("macvlan option " + PARENT + "=" + parent + " is not valid: a "
                    + "parent with a dot names an 802.1Q sub-interface IFACE.VLAN, with a VLAN id from 1 to 4094 "
                    + "(e.g. eth0.10)");
        }
    }
}
