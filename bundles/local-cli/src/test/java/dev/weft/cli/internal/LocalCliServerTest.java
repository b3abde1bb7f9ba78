package dev.weft.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket protocol against a stand-in shell (no Karaf): framing, status codes, the time limit,
 * and a vanished client. Needs no root, except that the peer check then answers 77 for everyone:
 * the tests that run commands assume root, as the rest of the build does.
 */
class LocalCliServerTest {

    /** What the stand-in shell does with a line. */
    interface Shell {
        Object execute(String line, PrintStream out, PrintStream err) throws Exception;
    }

    /** Named like Gogo's, which ExitStatus matches by name. */
    static final class CommandNotFoundException extends Exception {
        private static final long serialVersionUID = 1L;

        CommandNotFoundException(String command) {
            super("Command not found: " + command);
        }
    }

    record Reply(String out, int status, String err) {
    }

    @TempDir
    Path tmp;
    private Path socket;
    private LocalCliServer server;
    private volatile Shell shell;

    @BeforeEach
    void start() throws IOException {
        socket = tmp.resolve("run/cli.sock");
        server = new LocalCliServer(factory(), socket, config(1, 2));
    }

    @AfterEach
    void stop() {
        server.deactivate();
    }

    @Test
    void socketIsPrivateAndRemovedOnStop() throws IOException {
        assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        server.deactivate();
        assertTrue(Files.notExists(socket));
        server = new LocalCliServer(factory(), socket, config(1, 2));   // binds again over nothing
    }

    @Test
    void refusesARunDirectoryOthersCanWriteTo() throws IOException {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class,
                () -> new LocalCliServer(factory(), shared.resolve("cli.sock"), config(1, 1)));
        assertTrue(e.getMessage().contains("has mode rwxrwxrwx: other users may write to it"), e::getMessage);
        assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
    }

    @Test
    void replyIsStdoutNulStatusStderr() throws Exception {
        shell = (line, out, err) -> {
            out.print("out:" + line);
            err.print("warning");
            return null;
        };
        assertEquals(new Reply("out:shell:echo a; shell:echo b", 0, "warning"), call("shell:echo a; shell:echo b"));
    }

    @Test
    void largeOutputArrivesWhole() throws Exception {
        shell = (line, out, err) -> {
            for (int i = 0; i < 20_000; i++) {
                out.println("line " + i);                  // far more chunks than the queue holds
            }
            return null;
        };
        for (long readerDelay : new long[] {0, 500}) {     // 500: the queue is full when the command ends
            Reply r = call("x:y", readerDelay);
            assertEquals(0, r.status());
            assertEquals(20_000, r.out().lines().count());
            assertTrue(r.out().endsWith("line 19999\n"));
        }
    }

    /**
     * Karaf writes bold and colours whatever the stream is (every --help starts with ESC[1m).
     * A plain request line (socat, or the C client writing into a pipe or a file) gets plain text;
     * a client that says its streams are terminals gets the escape sequences.
     */
    @Test
    void escapeSequencesReachOnlyAClientWhoseStreamsAreTerminals() throws Exception {
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        shell = (line, out, err) -> {
            lines.add(line);
            out.print("\u001b[1mDESCRIPTION\u001b[22m\n        network:\u001b[1mcreate\u001b[22m\n");
            err.print("\u001b[31mwarning\u001b[39m ü");
            return null;
        };
        assertEquals(new Reply("DESCRIPTION\n        network:create\n", 0, "warning ü"), call("network:create --help"));
        assertEquals(new Reply("\u001b[1mDESCRIPTION\u001b[22m\n        network:\u001b[1mcreate\u001b[22m\n", 0,
                "\u001b[31mwarning\u001b[39m ü"), call("\0stdout-tty stderr-tty\0network:create --help"));
        assertEquals(new Reply("\u001b[1mDESCRIPTION\u001b[22m\n        network:\u001b[1mcreate\u001b[22m\n", 0,
                "warning ü"), call("\0stdout-tty later-flag\0network:create --help"), "flags it does not know are ignored");
        assertEquals(java.util.List.of("network:create --help", "network:create --help", "network:create --help"), lines,
                "the command sees the line without the flags");
        assertEquals(2, call("\0stdout-tty network:create --help").status(), "flags without their end");
    }

    @Test
    void resultIsPrintedLikeTheConsoleDoes() throws Exception {
        shell = (line, out, err) -> 42;
        assertEquals(new Reply("42\n", 0, ""), call("x:y"));
    }

    @Test
    void failuresMapToStatusCodes() throws Exception {
        shell = (line, out, err) -> {
            throw new CommandNotFoundException("nosuch:cmd");
        };
        assertEquals(new Reply("", 127, "Error executing command: Command not found: nosuch:cmd\n"), call("nosuch:cmd"));
        shell = (line, out, err) -> {
            throw new IllegalArgumentException("network \"blue\" does not exist");
        };
        assertEquals(1, call("network:remove blue").status());
        assertEquals(2, call("   ").status());
    }

    /**
     * Karaf refuses a word starting with "-" before Weft sees the name ("Undefined option: --"):
     * the user learns which word, of which command, why, and where the options are.
     */
    @Test
    void anUndefinedOptionIsExplainedWithTheCommandAndItsHelp() throws Exception {
        for (String option : new String[] {"--", "-x"}) {
            shell = (line, out, err) -> {
                // what Karaf 4.4.10's DefaultActionPreparator throws for network:create -- -x
                throw new org.apache.karaf.shell.support.CommandException("\u001b[31mError executing command network:"
                        + "\u001b[1mcreate\u001b[22m\u001b[39m: undefined option \u001b[1m" + option + "\u001b[22m\n"
                        + "Try <command> --help' for more information.", "Undefined option: " + option);
            };
            Reply r = call("network:create " + option + " x");
            assertEquals(1, r.status(), r::toString);
            assertEquals("", r.out());
            assertEquals(1, r.err().lines().count(), r::toString);
            assertTrue(r.err().startsWith("Error executing command: \"" + option + "\" is not an option of network:create"),
                    r::toString);
            assertTrue(r.err().contains("a name (of a network, a sandbox) starts with a letter or a digit"), r::toString);
            assertTrue(r.err().contains("the options of network:create: ./weft network:create --help"), r::toString);
        }
    }

    @Test
    void commandPastTheLimitIsInterruptedAndAnswered124() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        shell = (line, out, err) -> {
            out.println("started");
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return null;
        };
        long t0 = System.nanoTime();
        Reply r = call("shell:sleep 30");
        assertEquals(124, r.status(), r::toString);
        assertEquals("started\n", r.out());
        assertTrue(r.err().startsWith("weft: command timed out after 1 s and was interrupted: shell:sleep 30\n"), r::toString);
        assertTrue(interrupted.await(1, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4));
    }

    @Test
    void commandThatIgnoresTheInterruptIsStillAnswered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        shell = (line, out, err) -> {
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException deaf) {
                    // ignores interrupts, as a badly written command would
                }
            }
            return null;
        };
        try {
            long t0 = System.nanoTime();
            Reply r = call("x:spin");
            assertEquals(124, r.status(), r::toString);
            assertTrue(r.err().contains("it ignored the interrupt and still holds a worker"), r::toString);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertTrue(seconds >= 1 + CliConnection.GRACE_SECONDS - 1 && seconds < 10, () -> seconds + " s");
        } finally {
            release.countDown();
        }
    }

    @Test
    void clientThatGoesAwayInterruptsItsCommandAndFreesTheWorker() throws Exception {
        server.deactivate();
        server = new LocalCliServer(factory(), socket, config(60, 1));    // one worker only
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        shell = (line, out, err) -> {
            if (line.equals("quick")) {
                return "answer";
            }
            running.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return null;
        };
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap("slow\n".getBytes(StandardCharsets.UTF_8)));
            assertTrue(running.await(5, TimeUnit.SECONDS));
        }                                                                    // the client vanishes
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the command was not interrupted");
        long t0 = System.nanoTime();
        assertEquals(new Reply("answer\n", 0, ""), call("quick"));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "the worker was not freed");
    }

    private Reply call(String line) throws IOException, InterruptedException {
        return call(line, 0);
    }

    /** Sends the line, waits {@code readerDelay} ms (a client slow to read), reads the reply. */
    private Reply call(String line, long readerDelay) throws IOException, InterruptedException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            Thread.sleep(readerDelay);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (c.read(buf) >= 0) {
                all.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            String reply = all.toString(StandardCharsets.UTF_8);
            int nul = reply.indexOf('\0');
            int nl = reply.indexOf('\n', nul);
            assertTrue(nul >= 0 && nl > nul, () -> "no status in reply: " + reply);
            return new Reply(reply.substring(0, nul), Integer.parseInt(reply.substring(nul + 1, nl)),
                    reply.substring(nl + 1));
        }
    }

    private SessionFactory factory() {
        return (SessionFactory) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SessionFactory.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("create") || args.length != 3) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return session((PrintStream) args[1], (PrintStream) args[2]);
                });
    }

    private Session session(PrintStream out, PrintStream err) {
        return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "execute":
                            return shell.execute(args[0].toString(), out, err);
                        case "put":
                        case "close":
                            return null;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static CliConfig config(int timeoutSeconds, int workers) {
        return new CliConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return CliConfig.class;
            }

            @Override
            public int command_timeout_seconds() {
                return timeoutSeconds;
            }

            @Override
            public int workers() {
                return workers;
            }

            @Override
            public int queue() {
                return 4;
            }
        };
    }
}
