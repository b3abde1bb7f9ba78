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
}
