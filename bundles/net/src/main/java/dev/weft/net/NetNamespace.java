package dev.weft.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A network namespace, known by a path that pins it (a bind mount under the namespace directory,
 * or {@code /proc/PID/ns/net}) and identified by the device and inode of that namespace, not by
 * the path: a PID can be reused, a path can be remounted. Holding this record holds no kernel
 * handle.
 *
 * @param name   the name under the namespace directory, or null for an adopted path
 * @param path   the path that pins the namespace
 * @param device the nsfs device number
 * @param inode  the namespace's inode number, as in {@code net:[INODE]}
 */
public record NetNamespace(String name, Path path, long device, long inode) {

    /** Reads the identity of the namespace at {@code path} now. */
    public static NetNamespace at(String name, Path path) {
        try {
            long dev = ((Number) Files.getAttribute(path, "unix:dev")).longValue();
            long ino = ((Number) Files.getAttribute(path, "unix:ino")).longValue();
            return new NetNamespace(name, path, dev, ino);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read namespace " + path + ": " + e.getMessage(), e);
        }
    }

    /** True when both denote the same kernel namespace. */
    public boolean sameAs(NetNamespace other) {
        return other != null && device == other.device && inode == other.inode;
    }

    /** Whether {@code path} still pins this same namespace. */
    public boolean stillThere() {
        try {
            return sameAs(at(name, path));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return (name != null ? name : path.toString()) + " (net:[" + inode + "])";
    }
}
