package dev.weft.dns.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** The address a reverse name ({@code d.c.b.a.in-addr.arpa}, nibbles {@code .ip6.arpa}) stands for. */
final class ReverseNames {
    private static final String V4 = ".in-addr.arpa";
    private static final String V6 = ".ip6.arpa";

    private ReverseNames() {
    }

    /** {@code name}: lower case, no trailing dot. Empty when it is not a complete reverse name. */
    static Optional<InetAddress> address(String name) {
        try {
            if (name.endsWith(V4)) {
                String[] parts = name.substring(0, name.length() - V4.length()).split("\\.", -1);
                if (parts.length != 4) {
                    return Optional.empty();
                }
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    String p = parts[3 - i];
                    if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                        return Optional.empty();
                    }
                    int v = Integer.parseInt(p);
                    if (v > 255) {
                        return Optional.empty();
                    }
                    b[i] = (byte) v;
                }
                return Optional.of(InetAddress.getByAddress(b));
            }
            if (name.endsWith(V6)) {
                String[] parts = name.substring(0, name.length() - V6.length()).split("\\.", -1);
                if (parts.length != 32) {
                    return Optional.empty();
                }
                byte[] b = new byte[16];
                for (int i = 0; i < 32; i++) {
                    String p = parts[31 - i];
                    if (p.length() != 1 || Character.digit(p.charAt(0), 16) < 0) {
                        return Optional.empty();
                    }
                    int nibble = Character.digit(p.charAt(0), 16);
                    b[i / 2] |= (byte) (i % 2 == 0 ? nibble << 4 : nibble);
                }
                return Optional.of(InetAddress.getByAddress(b));
            }
        } catch (UnknownHostException e) {
            return Optional.empty(); // only thrown for a wrong length, excluded above
        }
        return Optional.empty();
    }
}
