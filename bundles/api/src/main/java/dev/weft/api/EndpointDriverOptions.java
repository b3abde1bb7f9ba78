package dev.weft.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The endpoint driver options ({@code --driver-opt KEY=VALUE}, Docker's {@code EndpointSettings.DriverOpts})
 * that the controller itself understands, whatever the driver, and their checks. Every other key goes
 * to the network's driver, which refuses the ones it does not know.
 * <ul>
 *   <li>{@value #IFNAME}{@code =NAME}: the name of the endpoint's interface inside the sandbox,
 *       instead of the next free {@code eth0}, {@code eth1}, … (a link name: 1-15 characters, no
 *       {@code /}, {@code :} or whitespace, not {@code .} or {@code ..}).</li>
 *   <li>{@value #SYSCTLS}{@code =net.ipv4.conf.IFNAME.KEY=VALUE,…} (Docker 28): per-interface sysctls
 *       written inside the sandbox when its interface is made, comma-separated; {@code IFNAME} stands
 *       for the interface's real name. Only keys under {@code net.ipv4.conf.IFNAME.},
 *       {@code net.ipv6.conf.IFNAME.} and {@code net.mpls.conf.IFNAME.} are accepted.</li>
 * </ul>
 *
 * @since 0.7.0
 */
public final class EndpointDriverOptions {
    /** Docker's key for the interface's name in the sandbox. */
    public static final String IFNAME = "com.docker.network.endpoint.ifname";
    /** Docker's key for the interface's sysctls. */
    public static final String SYSCTLS = "com.docker.network.endpoint.sysctls";
    /** The placeholder for the interface's name in a sysctl's key. */
    public static final String IFNAME_PLACEHOLDER = "IFNAME";

    private static final List<String> TREES = List.of("net.ipv4.conf.", "net.ipv6.conf.", "net.mpls.conf.");
    private static final String SYSCTLS_ACCEPTED = "expected comma-separated KEY=VALUE entries whose key is "
            + "net.ipv4.conf.IFNAME.NAME, net.ipv6.conf.IFNAME.NAME or net.mpls.conf.IFNAME.NAME (IFNAME literally: "
            + "it stands for the interface's name), e.g. " + SYSCTLS + "=net.ipv4.conf.IFNAME.log_martians=1,"
            + "net.ipv6.conf.IFNAME.accept_ra=0";

    private EndpointDriverOptions() {}

    /**
     * Checks the options the controller understands ({@link #IFNAME}, {@link #SYSCTLS}); keys and
     * values are otherwise the driver's. Throws {@link WeftException.InvalidRequest} naming the option,
     * the entry and what is accepted.
     */
    public static void check(Map<String, String> options) {
        options.forEach((k, v) -> {
            if (k == null || k.isBlank()) {
                throw new WeftException.InvalidRequest("driver option \"" + k + "=" + v + "\": the key is empty; "
                        + "expected KEY=VALUE");
            }
        });
        String ifname = options.get(IFNAME);
        if (ifname != null) {
            checkInterfaceName(ifname);
        }
        String sysctls = options.get(SYSCTLS);
        if (sysctls != null) {
            sysctls(sysctls, "eth0");
        }
    }

    /** Checks a link name as the kernel's {@code dev_valid_name} does. */
    public static void checkInterfaceName(String name) {
        String why = null;
        if (name.isEmpty() || name.length() > 15) {
            why = "an interface name has 1-15 characters, not " + name.length();
        } else if (name.equals(".") || name.equals("..")) {
            why = "\"" + name + "\" cannot name an interface";
        } else if (name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x20 || c > 0x7e)) {
            why = "an interface name has no '/', ':', whitespace or control characters";
        }
        if (why != null) {
            throw new WeftException.InvalidRequest("driver option " + IFNAME + "=" + name + ": " + why
                    + "; expected a name like eth0 or web0");
        }
    }

    /**
     * The sysctls of {@link #SYSCTLS}'s value for an interface named {@code ifname}, in the order
     * given, as paths under {@code /proc/sys} ({@code net/ipv4/conf/eth0/log_martians}: slashes,
     * so that an interface name with a dot stays one path element) with their values. A key given
     * twice keeps its last value. Throws {@link WeftException.InvalidRequest} naming the entry and
     * what is accepted.
     */
    public static Map<String, String> sysctls(String value, String ifname) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value.isBlank()) {
            throw new WeftException.InvalidRequest("driver option " + SYSCTLS + "=" + value + ": no entries; "
                    + SYSCTLS_ACCEPTED);
        }
        for (String entry : value.split(",", -1)) {
            int eq = entry.indexOf('=');
            String key = eq < 0 ? entry.trim() : entry.substring(0, eq).trim();
            String v = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (eq < 0 || key.isEmpty() || v.isEmpty() || v.chars().anyMatch(c -> c < 0x20)) {
                throw new WeftException.InvalidRequest("driver option " + SYSCTLS + ": entry \"" + entry
                        + "\" is not KEY=VALUE; " + SYSCTLS_ACCEPTED);
            }
            String tree = TREES.stream().filter(key::startsWith).findFirst().orElse(null);
            String rest = tree == null ? null : key.substring(tree.length());
            if (rest == null || !rest.startsWith(IFNAME_PLACEHOLDER + ".")) {
                throw new WeftException.InvalidRequest("driver option " + SYSCTLS + ": entry \"" + entry + "\" is not "
                        + "a sysctl of the endpoint's interface; " + SYSCTLS_ACCEPTED);
            }
            String name = rest.substring(IFNAME_PLACEHOLDER.length() + 1);
            if (name.isEmpty() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 0x80 || c == '_'
                    || c == '-')) {
                throw new WeftException.InvalidRequest("driver option " + SYSCTLS + ": entry \"" + entry + "\": \""
                        + name + "\" is not a sysctl's name (letters, digits, '_' or '-'); " + SYSCTLS_ACCEPTED);
            }
            out.put(tree.replace('.', '/') + ifname + "/" + name, v);
        }
        return Collections.unmodifiableMap(out);
    }

    /** The options without the ones the controller understands: what the driver is given. */
    public static Map<String, String> forDriver(Map<String, String> options) {
        Map<String, String> out = new LinkedHashMap<>(options);
        out.remove(IFNAME);
        out.remove(SYSCTLS);
        return Collections.unmodifiableMap(out);
    }
}
