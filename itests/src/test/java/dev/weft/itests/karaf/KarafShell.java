package dev.weft.itests.karaf;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.security.auth.Subject;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/**
 * Runs command lines in the container's Karaf shell, each in a headless session of its own that
 * writes into buffers, as an administrator: Karaf checks command ACLs (feature:install, ...)
 * against the roles of the current {@link Subject}, as it does for the local CLI. Container side:
 * Karaf's and the JDK's classes only.
 */
final class KarafShell {
    static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String[] ROLES = {"admin", "manager", "viewer", "systembundles"};

    /** What one line did: its output and, when it failed, the exception the session threw. */
    record Result(String line, String out, String err, Exception failure) {
        /** The output of a line that must succeed. */
        String ok() {
            if (failure != null) {
                throw new AssertionError(this.toString(), failure);
            }
            return out;
        }

        @Override
        public String toString() {
            return line + (failure == null ? ": ok" : ": failed: " + failure) + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private final SessionFactory sessions;

    KarafShell(SessionFactory sessions) {
        this.sessions = sessions;
    }

    @SuppressWarnings("removal") // Subject.doAs: what Karaf 4.4 reads the roles from
    Result run(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        Session session = sessions.create(new ByteArrayInputStream(new byte[0]), outStream, errStream);
        Exception failure = null;
        try {
            session.put(Session.PRINT_STACK_TRACES, "never");
            Subject admin = new Subject();
            admin.getPrincipals().add(new UserPrincipal("karaf-itest"));
            for (String role : ROLES) {
                admin.getPrincipals().add(new RolePrincipal(role));
            }
            Object result = Subject.doAs(admin, (PrivilegedExceptionAction<Object>) () -> session.execute(line));
            if (result != null) { // what the console prints, too
                outStream.println(result);
            }
        } catch (PrivilegedActionException e) {
            failure = e.getException();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            session.close();
        }
        outStream.flush();
        errStream.flush();
        return new Result(line, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), failure);
    }

    /**
     * NAME -> last column of a table a command printed (network:list: AVAILABLE); {@code nameColumn}
     * counts from 0 after splitting at blanks. Empty when the line failed (e.g. its command is not
     * registered yet).
     */
    Map<String, String> column(String line, int nameColumn) {
        Result r = run(line);
        Map<String, String> out = new LinkedHashMap<>();
        if (r.failure() == null) {
            r.out().lines().skip(1).map(l -> l.strip().split("\\s+")).filter(c -> c.length > nameColumn)
                    .forEach(c -> out.put(c[nameColumn], c[c.length - 1]));
        }
        return out;
    }

    /** Returns once {@code condition} holds; fails naming {@code what} after {@link #TIMEOUT}. */
    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT.toSeconds() + " s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
