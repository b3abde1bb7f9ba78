package dev.weft.core.internal;

import dev.weft.api.WeftException;
import java.util.regex.Pattern;

/** The rules for names people give networks and sandboxes. */
final class Names {
    /** Letters, digits, '_', '.', '-'; starts with a letter or digit; short enough for a namespace file name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private Names() {}

    static String check(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new WeftException.InvalidRequest(what + " name is empty: use 1-64 letters, digits, '_', '.' or '-', "
                    + "starting with a letter or digit");
        }
        if (!NAME.matcher(name).matches()) {
            String why = name.length() > 64 ? "it has " + name.length() + " characters (at most 64)"
                    : "it has characters other than letters, digits, '_', '.' and '-', or does not start with a letter or digit";
            throw new WeftException.InvalidRequest(what + " name \"" + name + "\" is not valid: " + why);
        }
        return name;
    }

    /** A DNS name: labels of letters, digits, '-' and '_' (1-63, not starting or ending with '-'), dot-separated, at most 253. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*");
    /** A host name (RFC 1123): as a DNS name without '_'. */
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    static boolean isDnsName(String name) {
        return name != null && DNS_NAME.matcher(name).matches();
    }

    /** {@code --hostname}: an RFC 1123 host name, or null for none. */
    static String checkHostname(String hostname) {
        if (hostname != null && !HOSTNAME.matcher(hostname).matches()) {
            throw new WeftException.InvalidRequest("--hostname \"" + hostname + "\" is not a host name: use labels of "
                    + "letters, digits and '-' (1-63 characters each, not starting or ending with '-'), separated by "
                    + "'.', at most 253 characters, e.g. web or web-1.example");
        }
        return hostname;
    }

    /**
     * {@code --alias}: each a DNS name, none twice (letter case aside, as names are looked up), none
     * equal to the sandbox's own name (which it has anyway).
     */
    static java.util.List<String> checkAliases(java.util.List<String> aliases) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String a : aliases) {
            if (!isDnsName(a)) {
                throw new WeftException.InvalidRequest("--alias \"" + a + "\" is not a DNS name: use labels of letters, "
                        + "digits, '-' and '_' (1-63 characters each, not starting or ending with '-'), separated by '.', "
                        + "at most 253 characters");
            }
            if (!seen.add(a.toLowerCase(java.util.Locale.ROOT))) {
                throw new WeftException.InvalidRequest("--alias \"" + a + "\" is given twice: give each alias once");
            }
        }
        return aliases;
    }
}
