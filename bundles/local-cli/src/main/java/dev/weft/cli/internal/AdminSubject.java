package dev.weft.cli.internal;

import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;

/**
 * Runs work as an administrator of the Karaf shell. Karaf checks command ACLs
 * ({@code etc/org.apache.karaf.command.acl.*.cfg}) against the {@link RolePrincipal}s of the
 * current {@link Subject}; without one, guarded commands ({@code shell:exec}, {@code bundle:stop},
 * {@code feature:install}, ...) are hidden and fail as "Command not found", and
 * {@code bundle:list -t 0} silently hides system bundles. Only root reaches this code (SO_PEERCRED),
 * and root owns the machine, so it gets every role. No JAAS realm or users.properties is involved.
 */
final class AdminSubject {

    private static final String[] ROLES = {"admin", "manager", "viewer", "systembundles"};

    private AdminSubject() {
    }

    /**
     * Runs {@code action} with a Subject for {@code user} holding all admin roles. Gogo's pipe
     * threads are created inside, so they inherit the Subject too.
     *
     * @throws Exception what the action threw, unwrapped
     */
    @SuppressWarnings("removal")   // Subject.doAs is deprecated by JEP 411 but is what Karaf 4.4 reads
    static Object call(String user, PrivilegedExceptionAction<Object> action) throws Exception {
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal(user));
        for (String role : ROLES) {
            subject.getPrincipals().add(new RolePrincipal(role));
        }
        subject.setReadOnly();
        try {
            return Subject.doAs(subject, action);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }
}
