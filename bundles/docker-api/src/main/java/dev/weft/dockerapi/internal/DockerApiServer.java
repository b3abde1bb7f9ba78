package dev.weft.dockerapi.internal;

import dev.weft.api.Controller;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.time.Instant;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty serving {@link EngineApi} on the Unix socket and, when asked, on a loopback TCP address:
 * Jetty's core server, a {@code QueuedThreadPool} named {@code docker-api}, one acceptor and one
 * selector per listener. {@link #close()} stops it and removes the socket file.
 */
final class DockerApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DockerApiServer.class);
    /** Threads Jetty needs besides those serving requests: an acceptor and a selector per listener. */
    static final int MIN_THREADS = 4;

    private final Server server;
    private final Path socket;
    private final InetSocketAddress tcp;
    private ServerConnector tcpConnector;

    /**
     * Binds and starts; a failure leaves nothing bound and no socket file.
     *
     * @param tcp a loopback address checked by {@link Listeners#tcp}, or null for none
     */
    DockerApiServer(Controller controller, Path socket, GroupPrincipal group, InetSocketAddress tcp, int threads,
                    String weftVersion, String instance) throws Exception {
        if (threads < MIN_THREADS) {
            throw new IllegalArgumentException("dev.weft.dockerapi: threads = " + threads + " is not accepted; use "
                    + MIN_THREADS + " or more");
        }
        this.socket = socket;
        this.tcp = tcp;
        Listeners.prepareSocket(socket);
        QueuedThreadPool pool = new QueuedThreadPool(threads + (tcp == null ? 2 : 4), 2);
        pool.setName("docker-api");
        pool.setDaemon(true);
        pool.setReservedThreads(0);
        server = new Server(pool);
        server.setStopAtShutdown(false);
        server.setStopTimeout(2000);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        UnixDomainServerConnector unix = new UnixDomainServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        unix.setUnixDomainPath(socket);
        server.addConnector(unix);
        if (tcp != null) {
            tcpConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
            tcpConnector.setHost(tcp.getAddress().getHostAddress());
            tcpConnector.setPort(tcp.getPort());
            server.addConnector(tcpConnector);
        }
        server.setHandler(new EngineHandler(new EngineApi(controller, weftVersion, instance, Instant::now)));
        try {
            server.start();
            Listeners.secureSocket(socket, group);
        } catch (Exception e) {
            close();
            throw e;
        }
        LOG.info("Docker Engine API {} listening on {} (group {}, mode 0660){}", EngineApi.API_VERSION, socket,
                group.getName(), tcp == null ? "" : " and on tcp " + dev.weft.net.IpAddresses.format(tcp.getAddress()) + " port "
                        + tcpPort());
    }

    Path socket() {
        return socket;
    }

    /** The TCP port bound (the one asked for, or the one picked for port 0), or -1 without TCP. */
    int tcpPort() {
        return tcpConnector == null ? -1 : tcpConnector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Docker API: stopping Jetty: {}", e.toString());
        }
        try {
            Listeners.removeSocket(socket);
        } catch (IOException e) {
            LOG.warn("Docker API: cannot remove {}: {}", socket, e.toString());
        }
    }
}
