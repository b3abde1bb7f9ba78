package dev.weft.cli.internal;

import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.karaf.shell.api.console.SessionFactory;

/**
 * What a connection needs from the server: the shell, the thread pools it may use, and the
 * settings in force. The time limit is read per command, so a configuration change applies to the
 * next command without restarting the socket.
 *
 * @param io        unbounded pool for the reply writer and hang-up watch of each connection (two
 *                  threads per running command, so bounded by the worker pool in practice)
 * @param scheduler time limits and request deadlines
 */
record CliServices(SessionFactory sessionFactory, Path socket, UserPrincipal root,
                   ExecutorService io, ScheduledExecutorService scheduler, LocalCliServer server) {

    int timeoutSeconds() {
        return server.timeoutSeconds();
    }

    boolean stopping() {
        return server.stopping();
    }

    /** Waits until the runtime has booted (Karaf's boot features installed), bounded. */
    void awaitBoot() {
        server.awaitBoot();
    }
}
