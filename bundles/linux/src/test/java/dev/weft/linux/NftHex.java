package dev.weft.linux;

import java.util.HexFormat;

/** Hex test fixtures: whitespace is ignored. */
public final class NftHex {
    private NftHex() {}

    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    public static String text(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
