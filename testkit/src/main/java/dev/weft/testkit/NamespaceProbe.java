package dev.weft.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Questions a test asks to prove a namespace is really gone. A deleted network namespace lives
 * on while anything references it: a thread inside it, an open file descriptor to it, a bind
 * mount, or a socket created in it (sockets are not visible here; the kit closes its own).
 */
public final class NamespaceProbe {
    private NamespaceProbe() {
    }

    /** The namespace's identity: the inode of its nsfs file (e.g. /run/netns/NAME or /proc/PID/ns/net). */
    public static long inode(Path nsPath) {
        try {
            return ((Number) Files.getAttribute(nsPath, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat namespace file " + nsPath, e);
        }
    }

    /**
     * Waits until {@code linkName} no longer exists in {@code namespace}; true once it is gone.
     * A veth end in the host disappears only when the namespace holding its peer is destroyed.
     */
    public static boolean waitUntilGone(TestNamespace namespace, String linkName, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!namespace.tryIp("link", "show", "dev", linkName).succeeded()) {
                return true;
            }
            if (System.nanoTime() > deadline || !Sleep.briefly()) {
                return false;
            }
        }
    }

    /** True when some thread is inside the namespace or some process holds a descriptor to it. */
    public static boolean referencedByAnyProcess(long netnsInode) {
        String wanted = "net:[" + netnsInode + "]";
        for (Path process : children(Path.of("/proc"))) {
            if (!process.getFileName().toString().chars().allMatch(Character::isDigit)) {
                continue;
            }
            for (Path task : children(process.resolve("task"))) {
                if (wanted.equals(linkTarget(task.resolve("ns/net")))) {
                    return true;
                }
            }
            for (Path fd : children(process.resolve("fd"))) {
                if (wanted.equals(linkTarget(fd))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * As {@link #mounted(long)}, counting only mount points whose path contains {@code pathPart} (a
     * test host's name): inode numbers of freed namespaces are handed out again at once, so another
     * test's namespace may carry the number by now.
     */
    public static boolean mountedUnder(long netnsInode, String pathPart) {
        String wanted = "net:[" + netnsInode + "]";
        try {
            // Field 4 of mountinfo is the root of the mount ("net:[INODE]" for nsfs), field 5 its mount point.
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" "))
                    .anyMatch(fields -> fields.length > 4 && wanted.equals(fields[3]) && fields[4].contains(pathPart));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /** True when the namespace is bind-mounted somewhere (as /run/netns/NAME is). */
    public static boolean mounted(long netnsInode) {
        return mountedUnder(netnsInode, "");
    }

    /** Directory entries; empty when the directory vanished or is unreadable (processes come and go). */
    private static List<Path> children(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            List<Path> all = new ArrayList<>();
            entries.forEach(all::add);
            return all;
        } catch (IOException | DirectoryIteratorException e) {
            return List.of();
        }
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
