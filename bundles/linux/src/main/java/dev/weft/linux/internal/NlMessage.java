package dev.weft.linux.internal;

import java.nio.ByteBuffer;

/**
 * A received netlink message: header fields and the payload after the 16-byte header, as a
 * native-order buffer of its own (copied out of the socket's receive buffer).
 */
public record NlMessage(int type, int flags, int seq, ByteBuffer payload) {

    /** The attributes following a fixed header of {@code fixedLength} bytes. */
    public NlAttrs attrs(int fixedLength) {
        return NlAttrs.parse(payload, Netlink.align(fixedLength), payload.limit());
    }
}
