package dev.weft.core.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Object ids: 64 hex characters, as Docker's. */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
