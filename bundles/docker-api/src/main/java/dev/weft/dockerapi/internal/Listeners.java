package dev.weft.dockerapi.internal;

import dev.weft.net.IpAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Set;

/**
 * Where the API listens, checked before anything is bound: the Unix socket's file (its directory,
 * a stale file, its owner, group and mode) and the optional TCP address (loopback only).
 */
final class Listeners {
    static final String SOCKET_NAME = "docker.sock";
    static final String DEFAULT_RUN_DIR = "/run/weft";
    /** rwx--x--x: others may pass through the run directory to the group's socket, not list it (as local-cli). */
    static final Set<PosixFilePermission> RUN_DIR_MODE = PosixFilePermissions.fromString("rwx--x--x");
    /** rw-rw----: root and the socket's group, as Docker's {@code /run/docker.sock}. */
    static final Set<PosixFilePermission> SOCKET_MODE = PosixFilePermissions.fromString("rw-rw----");
    static final String DEFAULT_GROUP = "docker";

    private Listeners() {}

    static Path socketIn(String runDir) {
        return Path.of(runDir == null || runDir.isBlank() ? DEFAULT_RUN_DIR : runDir, SOCKET_NAME);
    }

    /**
     * Makes the socket's place ready to bind: creates its directory with mode 0711 when missing (never
     * changing one that was there), refuses a directory others may write to, removes a stale socket file
     * left by a crash, and refuses to take over one that something still answers on (a Docker daemon's,
     * or another Weft instance's) or a path that is not a socket.
     */
    static void prepareSocket(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            if (dir.getParent() != null) {
                Files.createDirectories(dir.getParent());
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(RUN_DIR_MODE));
                Files.setPosixFilePermissions(dir, RUN_DIR_MODE); // the umask may have narrowed it
            } catch (FileAlreadyExistsException e) {
                // made meanwhile by core or the local CLI
            }
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("weft.run.dir " + dir + " has mode " + PosixFilePermissions.toString(mode)
                    + ": other users may write to it and could replace " + SOCKET_NAME + "; use a directory of Weft's own"
                    + " (it is created with mode rwx--x--x when missing), e.g. " + DEFAULT_RUN_DIR);
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        PosixFileAttributes attributes = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isOther()) { // a socket is neither a file, a directory nor a link
            throw new IOException(socket + " exists and is not a socket; remove it or give another weft.run.dir");
        }
        if (answers(socket)) {
            throw new IOException(socket + " is in use: something answers on it (a Docker daemon, or another Weft "
                    + "instance); stop it or give this instance another weft.run.dir");
        }
        Files.delete(socket);
    }

    /**
     * Gives the bound socket its group and mode 0660 (its owner is the runtime's user, root). The path
     * is followed (a socket cannot be opened with O_NOFOLLOW to change its mode); it was bound a moment
     * ago in a directory only root may write to.
     */
    static void secureSocket(Path socket, GroupPrincipal group) throws IOException {
        Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
        Files.setPosixFilePermissions(socket, SOCKET_MODE);
    }

    /**
     * The group {@code socket.group} names; empty: {@code docker} when that group exists (as Docker's
     * socket), else root's group.
     */
    static GroupPrincipal group(String configured) throws IOException {
        UserPrincipalLookupService lookup = java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService();
        String name = configured == null ? "" : configured.trim();
        if (!name.isEmpty()) {
            try {
                return lookup.lookupPrincipalByGroupName(name);
            } catch (UserPrincipalNotFoundException e) {
                throw new IOException("dev.weft.dockerapi: socket.group = " + name + ": no such group on this host; give "
                        + "an existing group (getent group NAME), or leave it empty for docker (when it exists) or root");
            }
        }
        try {
            return lookup.lookupPrincipalByGroupName(DEFAULT_GROUP);
        } catch (UserPrincipalNotFoundException e) {
            return lookup.lookupPrincipalByGroupName("root");
        }
    }

    static void removeSocket(Path socket) throws IOException {
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)
                && Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
            Files.delete(socket);
        }
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return probe.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false; // ECONNREFUSED: nobody listens; stale
        }
    }

    /**
     * The TCP address of {@code tcp} ({@code 127.0.0.1:2375}, {@code [::1]:2375}), or null for none.
     * Only a loopback address literal is accepted: the API has no TLS and no authentication, and
     * whoever reaches it commands the host's networks.
     */
    static InetSocketAddress tcp(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            return null;
        }
        int colon = t.lastIndexOf(':');
        String accepted = "expected a loopback address and port like 127.0.0.1:2375 or [::1]:2375";
        if (colon < 0) {
            throw new IllegalArgumentException("tcp = " + text + ": no port; " + accepted);
        }
        String host = t.substring(0, colon);
        String portText = t.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress address = IpAddresses.tryParse(host);
        if (address == null) {
            throw new IllegalArgumentException("tcp = " + text + ": \"" + host + "\" is not an IP address (names are not "
                    + "resolved); " + accepted);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("tcp = " + text + ": port \"" + portText + "\" is not a number in 1-65535; "
                    + accepted);
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("tcp = " + text + " is refused: " + IpAddresses.format(address)
                    + " is not a loopback address, and the Engine API has no TLS and no authentication (whoever "
                    + "reaches it commands this host's networks); " + accepted
                    + ", or use the Unix socket (DOCKER_HOST=unix://…/docker.sock)");
        }
        return new InetSocketAddress(address, port);
    }
}
