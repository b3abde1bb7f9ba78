package dev.weft.cli.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes a byte stream on without its terminal escape sequences (ECMA-48): CSI sequences such as
 * {@code ESC [ 1 m} (Karaf's bold in every {@code --help}, colours), OSC sequences
 * ({@code ESC ] … BEL} or {@code … ESC \}) and the other escapes ({@code ESC ( B}, {@code ESC c}).
 * For a client whose output is not a terminal: a pipe or a file gets plain text. A sequence split
 * between two writes is still recognised. Every other byte passes unchanged (the sequences are
 * ASCII, so UTF-8 text is safe).
 */
final class AnsiStripping extends FilterOutputStream {
    private static final int ESC = 0x1b;
    private static final int BEL = 0x07;

    private enum State { TEXT, ESCAPE, ESCAPE_INTERMEDIATE, CSI, OSC, OSC_ESCAPE }

    private State state = State.TEXT;

    AnsiStripping(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        int text = -1;                                   // start of the plain run being collected
        for (int i = off; i < off + len; i++) {
            int b = bytes[i] & 0xff;
            if (state == State.TEXT && b != ESC) {
                if (text < 0) {
                    text = i;
                }
                continue;
            }
            if (text >= 0) {
                out.write(bytes, text, i - text);
                text = -1;
            }
            if (next(b)) {
                out.write(b);
            }
        }
        if (text >= 0) {
            out.write(bytes, text, off + len - text);
        }
    }

    /** Moves the state machine on by one byte outside plain text; true when the byte is text after all. */
    private boolean next(int b) {
        switch (state) {
            case TEXT:                                    // b is ESC
                state = State.ESCAPE;
                return false;
            case ESCAPE:
                if (b == '[') {
                    state = State.CSI;
                } else if (b == ']') {
                    state = State.OSC;
                } else if (b >= 0x20 && b <= 0x2f) {
                    state = State.ESCAPE_INTERMEDIATE;
                } else if (b == ESC) {
                    state = State.ESCAPE;
                } else {
                    state = State.TEXT;                  // ESC c, ESC 7 …: done; a control byte: malformed, keep it
                    return b < 0x20 || b > 0x7e;
                }
                return false;
            case ESCAPE_INTERMEDIATE:
                if (b >= 0x20 && b <= 0x2f) {
                    return false;
                }
                state = State.TEXT;
                return b < 0x30 || b > 0x7e;
            case CSI:
                if (b >= 0x20 && b <= 0x3f) {             // parameters and intermediates
                    return false;
                }
                state = State.TEXT;
                return b < 0x40 || b > 0x7e;              // a final byte ends it; anything else is text again
            case OSC:
                if (b == BEL) {
                    state = State.TEXT;
                } else if (b == ESC) {
                    state = State.OSC_ESCAPE;
                } else if (b == '\n') {
                    state = State.TEXT;                  // never swallow past a line: malformed
                    return true;
                }
                return false;
            case OSC_ESCAPE:
                state = b == '\\' ? State.TEXT : State.OSC;
                return false;
            default:
                throw new IllegalStateException(state.toString());
        }
    }
}
