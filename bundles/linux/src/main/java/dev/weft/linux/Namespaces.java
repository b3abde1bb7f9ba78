package dev.weft.linux;

import dev.weft.linux.internal.Errno;
import dev.weft.linux.internal.LibC;
import dev.weft.linux.internal.NamespaceRunner;
import dev.weft.linux.internal.Syscalls;
import dev.weft.net.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * Named network namespaces, compatible with iproute2: a namespace named {@code NAME} is a bind
 * mount at {@code DIR/NAME} (by default {@code /run/netns}, so {@code ip netns exec NAME …} works),
 * with the directory made a shared mount as {@code ip netns add} does. Work inside a namespace runs
 * on dedicated platform threads; nothing here keeps a handle on a namespace after an operation.
 */
public final class Namespaces {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}");

    private final Path directory;
    private final NamespaceRunner runner;
    private volatile boolean directoryPrepared;

    Namespaces(Path directory, NamespaceRunner runner) {
        this.directory = directory;
        this.runner = runner;
    }

    /** The directory named namespaces live in. */
    public Path directory() {
        return directory;
    }

    /**
     * Creates the namespace {@code name} with its loopback down (as the kernel makes it). Fails with
     * EEXIST when the name is taken; leaves nothing behind on failure.
     */
    public NetNamespace create(String name) {
        checkName(name);
        prepareDirectory();
        Path target = directory.resolve(name);
        try {
            Syscalls.close(Syscalls.open(target.toString(), LibC.O_RDONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC));
        } catch (Syscalls.Failure e) {
            throw new KernelException(e.errno(), "create network namespace", name,
                    e.errno() == Errno.EEXIST ? target + " already exists" : null, e);
        }
        try {
            runner.callInNewNamespace(() -> {
                String source = NamespaceRunner.threadNamespacePath().toString();
                try {
                    Syscalls.mount(source, target.toString(), LibC.MS_BIND);
                } catch (Syscalls.Failure e) {
                    throw new KernelException(e.errno(), "bind network namespace", name, null, e);
                }
                return null;
            });
            return NetNamespace.at(name, target);
        } catch (RuntimeException e) {
            deleteQuietly(target);
            throw e;
        }
    }

    /**
     * Gives an existing namespace a second name: {@code DIR/name} becomes a bind mount of
     * {@code target}'s file, so {@code ip netns exec name} enters the very same namespace (same
     * device and inode). Deleting that name later ({@link #delete}) unmounts only the name: the
     * namespace lives on as long as anything else holds it. Fails with EEXIST when the name is taken,
     * and when {@code target}'s file no longer pins the namespace it was recorded as (its device and
     * inode); leaves nothing behind on failure.
     */
    public NetNamespace bind(String name, NetNamespace target) {
        checkName(name);
        prepareDirectory();
        Path p = directory.resolve(name);
        try {
            Syscalls.close(Syscalls.open(p.toString(), LibC.O_RDONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC));
        } catch (Syscalls.Failure e) {
            throw new KernelException(e.errno(), "name network namespace", name,
                    e.errno() == Errno.EEXIST ? p + " already exists" : null, e);
        }
        try {
            try {
                Syscalls.mount(target.path().toString(), p.toString(), LibC.MS_BIND);
            } catch (Syscalls.Failure e) {
                throw new KernelException(e.errno(), "bind network namespace", name, "of " + target.path(), e);
            }
            NetNamespace bound = NetNamespace.at(name, p);
            if (target.inode() != 0 && !bound.sameAs(target)) {
                throw new KernelException(Errno.ENOENT, "bind network namespace", name, target.path()
                        + " no longer pins namespace net:[" + target.inode() + "]");
            }
            return bound;
        } catch (RuntimeException e) {
            deleteQuietly(p);
            throw e;
        }
    }

    /**
     * Adopts the namespace at {@code path} (e.g. {@code /proc/PID/ns/net} or another runtime's
     * file), identified by device and inode now. Fails when the path is not a network namespace.
     */
    public NetNamespace adopt(Path path) {
        if (!Files.exists(path)) {
            throw new KernelException(Errno.ENOENT, "adopt network namespace", path.toString(), null);
        }
        NetNamespace ns = NetNamespace.at(null, path);
        runner.call(ns, () -> null); // setns refuses anything that is not a network namespace
        return ns;
    }

    /** The named namespace, if {@code DIR/name} pins one. */
    public Optional<NetNamespace> get(String name) {
        checkName(name);
        Path p = directory.resolve(name);
        if (!isMounted(p)) {
            return Optional.empty();
        }
        return Optional.of(NetNamespace.at(name, p));
    }

    /** Every named namespace in the directory (files that pin nothing are skipped). */
    public List<NetNamespace> list() {
        List<NetNamespace> out = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                if (isMounted(p)) {
                    out.add(NetNamespace.at(p.getFileName().toString(), p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Deletes the named namespace: unmounts and unlinks {@code DIR/name}. The kernel destroys the
     * namespace (and its links) once nothing else holds it. Idempotent: a missing name is no error.
     */
    public void delete(String name) {
        checkName(name);
        Path p = directory.resolve(name);
        if (!Files.exists(p)) {
            return;
        }
        try {
            Syscalls.umount2(p.toString(), LibC.MNT_DETACH);
        } catch (Syscalls.Failure e) {
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                throw new KernelException(e.errno(), "unmount network namespace", name, null, e);
            }
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the named namespace's name (unmounts and unlinks {@code DIR/name}, so the name is free
     * and {@code ip netns} no longer lists it) but keeps the namespace itself alive until the
     * returned handle is closed. Destroying a namespace's interfaces holds the kernel's
     * configuration lock, which every link change waits for; the kernel destroys every namespace
     * that died meanwhile in one pass, so closing many handles at once, at a quiet moment, takes
     * that lock once instead of once per namespace. The caller must close the handle soon: until
     * then the namespace keeps its interfaces and addresses. A missing name yields a handle that
     * holds nothing.
     */
    public HeldNamespace deleteName(String name) {
        checkName(name);
        Path p = directory.resolve(name);
        int fd = -1;
        if (Files.exists(p)) {
            try {
                fd = Syscalls.open(p.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
            } catch (Syscalls.Failure e) {
                // not a namespace mount (or gone meanwhile): nothing to hold, the delete below still runs
            }
        }
        try {
            delete(name);
        } catch (RuntimeException e) {
            if (fd >= 0) {
                Syscalls.close(fd);
            }
            throw e;
        }
        return new HeldNamespace(name, fd);
    }

    /**
     * Gives back a directory of the instance's own ({@code weft.netns.dir} other than iproute2's
     * {@code /run/netns}) what {@link #create} did to it: once it holds no namespace, the bind mount
     * onto itself that made it a shared mount point is unmounted, so a purged instance leaves no mount
     * behind (and its parent directory can be deleted). {@code /run/netns} is left as {@code ip netns}
     * leaves it, mounted: other tools use it. Nothing happens while the directory holds anything.
     *
     * @return whether a mount was removed
     * @since 0.5.0
     */
    public boolean releaseDirectory() {
        if (directory.toAbsolutePath().normalize().equals(KernelConfig.DEFAULT_NAMESPACE_DIRECTORY)
                || !Files.isDirectory(directory)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            if (ds.iterator().hasNext()) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
        }
        boolean released = false;
        for (int i = 0; i < 8 && isMountPoint(directory); i++) { // a bind per preparation; normally one
            try {
                Syscalls.umount2(directory.toString(), LibC.MNT_DETACH);
                released = true;
            } catch (Syscalls.Failure e) {
                throw new KernelException(e.errno(), "unmount namespace directory", directory.toString(), null, e);
            }
        }
        directoryPrepared = false;
        return released;
    }

    /** Whether {@code dir} is a mount point in this process's mount namespace (/proc/self/mountinfo). */
    private static boolean isMountPoint(Path dir) {
        String target = dir.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ", 6);
                if (f.length > 4 && unescape(f[4]).equals(target)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
    }

    /** mountinfo's octal escapes ({@code \040} for a space) undone. */
    private static String unescape(String field) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Runs {@code work} on a dedicated thread inside {@code ns}. */
    public <T> T run(NetNamespace ns, Callable<T> work) {
        return runner.call(ns, work);
    }

    /** Writes a per-namespace sysctl, e.g. {@code net.ipv4.ip_forward} or {@code net/ipv4/conf/br0/route_localnet}. */
    public void setSysctl(NetNamespace ns, String key, String value) {
        sysctlPath(key);
        runner.call(ns, () -> {
            writeSysctl(ns, key, value);
            return null;
        });
    }

    /** Writes a sysctl of the namespace the calling thread is in (a runner's worker inside {@code ns}). */
    static void writeSysctl(NetNamespace ns, String key, String value) {
        try {
            Files.writeString(sysctlPath(key), value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new KernelException(Errno.EINVAL, "set sysctl " + key + "=" + value, ns.toString(),
                    e.getMessage(), e);
        }
    }

    /** Reads a per-namespace sysctl. */
    public String getSysctl(NetNamespace ns, String key) {
        Path file = sysctlPath(key);
        return runner.call(ns, () -> {
            try {
                return Files.readString(file, StandardCharsets.US_ASCII).trim();
            } catch (IOException e) {
                throw new KernelException(Errno.ENOENT, "read sysctl " + key, ns.toString(), e.getMessage(), e);
            }
        });
    }

    static Path sysctlPath(String key) {
        String rel = key.indexOf('/') >= 0 ? key : key.replace('.', '/');
        if (rel.contains("..") || rel.startsWith("/") || !rel.startsWith("net/")) {
            throw new IllegalArgumentException("sysctl \"" + key + "\" is not a per-namespace net.* key");
        }
        return Path.of("/proc/sys").resolve(rel);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("namespace name \"" + name
                    + "\" is not valid: use 1-255 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    private boolean isMounted(Path p) {
        try {
            Object dev = Files.getAttribute(p, "unix:dev");
            Object dirDev = Files.getAttribute(directory, "unix:dev");
            return !dev.equals(dirDev);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Makes the directory a shared mount point, as iproute2 does, so mounts in it propagate. */
    private void prepareDirectory() {
        if (directoryPrepared && Files.isDirectory(directory)) {
            return;
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory + ": " + e.getMessage(), e);
        }
        String dir = directory.toString();
        try {
            Syscalls.mount("", dir, LibC.MS_SHARED | LibC.MS_REC);
        } catch (Syscalls.Failure e) {
            if (e.errno() != Errno.EINVAL) {
                throw new KernelException(e.errno(), "make namespace directory shared", dir, null, e);
            }
            try { // not a mount point yet: bind it onto itself, then share it
                Syscalls.mount(dir, dir, LibC.MS_BIND | LibC.MS_REC);
                Syscalls.mount("", dir, LibC.MS_SHARED | LibC.MS_REC);
            } catch (Syscalls.Failure e2) {
                throw new KernelException(e2.errno(), "make namespace directory shared", dir, null, e2);
            }
        }
        directoryPrepared = true;
    }

    private static void deleteQuietly(Path p) {
        try {
            Syscalls.umount2(p.toString(), LibC.MNT_DETACH);
        } catch (Syscalls.Failure ignored) {
            // not mounted
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // reported by the caller's exception
        }
    }
}
