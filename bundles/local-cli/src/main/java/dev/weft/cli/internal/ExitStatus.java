package dev.weft.cli.internal;

/**
 * The status line of a reply, and the client's exit code. The values follow the shell's and
 * sysexits.h's meanings, so scripts can tell the cases apart.
 */
final class ExitStatus {
    /** The command line ran to its end. */
    static final int OK = 0;
    /** A command threw an exception (bad argument, failed operation). */
    static final int FAILED = 1;
    /** The line could not be parsed, or was empty or too long. */
    static final int USAGE = 2;
    /** All workers are busy and the queue is full: try again (EX_TEMPFAIL). */
    static final int BUSY = 75;
    /** The peer is not root (EX_NOPERM). */
    static final int NOT_PERMITTED = 77;
    /** The command ran longer than {@code command.timeout.seconds} and was interrupted (like timeout(1)). */
    static final int TIMED_OUT = 124;
    /** The session refused the command for lack of a role ("Insufficient credentials"). */
    static final int DENIED = 126;
    /** No such command (like a shell). */
    static final int NOT_FOUND = 127;
    /** The command was interrupted for another reason (shutdown of the runtime). */
    static final int INTERRUPTED = 130;

    private ExitStatus() {
    }

    /**
     * Maps what {@code Session.execute} threw to a status. Gogo's exception classes are matched by
     * name: they live in the shell bundle's private packages.
     */
    static int of(Throwable e) {
        String name = e.getClass().getName();
        if (name.endsWith("CommandNotFoundException")) {
            return NOT_FOUND;
        }
        if (e instanceof SecurityException) {
            return DENIED;
        }
        if (name.endsWith("SyntaxError") || name.endsWith("EOFError")) {
            return USAGE;
        }
        if (e instanceof InterruptedException || e instanceof java.io.InterruptedIOException) {
            return INTERRUPTED;
        }
        return FAILED;
    }
}
