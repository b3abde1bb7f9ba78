package dev.weft.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NftScriptTest {

    @Test
    void quotesNftsErrorLines() {
        String out = """
                /dev/stdin:2:40-43: Error: No such file or directory; did you mean map ‘pub_any’ in table inet ‘t’?
                add rule inet t c dnat ip to meta l4proto . th dport map @nope
                                                                           ^^^^
                """;
        assertEquals("cannot apply nftables script: " + out.strip(),
                NftScript.errorMessage("table inet t\nadd rule inet t c dnat ip to meta l4proto . th dport map @nope\n", out, 1));
    }

    @Test
    void dropsRepeatedReports() {
        String report = "/dev/stdin:5:69-73: Error: No such file or directory\n"
                + "add rule inet t c dnat ip to meta l4proto . th dport map @nope\n"
                + "                                                           ^^^^^";
        assertEquals("cannot apply nftables script: " + report,
                NftScript.errorMessage("", report + "\n" + report + "\n", 1));
    }

    @Test
    void appendsReferencedLinesNftDidNotQuote() {
        String script = "table inet t {\n  chain c {\n    bogus\n  }\n}\n";
        assertEquals("cannot apply nftables script: /dev/stdin:3:5-9: Error: syntax error\nline 3: bogus",
                NftScript.errorMessage(script, "/dev/stdin:3:5-9: Error: syntax error\n", 1));
    }

    @Test
    void saysSoWhenNftPrintsNothing() {
        assertEquals("cannot apply nftables script: nft exited with status 1 and printed nothing",
                NftScript.errorMessage("x", "", 1));
    }
}
