package dev.weft.cli.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The only writer of a connection's socket: stdout chunks as the command produces them, then
 * {@code '\0'}, the status, {@code '\n'}, stderr, and the socket is closed.
 *
 * <p>Why a thread of its own: a socket channel is closed when a thread blocked in (or entering) one
 * of its operations is interrupted, and commands are interrupted on timeout. If command threads
 * wrote to the socket themselves, the interrupt meant to stop a command would also destroy the
 * reply that reports it. Command threads therefore only queue bytes; {@link #run} (on a thread no
 * one interrupts) writes them. The bounded queue gives back-pressure to a command whose client
 * reads slowly.
 */
final class ReplyWriter implements Runnable {

    private static final byte[] END = new byte[0];
    /** How long the trailer waits for room behind output the client has not read yet. */
    private static final long FINISH_WAIT_SECONDS = 30;

    private final SocketChannel channel;
    private final Runnable onPeerGone;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(256);
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean broken;
    private volatile boolean abandoned;

    /** @param onPeerGone called once if writing fails because the client went away */
    ReplyWriter(SocketChannel channel, Runnable onPeerGone) {
        this.channel = channel;
        this.onPeerGone = onPeerGone;
    }

    /** The command's stdout: bytes written after {@link #finish} are dropped. */
    OutputStream stdout() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0 && !finished.get() && !broken) {
                    enqueue(Arrays.copyOfRange(b, off, off + len));
                }
            }
        };
    }

    /**
     * Queues the trailer (status and stderr) and ends the reply. Only the first call counts, so a
     * watchdog and the worker may both try.
     *
     * @return false if the reply was already finished
     */
    boolean finish(int status, String stderr) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        byte[] head = ("\0" + status + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] err = stderr.getBytes(StandardCharsets.UTF_8);
        byte[] trailer = Arrays.copyOf(head, head.length + err.length);
        System.arraycopy(err, 0, trailer, head.length, err.length);
        // The queue may still hold the end of the output (a slow reader): wait for room, but
        // not for a client that stopped reading: then give up on it (close the socket).
        if (!offer(trailer) || !offer(END)) {
            abandon();
        }
        return true;
    }

    private boolean offer(byte[] chunk) {
        try {
            return queue.offer(chunk, FINISH_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean isFinished() {
        return finished.get();
    }

    private void enqueue(byte[] chunk) throws InterruptedIOException {
        try {
            queue.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("command interrupted while writing its output");
        }
    }

    /** Stops writing: closes the socket (unblocking a write) and drops what is queued. */
    void abandon() {
        broken = true;
        abandoned = true;
        closeChannel();
    }

    /** Writes queued bytes until the trailer is written, then closes the socket. */
    @Override
    public void run() {
        try {
            while (true) {
                byte[] chunk = queue.poll(200, TimeUnit.MILLISECONDS);
                if (chunk == END || (chunk == null && abandoned)) {
                    return;
                }
                if (chunk != null && !broken) {
                    writeFully(chunk);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();     // runtime shutting down
        } finally {
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket whose peer is gone
        }
    }

    private void writeFully(byte[] chunk) {
        ByteBuffer buf = ByteBuffer.wrap(chunk);
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (IOException e) {
            broken = true;              // EPIPE, or abandoned: drop the rest; run() drains the queue
            onPeerGone.run();
        }
    }
}
