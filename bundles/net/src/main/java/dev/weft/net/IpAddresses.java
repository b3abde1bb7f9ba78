package dev.weft.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Strict parsing of IP address literals. Never resolves names: {@link InetAddress#getByName}
 * would send a DNS query for anything that is not a literal it recognises.
 */
public final class IpAddresses {
    private IpAddresses() {}

    /** Parses an IPv4 or IPv6 literal; the message names the value and what is accepted. */
    public static InetAddress parse(String text) {
        InetAddress a = tryParse(text);
        if (a == null) {
            throw new IllegalArgumentException("\"" + text
                    + "\" is not an IP address: expected IPv4 like 10.1.0.2 or IPv6 like fd00:1::2");
        }
        return a;
    }

    /** The address, or null when {@code text} is not an IPv4 or IPv6 literal. */
    public static InetAddress tryParse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        byte[] raw = text.indexOf(':') >= 0 ? parse6(text) : parse4(text);
        if (raw == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public static Inet4Address parse4Only(String text) {
        InetAddress a = parse(text);
        if (!(a instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address: expected a.b.c.d");
        }
        return v4;
    }

    private static byte[] parse4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] parse6(String s) {
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        if (dbl >= 0 && head.indexOf('.') >= 0) {
            return null; // a dotted IPv4 part may only end the address (RFC 4291 2.2)
        }
        int[] h = groups(head);
        int[] t = groups(tail);
        if (h == null || t == null) {
            return null;
        }
        int total = h.length + t.length;
        if ((dbl < 0 && total != 8) || (dbl >= 0 && total > 7)) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < h.length; i++) {
            out[2 * i] = (byte) (h[i] >> 8);
            out[2 * i + 1] = (byte) h[i];
        }
        for (int i = 0; i < t.length; i++) {
            int g = 8 - t.length + i;
            out[2 * g] = (byte) (t[i] >> 8);
            out[2 * g + 1] = (byte) t[i];
        }
        return out;
    }

    /** 16-bit groups of one side of "::"; an embedded IPv4 tail counts as two groups. */
    private static int[] groups(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int n = parts.length;
        boolean v4tail = parts[n - 1].indexOf('.') >= 0;
        int[] out = new int[v4tail ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            String p = parts[i];
            if (v4tail && i == n - 1) {
                byte[] v4 = parse4(p);
                if (v4 == null) {
                    return null;
                }
                out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                int d = c < 128 ? Character.digit(c, 16) : -1; // ASCII only: digit() takes fullwidth too
                if (d < 0) {
                    return null;
                }
                v = (v << 4) | d;
            }
            out[i] = v;
        }
        return out;
    }

    /** The address as text: dotted quad, or RFC 5952 compressed IPv6. */
    public static String format(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            int[] g = new int[8];
            for (int i = 0; i < 8; i++) {
                g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
            }
            int bestStart = -1, bestLen = 0;
            for (int i = 0; i < 8; ) {
                if (g[i] == 0) {
                    int j = i;
                    while (j < 8 && g[j] == 0) {
                        j++;
                    }
                    if (j - i > bestLen && j - i > 1) {
                        bestStart = i;
                        bestLen = j - i;
                    }
                    i = j;
                } else {
                    i++;
                }
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    sb.append("::");
                    i += bestLen - 1;
                    continue;
                }
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                    sb.append(':');
                }
                sb.append(Integer.toHexString(g[i]));
            }
            return sb.toString();
        }
        return a.getHostAddress();
    }

    /**
     * Parses a literal with an optional scope, as resolv.conf and {@code --dns} take a link-local
     * IPv6 server: {@code fe80::1%eth0} or {@code fe80::1%2}. A numeric scope is the interface
     * index; a name is turned into one by {@code interfaceIndex}, which throws
     * {@link IllegalArgumentException} saying why when there is no such interface (give one that
     * refuses every name to take numeric scopes only). The messages name the value and what is wrong.
     *
     * @since 0.2.0
     */
    public static InetAddress parseScoped(String text, java.util.function.ToIntFunction<String> interfaceIndex) {
        int pct = text == null ? -1 : text.indexOf('%');
        InetAddress a = tryParse(pct < 0 ? text : text.substring(0, pct));
        if (a == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address");
        }
        if (pct < 0) {
            return a;
        }
        String scope = text.substring(pct + 1);
        if (!(a instanceof Inet6Address)) {
            throw new IllegalArgumentException("\"" + text + "\": only an IPv6 address takes a %SCOPE");
        }
        if (scope.isEmpty()) {
            throw new IllegalArgumentException("\"" + text + "\": the scope after % is empty (give an interface name or "
                    + "a numeric scope id)");
        }
        int index;
        if (scope.chars().allMatch(c -> c >= '0' && c <= '9')) {
            if (scope.length() > 9) {
                throw new IllegalArgumentException("\"" + text + "\": scope id " + scope + " is too large");
            }
            index = Integer.parseInt(scope);
        } else {
            index = interfaceIndex.applyAsInt(scope);
        }
        try {
            return Inet6Address.getByAddress(null, a.getAddress(), index);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + text + "\": " + e.getMessage(), e);
        }
    }

    /**
     * The literal with its scope when it has one ({@code fe80::1%eth0}, or {@code fe80::1%2} when
     * the interface is not known by name): the form {@link #parseScoped} takes.
     *
     * @since 0.2.0
     */
    public static String formatScoped(InetAddress a) {
        if (a instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            return format(a) + "%" + (v6.getScopedInterface() != null ? v6.getScopedInterface().getName()
                    : String.valueOf(v6.getScopeId()));
        }
        return format(a);
    }
}
