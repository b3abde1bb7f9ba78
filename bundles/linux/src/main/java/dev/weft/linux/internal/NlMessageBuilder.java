package dev.weft.linux.internal;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one or more netlink messages into a single buffer, to be sent with one {@code sendto}.
 * Headers and attribute headers are in host byte order; the {@code be*} writers are for the
 * fields the kernel wants in network order. Sequence numbers start at {@code firstSeq}; the
 * socket renumbers them at send time, so requests can be built without a socket (and compared
 * against fixed bytes in tests).
 */
public final class NlMessageBuilder {

    /** What the sender waits for after a message. */
    public enum Expect {
        /** An NLMSG_ERROR (ack or error). */
        ACK,
        /** A multi-part dump ending in NLMSG_DONE (or an error). */
        DUMP,
        /** One data message (or an error). */
        REPLY,
        /** Nothing, unless it fails (nf_tables batch members). */
        ERRORS_ONLY
    }

    /** One message of the request: its sequence number, type, start offset and what answers it. */
    public record Message(int seq, int type, int offset, Expect expect) {}

    private ByteBuffer b;
    private int seq;
    private int msgStart = -1;
    private final List<Message> messages = new ArrayList<>();
    private boolean batch;

    public NlMessageBuilder() {
        this(1);
    }

    public NlMessageBuilder(int firstSeq) {
        this.b = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
        this.seq = firstSeq;
    }

    /** Marks the request as an nf_tables batch: any error means the whole batch was refused. */
    public NlMessageBuilder batch() {
        this.batch = true;
        return this;
    }

    public boolean isBatch() {
        return batch;
    }

    /** Starts a message; closes the previous one. */
    public NlMessageBuilder begin(int type, int flags, Expect expect) {
        closeMessage();
        ensure(Netlink.NLMSG_HDRLEN);
        msgStart = b.position();
        messages.add(new Message(seq, type, msgStart, expect));
        b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq++).putInt(0);
        return this;
    }

    private void closeMessage() {
        if (msgStart >= 0) {
            b.putInt(msgStart, b.position() - msgStart);
            msgStart = -1;
        }
    }

    /** Offset of the current position from the start of the current message. */
    public int offsetInMessage() {
        return b.position() - msgStart;
    }

    public NlMessageBuilder u8(int v) {
        ensure(1);
        b.put((byte) v);
        return this;
    }

    public NlMessageBuilder u16(int v) {
        ensure(2);
        b.putShort((short) v);
        return this;
    }

    public NlMessageBuilder u32(int v) {
        ensure(4);
        b.putInt(v);
        return this;
    }

    public NlMessageBuilder be16(int v) {
        ensure(2);
        b.put((byte) (v >> 8)).put((byte) v);
        return this;
    }

    public NlMessageBuilder bytes(byte[] v) {
        ensure(v.length);
        b.put(v);
        return this;
    }

    public NlMessageBuilder zeros(int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) 0);
        }
        return this;
    }

    private void pad() {
        int p = Netlink.align(b.position()) - b.position();
        zeros(p);
    }

    public NlMessageBuilder attr(int type, byte[] value) {
        int len = 4 + value.length;
        if (len > 0xffff) {
            throw new IllegalArgumentException("netlink attribute " + type + " too long: " + len + " bytes");
        }
        ensure(len + 3);
        b.putShort((short) len).putShort((short) type).put(value);
        pad();
        return this;
    }

    public NlMessageBuilder attrU8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    public NlMessageBuilder attrU16(int type, int v) {
        ensure(8);
        b.putShort((short) 6).putShort((short) type).putShort((short) v);
        pad();
        return this;
    }

    public NlMessageBuilder attrU32(int type, int v) {
        ensure(8);
        b.putShort((short) 8).putShort((short) type).putInt(v);
        return this;
    }

    public NlMessageBuilder attrBe16(int type, int v) {
        return attr(type, new byte[] {(byte) (v >> 8), (byte) v});
    }

    public NlMessageBuilder attrBe32(int type, int v) {
        return attr(type, new byte[] {(byte) (v >>> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v});
    }

    public NlMessageBuilder attrBe64(int type, long v) {
        ByteBuffer x = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(v);
        return attr(type, x.array());
    }

    /** A NUL-terminated string attribute. */
    public NlMessageBuilder attrString(int type, String s) {
        byte[] z = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(z, z.length + 1));
    }

    public NlMessageBuilder attrAddress(int type, InetAddress a) {
        return attr(type, a.getAddress());
    }

    public NlMessageBuilder attrFlag(int type) {
        ensure(4);
        b.putShort((short) 4).putShort((short) type);
        return this;
    }

    /** Opens a nested attribute; {@code type} may include {@link Netlink#NLA_F_NESTED}. Returns a token. */
    public int nest(int type) {
        ensure(4);
        int p = b.position();
        b.putShort((short) 0).putShort((short) type);
        return p;
    }

    public NlMessageBuilder endNest(int token) {
        int len = b.position() - token;
        if (len > 0xffff) {
            throw new IllegalStateException("nested netlink attribute too long: " + len
                    + " bytes (at most 65535); split it over several messages");
        }
        b.putShort(token, (short) len);
        return this;
    }

    /** Size in bytes written so far. */
    public int size() {
        return b.position();
    }

    /** The messages written, in order. */
    public List<Message> messages() {
        closeMessage();
        return List.copyOf(messages);
    }

    /** The sequence number the next message would get. */
    public int nextSeq() {
        return seq;
    }

    public byte[] toByteArray() {
        closeMessage();
        return Arrays.copyOf(b.array(), b.position());
    }

    private void ensure(int n) {
        if (b.remaining() < n) {
            ByteBuffer nb = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n + 64))
                    .order(ByteOrder.nativeOrder());
            b.flip();
            nb.put(b);
            b = nb;
        }
    }
}
