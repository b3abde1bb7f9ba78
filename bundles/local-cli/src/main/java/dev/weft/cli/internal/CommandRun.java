package dev.weft.cli.internal;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/**
 * One command line run in its own headless Karaf shell session, as an administrator, and a way
 * for another thread to stop it. Gogo parses the line, so {@code a; b} runs both commands in this
 * session (stopping at the first failure) and {@code a | b} pipes.
 */
final class CommandRun {

    private final Object lock = new Object();
    private Thread thread;
    private Session session;
    private boolean interrupted;

    /**
     * Runs {@code line} on the calling thread; returns its {@link ExitStatus}. Output goes to
     * {@code out}; the error message of a failed command goes to {@code err}. Returns with the
     * calling thread's interrupt flag cleared, so a pooled worker is clean for its next client.
     */
    int execute(SessionFactory factory, String line, String user, PrintStream out, PrintStream err) {
        Session s = factory.create(new ByteArrayInputStream(new byte[0]), out, err);
        synchronized (lock) {
            if (interrupted) {
                s.close();
                return ExitStatus.INTERRUPTED;
            }
            session = s;
            thread = Thread.currentThread();
        }
        try {
            s.put(Session.PRINT_STACK_TRACES, "never");
            s.put("USER", user);
            s.put("APPLICATION", System.getProperty("karaf.name", "root"));
            Object result = AdminSubject.call(user, () -> s.execute(line));
            if (result != null) {            // what the interactive console prints, too
                out.println(result);
            }
            return ExitStatus.OK;
        } catch (Exception | LinkageError e) {
            err.println("Error executing command: " + CommandErrors.message(e));
            return ExitStatus.of(e);
        } finally {
            synchronized (lock) {
                thread = null;
                session = null;
            }
            Thread.interrupted();            // an interrupt that arrived as the command ended
            s.close();
            out.flush();
            err.flush();
        }
    }

    /**
     * Stops the command: interrupts the thread running it and closes its session, which
     * interrupts the threads of its Gogo jobs (pipes). A command that ignores interrupts keeps
     * running; the caller decides how long to wait for it.
     */
    void interrupt() {
        synchronized (lock) {
            interrupted = true;
            if (thread != null) {
                thread.interrupt();
            }
            if (session != null) {
                session.close();
            }
        }
    }
}
