package dev.weft.cli.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served on a worker thread. Protocol (v1):
 * <pre>
 *   request : [ '\0' FLAGS '\0' ] one UTF-8 command line ending in '\n'; the client then keeps its side open
 *   response: stdout, streamed as produced; '\0'; status in decimal; '\n'; stderr; EOF
 * </pre>
 * FLAGS (an addition to v1: a plain line, as socat and older clients send it, means no flags)
 * are words separated by spaces; {@value #STDOUT_TTY} and {@value #STDERR_TTY} say that the
 * client's stdout or stderr is a terminal. Output for a stream that is not a terminal is passed
 * without escape sequences ({@link AnsiStripping}): Karaf writes bold and colours whatever the
 * stream is. Unknown words are ignored, so later flags do not break this runtime.
 * The client must not half-close after its request: end of input from the client while the
 * command runs means the client is gone (killed, Ctrl-C), and the command is interrupted so it
 * does not hold a worker for nobody. (A request ended by EOF instead of '\n' is still served,
 * for clients like socat, but then a vanished client cannot be noticed.) A command running past the time limit is interrupted and
 * answered with status 124.
 */
final class CliConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(CliConnection.class);

    /** Longest accepted command line, in bytes. */
    static final int MAX_LINE = 64 * 1024;
    /** How long a client may take to send its line after connecting. */
    static final long REQUEST_SECONDS = 10;
    /** How long an interrupted command gets to end before its client is answered anyway. */
    static final long GRACE_SECONDS = 5;

    /** Request flag: the client's stdout is a terminal (keep escape sequences). */
    static final String STDOUT_TTY = "stdout-tty";
    /** Request flag: the client's stderr is a terminal (keep escape sequences). */
    static final String STDERR_TTY = "stderr-tty";

    private enum State { RUNNING, DONE, TIMED_OUT, CLIENT_GONE }

    private final SocketChannel channel;
    private final CliServices services;
    private final ReplyWriter reply;
    private final CommandRun run = new CommandRun();
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private volatile String line = "";
    private boolean halfClosed;
    private boolean stdoutTerminal;
    private boolean stderrTerminal;

    CliConnection(SocketChannel channel, CliServices services) {
        this.channel = channel;
        this.services = services;
        this.reply = new ReplyWriter(channel, this::clientGone);
    }

    @Override
    public void run() {
        services.io().execute(reply);
        try {
            String request = readRequest();
            if (request == null) {
                reply.abandon();                        // gone (or silent) before sending a line
                return;
            }
            line = withoutFlags(request);
            if (line == null) {
                reply.finish(ExitStatus.USAGE, "weft: malformed request: it starts with '\\0' (flags) but has no"
                        + " second '\\0' before the command line\n");
                return;
            }
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!services.root().equals(peer.user())) {
                LOG.warn("local CLI: refused user {}: only root may use {}", peer.user().getName(), services.socket());
                reply.finish(ExitStatus.NOT_PERMITTED, "weft: permission denied: user " + peer.user().getName()
                        + " is not root; only root may run Weft commands\n");
                return;
            }
            if (line.isBlank()) {
                reply.finish(ExitStatus.USAGE, "weft: empty command line; try: ./weft shell:help\n");
                return;
            }
            runCommand(peer.user());
        } catch (IOException | RuntimeException e) {
            LOG.warn("local CLI: connection failed: {}", e.toString());
            reply.abandon();
        }
    }

    private void runCommand(UserPrincipal user) {
        if (!halfClosed) {
            services.io().execute(this::watchForHangup);
        }
        services.awaitBoot();
        int limit = services.timeoutSeconds();
        ScheduledFuture<?> timer = services.scheduler().schedule(() -> timedOut(limit), limit, TimeUnit.SECONDS);
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(stdoutTerminal ? reply.stdout() : new AnsiStripping(reply.stdout()), true,
                StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderrTerminal ? errBytes : new AnsiStripping(errBytes), true,
                StandardCharsets.UTF_8);
        int status = run.execute(services.sessionFactory(), line, user.getName(), out, err);
        timer.cancel(false);
        String stderr = errBytes.toString(StandardCharsets.UTF_8);
        State ended = state.compareAndExchange(State.RUNNING, State.DONE);
        switch (ended) {
            case RUNNING:
                if (status == ExitStatus.INTERRUPTED && services.stopping()) {
                    stderr += "weft: the local CLI stopped while the command ran (the runtime is stopping,"
                            + " or a bundle refresh restarted the CLI); the command may have completed\n";
                }
                reply.finish(status, stderr);
                break;
            case TIMED_OUT:
                reply.finish(ExitStatus.TIMED_OUT, timeoutMessage(limit));
                break;
            default:                                    // CLIENT_GONE: nobody to answer
                reply.abandon();
                break;
        }
    }

    private String timeoutMessage(int limit) {
        return "weft: command timed out after " + limit + " s and was interrupted: " + line
                + "\n  (the limit is command.timeout.seconds in etc/dev.weft.cli.cfg)\n";
    }

    /** Watchdog: the command ran past the time limit. */
    private void timedOut(int limit) {
        if (state.compareAndSet(State.RUNNING, State.TIMED_OUT)) {
            LOG.warn("local CLI: command timed out after {} s, interrupting: {}", limit, line);
            run.interrupt();
            // finish() may wait for a slow reader: not on the timer thread, which serves everyone
            services.scheduler().schedule(() -> services.io().execute(() -> {
                if (reply.finish(ExitStatus.TIMED_OUT, timeoutMessage(limit)
                        + "  it ignored the interrupt and still holds a worker\n")) {
                    LOG.warn("local CLI: command ignores interrupts and still holds a worker: {}", line);
                }
            }), GRACE_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** The client closed its side (or writing to it failed) before the reply was complete. */
    private void clientGone() {
        if (state.compareAndSet(State.RUNNING, State.CLIENT_GONE)) {
            LOG.info("local CLI: client went away, interrupting: {}", line);
            run.interrupt();
        }
    }

    /**
     * Blocks reading the client's side until EOF. Clients send nothing after their line, so EOF
     * (or an error) before the reply is finished means the client is gone. Ends when the reply
     * writer closes the socket.
     */
    private void watchForHangup() {
        ByteBuffer buf = ByteBuffer.allocate(256);
        try {
            while (channel.read(buf) >= 0) {
                buf.clear();                            // bytes after the line are ignored
            }
        } catch (IOException e) {
            // closed by the reply writer (normal end), or reset by the peer
        }
        if (!reply.isFinished()) {
            clientGone();
        }
    }

    /**
     * Takes the flags off a request ({@code '\0' FLAGS '\0' LINE}) and returns the line; a request
     * without flags is the line itself. Returns null for a request whose flags do not end.
     */
    private String withoutFlags(String request) {
        if (request.isEmpty() || request.charAt(0) != '\0') {
            return request;
        }
        int end = request.indexOf('\0', 1);
        if (end < 0) {
            return null;
        }
        for (String flag : request.substring(1, end).split(" ")) {
            stdoutTerminal |= flag.equals(STDOUT_TTY);
            stderrTerminal |= flag.equals(STDERR_TTY);
        }
        return request.substring(end + 1);
    }

    /**
     * Reads the request line. A client that sends nothing within {@link #REQUEST_SECONDS} is cut
     * off (the socket is closed, which ends the read).
     *
     * @return the line without its '\n', or null if the client sent nothing at all
     */
    private String readRequest() throws IOException {
        ScheduledFuture<?> deadline = services.scheduler().schedule(reply::abandon, REQUEST_SECONDS, TimeUnit.SECONDS);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (bytes.size() <= MAX_LINE) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    byte b = buf.get(i);
                    if (b == '\n') {
                        return bytes.toString(StandardCharsets.UTF_8);
                    }
                    bytes.write(b);
                }
            }
            if (bytes.size() > MAX_LINE) {
                // answered here; the empty line returned makes the caller stop (finish counts once)
                reply.finish(ExitStatus.USAGE, "weft: command line longer than " + MAX_LINE + " bytes\n");
                return "";
            }
            // EOF without '\n': the client half-closed after its request (socat does), so its
            // EOF cannot tell that it went away; serve it without the hang-up watch.
            halfClosed = true;
            return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.UTF_8);
        } finally {
            deadline.cancel(false);
        }
    }
}
