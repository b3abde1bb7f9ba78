package dev.weft.linux.internal;

import dev.weft.linux.KernelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel answered to one request, per message (keyed by the sequence numbers the
 * request was built with): data messages, and the error or ack that closed it.
 */
public final class NlReplies {

    /** The answer to one message. errno is 0 for an ack or a clean end of dump. */
    public static final class Answer {
        public final int seq;
        public final List<NlMessage> messages = new ArrayList<>();
        public int errno;
        public String extack;
        /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request message, or -1. */
        public int errorOffset = -1;
        public boolean done;
        public boolean interrupted;

        Answer(int seq) {
            this.seq = seq;
        }

        public boolean failed() {
            return errno != 0;
        }
    }

    private final Map<Integer, Answer> answers = new LinkedHashMap<>();

    public Answer answer(int seq) {
        return answers.computeIfAbsent(seq, Answer::new);
    }

    /** The answer to {@code seq}, or null when nothing came for it. */
    public Answer get(int seq) {
        return answers.get(seq);
    }

    public List<Answer> all() {
        return List.copyOf(answers.values());
    }

    /** The first failed answer, or null. */
    public Answer firstError() {
        for (Answer a : answers.values()) {
            if (a.failed()) {
                return a;
            }
        }
        return null;
    }

    /** Data messages answering {@code seq} (empty when none). */
    public List<NlMessage> messages(int seq) {
        Answer a = answers.get(seq);
        return a == null ? List.of() : a.messages;
    }

    /** Throws a {@link KernelException} for the first failed message. */
    public void throwIfFailed(String operation, String object) {
        Answer a = firstError();
        if (a != null) {
            throw new KernelException(a.errno, operation, object, a.extack);
        }
    }

    /** Splits a received datagram into messages (payloads copied out). */
    public static List<NlMessage> split(ByteBuffer buf, int length) {
        List<NlMessage> out = new ArrayList<>();
        int p = 0;
        while (p + Netlink.NLMSG_HDRLEN <= length) {
            int len = buf.getInt(p);
            if (len < Netlink.NLMSG_HDRLEN || p + len > length) {
                break;
            }
            int type = Short.toUnsignedInt(buf.getShort(p + 4));
            int flags = Short.toUnsignedInt(buf.getShort(p + 6));
            int seq = buf.getInt(p + 8);
            byte[] payload = new byte[len - Netlink.NLMSG_HDRLEN];
            buf.get(p + Netlink.NLMSG_HDRLEN, payload);
            out.add(new NlMessage(type, flags, seq, ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder())));
            p += Netlink.align(len);
        }
        return out;
    }

    /**
     * Reads an NLMSG_ERROR (or NLMSG_DONE with an error) payload into {@code a}: the negative
     * errno, then the echoed request header (only the header when capped), then extended-ack
     * attributes when the ACK_TLVS flag is set.
     */
    public static void readError(NlMessage m, Answer a) {
        ByteBuffer p = m.payload();
        if (p.limit() < 4) {
            return;
        }
        a.errno = Math.abs(p.getInt(0));
        if (m.type() == Netlink.NLMSG_DONE) {
            if (p.limit() > 4 && (m.flags() & Netlink.NLM_F_ACK_TLVS) != 0) {
                readExtack(NlAttrs.parse(p, 4, p.limit()), a);
            }
            return;
        }
        if ((m.flags() & Netlink.NLM_F_ACK_TLVS) == 0 || p.limit() < 4 + Netlink.NLMSG_HDRLEN) {
            return;
        }
        int echoed = (m.flags() & Netlink.NLM_F_CAPPED) != 0 ? Netlink.NLMSG_HDRLEN : p.getInt(4);
        int start = 4 + Netlink.align(echoed);
        if (start < p.limit()) {
            readExtack(NlAttrs.parse(p, start, p.limit()), a);
        }
    }

    private static void readExtack(NlAttrs tlvs, Answer a) {
        String msg = tlvs.string(Netlink.NLMSGERR_ATTR_MSG);
        if (msg != null && !msg.isBlank()) {
            a.extack = msg;
        }
        a.errorOffset = tlvs.u32(Netlink.NLMSGERR_ATTR_OFFS, -1);
    }
}
