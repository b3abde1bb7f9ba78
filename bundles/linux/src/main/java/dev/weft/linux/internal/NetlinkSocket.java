package dev.weft.linux.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import dev.weft.linux.KernelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One netlink socket. It belongs to the network namespace of the thread that opened it, whichever
 * thread uses it later. Not shared between callers without the lock {@link #exchange} takes.
 * Requests are renumbered at send time; answers are keyed by the numbers the request was built with.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int RECV_BUFFER = 256 * 1024;
    private static final int SOCKET_BUFFER = 4 * 1024 * 1024;
    private static final int TIMEOUT_SECONDS = 10;
    private static final int DUMP_RETRIES = 8;

    private final int protocol;
    private final int fd;
    private final Memory recvBuffer = new Memory(RECV_BUFFER);
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    private volatile boolean closed;

    private NetlinkSocket(int protocol, int fd) {
        this.protocol = protocol;
        this.fd = fd;
    }

    /** Opens a socket of {@code protocol} in the calling thread's network namespace. */
    public static NetlinkSocket open(int protocol) {
        int fd;
        try {
            fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw new KernelException(e.getErrorCode(), "open netlink socket", "protocol " + protocol, null, e);
        }
        try {
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1);
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1);
            trySetInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, SOCKET_BUFFER);
            trySetInt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, SOCKET_BUFFER);
            // struct timeval { long tv_sec; long tv_usec; } on LP64
            LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, new long[] {TIMEOUT_SECONDS, 0}, 16);
            byte[] addr = new byte[12];
            addr[0] = (byte) LibC.AF_NETLINK;
            LibC.bind(fd, addr, addr.length);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw new KernelException(e.getErrorCode(), "set up netlink socket", "protocol " + protocol, null, e);
        }
        return new NetlinkSocket(protocol, fd);
    }

    private static void setInt(int fd, int level, int name, int value) {
        LibC.setsockopt(fd, level, name, new int[] {value}, 4);
    }

    private static void trySetInt(int fd, int level, int name, int value) {
        try {
            setInt(fd, level, name, value);
        } catch (LastErrorException ignored) {
            // Without CAP_NET_ADMIN the default buffer sizes stay; large batches then fail with EMSGSIZE.
        }
    }

    public int protocol() {
        return protocol;
    }

    /**
     * Sends the request in one {@code sendto} and collects the answers: it waits until every
     * message built with {@code ACK}, {@code DUMP} or {@code REPLY} is answered. For a batch, an
     * error on any message ends the wait (the kernel then sends no commit ack); the replies the
     * kernel already queued are drained. Dumps that the kernel marks interrupted are repeated.
     */
    public synchronized NlReplies exchange(NlMessageBuilder request, String operation, String object) {
        for (int attempt = 0; ; attempt++) {
            NlReplies replies = exchangeOnce(request, operation, object);
            boolean interrupted = replies.all().stream().anyMatch(a -> a.interrupted);
            if (!interrupted || attempt >= DUMP_RETRIES) {
                return replies;
            }
        }
    }

    private NlReplies exchangeOnce(NlMessageBuilder request, String operation, String object) {
        if (closed) {
            throw new IllegalStateException("netlink socket is closed");
        }
        List<NlMessageBuilder.Message> msgs = request.messages();
        byte[] bytes = request.toByteArray();
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        Map<Integer, NlMessageBuilder.Message> bySeq = new HashMap<>();
        Set<Integer> outstanding = new HashSet<>();
        for (NlMessageBuilder.Message m : msgs) {
            int s = nextSeq();
            out.putInt(m.offset() + 8, s);
            bySeq.put(s, m);
            if (m.expect() != NlMessageBuilder.Expect.ERRORS_ONLY) {
                outstanding.add(s);
            }
        }
        byte[] dest = new byte[12];
        dest[0] = (byte) LibC.AF_NETLINK;
        try {
            LibC.sendto(fd, bytes, new NativeLong(bytes.length), 0, dest, dest.length);
        } catch (LastErrorException e) {
            throw new KernelException(e.getErrorCode(), operation, object, "sending " + bytes.length + " bytes", e);
        }
        NlReplies replies = new NlReplies();
        boolean sawBatchError = false;
        while (!outstanding.isEmpty()) {
            int n = receive(sawBatchError, operation, object);
            if (n < 0) {
                break; // drained after a batch error
            }
            ByteBuffer in = recvBuffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
            for (NlMessage m : NlReplies.split(in, n)) {
                NlMessageBuilder.Message sent = bySeq.get(m.seq());
                if (sent == null) {
                    continue; // a stale answer to an earlier request that timed out
                }
                NlReplies.Answer a = replies.answer(sent.seq());
                if ((m.flags() & Netlink.NLM_F_DUMP_INTR) != 0) {
                    a.interrupted = true;
                }
                switch (m.type()) {
                    case Netlink.NLMSG_ERROR -> {
                        NlReplies.readError(m, a);
                        a.done = true;
                        outstanding.remove(m.seq());
                        if (a.failed() && request.isBatch()) {
                            sawBatchError = true;
                        }
                    }
                    case Netlink.NLMSG_DONE -> {
                        NlReplies.readError(m, a);
                        a.done = true;
                        outstanding.remove(m.seq());
                    }
                    case Netlink.NLMSG_NOOP, Netlink.NLMSG_OVERRUN -> { }
                    default -> {
                        a.messages.add(m);
                        if (sent.expect() == NlMessageBuilder.Expect.REPLY && (m.flags() & Netlink.NLM_F_MULTI) == 0) {
                            a.done = true;
                            outstanding.remove(m.seq());
                        }
                    }
                }
            }
            if (sawBatchError) {
                outstanding.clear();
                while (true) { // the kernel queued every answer before sendto returned
                    int more = receive(true, operation, object);
                    if (more < 0) {
                        break;
                    }
                    ByteBuffer extra = recvBuffer.getByteBuffer(0, more).order(ByteOrder.nativeOrder());
                    for (NlMessage m : NlReplies.split(extra, more)) {
                        NlMessageBuilder.Message sent = bySeq.get(m.seq());
                        if (sent != null && m.type() == Netlink.NLMSG_ERROR) {
                            NlReplies.readError(m, replies.answer(sent.seq()));
                        }
                    }
                }
            }
        }
        return replies;
    }

    /** One datagram; -1 when {@code nonBlocking} and nothing is queued. */
    private int receive(boolean nonBlocking, String operation, String object) {
        try {
            long n = LibC.recv(fd, recvBuffer, new NativeLong(RECV_BUFFER), nonBlocking ? LibC.MSG_DONTWAIT : 0)
                    .longValue();
            return (int) n;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN) {
                if (nonBlocking) {
                    return -1;
                }
                throw new KernelException(Errno.ETIMEDOUT, operation, object,
                        "no answer from the kernel within " + TIMEOUT_SECONDS + " s", e);
            }
            if (e.getErrorCode() == Errno.EINTR) {
                return receive(nonBlocking, operation, object);
            }
            throw new KernelException(e.getErrorCode(), operation, object, "receiving the answer", e);
        }
    }

    private int nextSeq() {
        seq = (seq + 1) & 0x7fffffff;
        if (seq == 0) {
            seq = 1;
        }
        return seq;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.close(fd);
            } catch (LastErrorException ignored) {
                // nothing useful to do: the descriptor is gone either way
            }
        }
    }
}
