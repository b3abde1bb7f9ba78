package dev.weft.cli.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket {@code ./weft} talks to: {@code ${weft.run.dir}/cli.sock}, mode 0600, in a
 * directory others may pass through but not list or write (0711 when Weft makes it), and only
 * root peers are served (SO_PEERCRED), so the file mode is the first barrier and the peer check
 * the second. Each connection carries one command line (see
 * {@link CliConnection} for the protocol); lines of different clients run at the same time on a
 * bounded pool of workers.
 */
@Component(immediate = true, configurationPid = "dev.weft.cli")
public final class LocalCliServer {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCliServer.class);

    static final String RUN_DIR_PROPERTY = "weft.run.dir";
    static final String DEFAULT_RUN_DIR = "/run/weft";
    static final String SOCKET_NAME = "cli.sock";
    /** rwx--x--x: others may pass through the run directory (to a socket of a group of theirs), not list it. */
    static final Set<PosixFilePermission> RUN_DIR_MODE = PosixFilePermissions.fromString("rwx--x--x");

    private final SessionFactory sessionFactory;
    private volatile int timeoutSeconds;
    private volatile boolean stopping;
    private ServerSocketChannel server;
    private ThreadPoolExecutor workers;
    private CliServices services;
    private Thread acceptor;

    /**
     * Commands wait for Karaf's boot features (the drivers among them) to be installed, so that the
     * first command after {@code ./weft start} sees the runtime as booted (its predefined networks
     * made), not half-way. At most this long: a boot that failed must not silence the CLI.
     */
    static final long BOOT_WAIT_SECONDS = 60;
    private static final String BOOT_FINISHED = "(objectClass=org.apache.karaf.features.BootFinished)";
    private final CountDownLatch booted = new CountDownLatch(1);
    private ServiceTracker<Object, Object> bootTracker;

    @Activate
    public LocalCliServer(@Reference SessionFactory sessionFactory, BundleContext context, CliConfig config)
            throws IOException, InvalidSyntaxException {
        this(sessionFactory, socketIn(context.getProperty(RUN_DIR_PROPERTY)), config, false);
        // Karaf's marker service, by name: no dependency on the features service's packages
        bootTracker = new ServiceTracker<>(context, context.createFilter(BOOT_FINISHED), null) {
            @Override
            public Object addingService(ServiceReference<Object> reference) {
                booted.countDown();
                return reference;
            }
        };
        bootTracker.open(true);
    }

    /** Listens on {@code socket} at once; for tests, which have no framework (and no boot to wait for). */
    LocalCliServer(SessionFactory sessionFactory, Path socket, CliConfig config) throws IOException {
        this(sessionFactory, socket, config, true);
    }

    private LocalCliServer(SessionFactory sessionFactory, Path socket, CliConfig config, boolean booted)
            throws IOException {
        this.sessionFactory = sessionFactory;
        if (booted) {
            this.booted.countDown();
        }
        modified(config);
        start(socket, config);
    }

    /** Waits until Karaf's boot features are installed (at most {@link #BOOT_WAIT_SECONDS}). */
    void awaitBoot() {
        if (booted.getCount() == 0) {
            return;
        }
        try {
            if (!booted.await(BOOT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("local CLI: Karaf's boot features are not installed after {} s (see the log for why); "
                        + "commands run anyway", BOOT_WAIT_SECONDS);
                booted.countDown();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path socketIn(String runDir) {
        return Path.of(runDir == null || runDir.isBlank() ? DEFAULT_RUN_DIR : runDir, SOCKET_NAME);
    }

    @Modified
    void modified(CliConfig config) {
        if (config.command_timeout_seconds() < 1) {
            throw new IllegalArgumentException("dev.weft.cli: command.timeout.seconds = "
                    + config.command_timeout_seconds() + " is not accepted; use a number of seconds >= 1");
        }
        timeoutSeconds = config.command_timeout_seconds();
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    /** True once deactivation began: commands interrupted now were stopped by it. */
    boolean stopping() {
        return stopping;
    }

    private void start(Path socket, CliConfig config) throws IOException {
        if (config.workers() < 1 || config.queue() < 0) {
            throw new IllegalArgumentException("dev.weft.cli: workers = " + config.workers() + ", queue = "
                    + config.queue() + " are not accepted; use workers >= 1 and queue >= 0");
        }
        server = SocketFiles.bind(socket);
        workers = new ThreadPoolExecutor(config.workers(), config.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, config.queue())), threads("weft-cli-worker-"));
        workers.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, threads("weft-cli-timer-"));
        scheduler.setRemoveOnCancelPolicy(true);
        ExecutorService io = Executors.newCachedThreadPool(threads("weft-cli-io-"));
        services = new CliServices(sessionFactory, socket,
                FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("root"),
                io, scheduler, this);
        acceptor = threads("weft-cli-accept-").newThread(this::acceptLoop);
        acceptor.start();
        LOG.info("local CLI listening on {} ({} workers, time limit {} s)", socket, config.workers(), timeoutSeconds);
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        if (bootTracker != null) {
            bootTracker.close();
        }
        booted.countDown(); // a command waiting for the boot goes on (and is interrupted below)
        try {
            server.close();                               // ends acceptLoop
        } catch (IOException e) {
            LOG.warn("local CLI: closing {}: {}", services.socket(), e.toString());
        }
        workers.shutdownNow();                            // interrupts running commands
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        services.io().shutdownNow();
        services.scheduler().shutdownNow();
        SocketFiles.remove(services.socket());
        LOG.info("local CLI stopped; removed {}", services.socket());
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
                LOG.warn("local CLI: accept on {} failed: {}", services.socket(), e.toString());
                continue;
            }
            try {
                workers.execute(new CliConnection(client, services));
            } catch (RejectedExecutionException e) {
                refuseBusy(client);
            }
        }
    }

    /** All workers busy and the queue full: say so at once instead of letting the client hang. */
    private void refuseBusy(SocketChannel client) {
        String msg = "\0" + ExitStatus.BUSY + "\nweft: busy: " + workers.getActiveCount()
                + " commands are running and " + workers.getQueue().size()
                + " waiting; try again (workers and queue are set in etc/dev.weft.cli.cfg)\n";
        try (client) {
            client.write(ByteBuffer.wrap(msg.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // the client is gone as well
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Creating and removing the socket file safely. */
    static final class SocketFiles {
        private SocketFiles() {
        }

        /**
         * Binds the socket: creates its directory with mode 0711 when missing (the mode Weft's
         * core gives the run directory too, whichever comes first: others may pass through, not
         * list or write), removes a stale socket file left by a crash but refuses to take over
         * one another runtime still answers on, binds, and sets mode 0600.
         */
        static ServerSocketChannel bind(Path socket) throws IOException {
            Path dir = socket.getParent();
            if (Files.isDirectory(dir)) {
                // Never chmod a directory that was there before (weft.run.dir = /tmp would lock
                // everyone out of /tmp), and refuse one that others may write to: they could put
                // their own socket in place of this one. A readable directory (another Weft
                // bundle may have made it first) is fine: the socket's 0600 and the peer check
                // keep others out.
                refuseWritableByOthers(dir);
            } else {
                createRunDirectory(dir);
            }
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                if (answers(socket)) {
                    throw new IOException(socket + " is in use by another running Weft instance; stop it"
                            + " (./weft stop) or give this one another weft.run.dir");
                }
                Files.delete(socket);
            }
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.bind(UnixDomainSocketAddress.of(socket), 64);
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                channel.close();
                throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
            }
            return channel;
        }

        private static void refuseWritableByOthers(Path dir) throws IOException {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
            if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IOException("weft.run.dir " + dir + " has mode " + PosixFilePermissions.toString(mode)
                        + ": other users may write to it; use a directory of Weft's own"
                        + " (it is created with mode " + PosixFilePermissions.toString(RUN_DIR_MODE)
                        + " when missing), e.g. /run/weft");
            }
        }

        /** Creates the run directory with exactly mode 0711 (no moment with a wider one), unless core just did. */
        private static void createRunDirectory(Path dir) throws IOException {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(RUN_DIR_MODE));
            } catch (FileAlreadyExistsException e) {
                refuseWritableByOthers(dir);               // Weft's core made it meanwhile
                return;
            }
            Files.setPosixFilePermissions(dir, RUN_DIR_MODE);   // the umask may have narrowed it
        }

        static void remove(Path socket) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.warn("local CLI: cannot remove {}: {}", socket, e.toString());
            }
        }

        private static boolean answers(Path socket) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                return probe.isConnected();
            } catch (IOException e) {
                return false;                             // ECONNREFUSED: nobody listens; stale
            }
        }
    }
}
