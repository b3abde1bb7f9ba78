package dev.weft.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Hand-written byte arrays for codec tests. {@link #bytes} reads hex pairs and ignores whitespace
 * and {@code |}, so an expected message can be written field by field with a comment per line.
 */
final class Hex {
    private Hex() {}

    /** {@code "14 00 | 00 00"} → {0x14, 0, 0, 0}. */
    static byte[] bytes(String hex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int hi = -1;
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (Character.isWhitespace(c) || c == '|') {
                continue;
            }
            int d = Character.digit(c, 16);
            if (d < 0 || c > 'f') {
                throw new IllegalArgumentException("not a hex digit: '" + c + "' at " + i + " in " + hex);
            }
            if (hi < 0) {
                hi = d;
            } else {
                out.write(hi << 4 | d);
                hi = -1;
            }
        }
        if (hi >= 0) {
            throw new IllegalArgumentException("odd number of hex digits in " + hex);
        }
        return out.toByteArray();
    }

    /** The US-ASCII bytes of {@code s} (no terminating NUL): for long extack texts. */
    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A native-order buffer over {@code b}, as the socket hands received datagrams to the parser. */
    static ByteBuffer buffer(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    /** 16 bytes a line with offsets: a failing comparison shows where the bytes differ. */
    static String dump(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i % 16 == 0) {
                sb.append(i == 0 ? "" : "\n").append(String.format("%04x ", i));
            } else if (i % 4 == 0) {
                sb.append(' ');
            }
            sb.append(String.format(" %02x", b[i] & 0xff));
        }
        return sb.toString();
    }

    static void assertBytes(byte[] expected, byte[] actual) {
        assertEquals(dump(expected), dump(actual));
    }
}
