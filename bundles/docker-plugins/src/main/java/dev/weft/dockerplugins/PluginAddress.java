package dev.weft.dockerplugins;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a plugin listens, as Docker finds it: a Unix socket ({@code unix:///path}, or a socket file
 * itself), or {@code tcp://HOST:PORT}. {@code source} is the file it was found in (the socket, or
 * the spec file), for messages.
 *
 * @param name   the plugin's name (the file's name without {@code .sock}, {@code .spec}, {@code .json})
 * @param socket the Unix socket, or null for tcp
 * @param host   for tcp, the host, else null
 * @param port   for tcp, the port, else 0
 * @param tls    the spec asks for TLS ({@code TLSConfig} in a .json spec)
 * @param source the socket or spec file it was found in
 */
record PluginAddress(String name, Path socket, String host, int port, boolean tls, Path source) {

    PluginAddress {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
    }

    static PluginAddress unix(String name, Path socket, Path source) {
        return new PluginAddress(name, socket, null, 0, false, source);
    }

    /**
     * The address a spec gives ({@code unix:///path} or {@code tcp://HOST:PORT}), as Docker reads a
     * {@code .spec} file's one line or a {@code .json} spec's {@code Addr}.
     *
     * @throws IllegalArgumentException naming the text and what is accepted
     */
    static PluginAddress parse(String name, String url, boolean tls, Path source) {
        String text = url.trim();
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a URL: expected unix:///PATH or tcp://HOST:PORT");
        }
        if ("unix".equals(uri.getScheme())) {
            if (uri.getPath() == null || uri.getPath().isEmpty()) {
                throw new IllegalArgumentException("\"" + text + "\" names no socket: expected unix:///PATH");
            }
            return new PluginAddress(name, Path.of(uri.getPath()), null, 0, tls, source);
        }
        if ("tcp".equals(uri.getScheme())) {
            if (uri.getHost() == null || uri.getPort() <= 0) {
                throw new IllegalArgumentException("\"" + text + "\" needs a host and a port: expected tcp://HOST:PORT");
            }
            return new PluginAddress(name, null, uri.getHost(), uri.getPort(), tls, source);
        }
        throw new IllegalArgumentException("\"" + text + "\" has scheme \"" + uri.getScheme()
                + "\": Docker plugins are reached at unix:///PATH or tcp://HOST:PORT");
    }

    boolean isUnix() {
        return socket != null;
    }

    /** For tcp: whether the host is a loopback address (resolved without asking a name server for literals). */
    boolean loopback() {
        if (host == null) {
            return false;
        }
        if ("localhost".equals(host)) {
            return true;
        }
        try {
            String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** unix:///path or tcp://host:port. */
    String url() {
        return isUnix() ? "unix://" + socket : "tcp://" + host + ":" + port;
    }

    @Override
    public String toString() {
        return url() + " (" + source + ")";
    }
}
