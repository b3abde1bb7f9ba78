package dev.weft.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnsiStrippingTest {

    private static String strip(String text, int chunk) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (AnsiStripping out = new AnsiStripping(bytes)) {
            byte[] all = text.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < all.length; i += chunk) {
                out.write(all, i, Math.min(chunk, all.length - i));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dropsEscapeSequencesAlsoWhenSplitBetweenWrites() throws IOException {
        String karafHelp = "\u001b[1mDESCRIPTION\u001b[22m\n        network:\u001b[1mcreate\u001b[22m\n"
                + "\u001b[31mError\u001b[39m \u001b[38;5;208mtable\u001b[0m \u001b]0;title\u0007\u001b]8;;http://x\u001b\\link"
                + "\u001b(B\u001bc done ü€\n";
        String plain = "DESCRIPTION\n        network:create\nError table link done ü€\n";
        for (int chunk : new int[] {1, 2, 3, 7, 4096}) {
            assertEquals(plain, strip(karafHelp, chunk), "written in chunks of " + chunk);
        }
    }

    @Test
    void keepsEverythingElse() throws IOException {
        String text = "a [1m b ] \t tab \r\n ü \u0007 bell";
        assertEquals(text, strip(text, 3));
        assertEquals("x\ny", strip("x\u001b]never ended\ny", 5), "an unterminated OSC ends at the line");
    }
}
