package dev.weft.core.internal;

import dev.weft.core.internal.ports.HostPorts;
import dev.weft.net.IpPrefix;
import dev.weft.net.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@link HostSystem} without a kernel, for controller tests that run without root: a namespace is
 * a file in a directory of the test's (so its identity, device and inode, is real and vanishes with
 * it), the host namespace one file more; host ports are taken in memory, so a test can stand in for
 * a host process holding one ({@link #holdAsHostProcess}).
 */
final class FakeHostSystem implements HostSystem {
    private final Path namespaces;
    private final NetNamespace host;
    /** Ports held: protocol, address (null for every address), port. */
    private final List<Object[]> ports = new java.util.ArrayList<>();
    private int nextFree = 42_000;

    FakeHostSystem(Path dir) {
        try {
            namespaces = Files.createDirectories(dir.resolve("netns"));
            Path hostFile = dir.resolve("host-netns");
            if (!Files.exists(hostFile)) {
                Files.createFile(hostFile);
            }
            host = NetNamespace.at(null, hostFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public NetNamespace hostNamespace() {
        return host;
    }

    @Override
    public Path namespaceDirectory() {
        return namespaces;
    }

    @Override
    public NetNamespace createNamespace(String name) {
        Path p = namespaces.resolve(name);
        try {
            Files.createFile(p);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("cannot create network namespace " + name + ": EEXIST (" + p + " exists)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return NetNamespace.at(name, p);
    }

    /** A hard link: the same file, so the same device and inode, as a bind mount gives. */
    @Override
    public NetNamespace bindNamespace(String name, NetNamespace target) {
        Path p = namespaces.resolve(name);
        try {
            Files.createLink(p, target.path());
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("cannot name network namespace " + name + ": EEXIST (" + p + " exists)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return NetNamespace.at(name, p);
    }

    @Override
    public NetNamespace adoptNamespace(Path path) {
        return NetNamespace.at(null, path);
    }

    @Override
    public void deleteNamespace(String name) {
        try {
            Files.deleteIfExists(namespaces.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public AutoCloseable deleteNameHolding(String name) {
        deleteNamespace(name);
        return () -> { };
    }

    @Override
    public <T> T inHostNamespace(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized HostPorts.Held reservePort(String protocol, InetAddress address, int port) throws BindException {
        int p = port == 0 ? nextFree++ : port;
        InetAddress a = address == null || address.isAnyLocalAddress() ? null : address;
        if (taken(protocol, a, p)) {
            throw new BindException("Address already in use");
        }
        Object[] key = {protocol, a, p};
        ports.add(key);
        return new HostPorts.Held() {
            @Override
            public int port() {
                return p;
            }

            @Override
            public void close() {
                synchronized (FakeHostSystem.this) {
                    ports.remove(key);
                }
            }
        };
    }

    /** As if a process of the host held this port on every address. */
    synchronized void holdAsHostProcess(String protocol, int port) {
        ports.add(new Object[] {protocol, null, port});
    }

    /** As the kernel decides: one of two bindings on every address, or both on the same address. */
    private boolean taken(String protocol, InetAddress address, int port) {
        for (Object[] held : ports) {
            if (held[0].equals(protocol) && (int) held[2] == port
                    && (held[1] == null || address == null || held[1].equals(address))) {
                return true;
            }
        }
        return false;
    }

    /** The sandbox namespaces that exist now. */
    List<String> namespaceNames() {
        try (var s = Files.list(namespaces)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<IpPrefix> hostRoutes() {
        return List.of();
    }

}
