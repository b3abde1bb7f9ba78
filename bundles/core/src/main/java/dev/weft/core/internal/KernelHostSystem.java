package dev.weft.core.internal;

import dev.weft.core.internal.ports.HostPorts;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.LinkChange;
import dev.weft.linux.PortReservation;
import dev.weft.linux.Route;
import dev.weft.net.IpPrefix;
import dev.weft.net.NetNamespace;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@link HostSystem} over the kernel layer. */
final class KernelHostSystem implements HostSystem {
    private final Kernel kernel;

    KernelHostSystem(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public NetNamespace hostNamespace() {
        return kernel.hostNamespace();
    }

    @Override
    public Path namespaceDirectory() {
        return kernel.namespaces().directory();
    }

    @Override
    public NetNamespace createNamespace(String name) {
        NetNamespace ns = kernel.namespaces().create(name);
        try {
            kernel.inNamespace(ns, rt -> {
                rt.setLink(LinkChange.of(1).up()); // lo is always index 1 in a new namespace
                return null;
            });
            return ns;
        } catch (RuntimeException e) {
            kernel.namespaces().delete(name);
            throw e;
        }
    }

    @Override
    public NetNamespace bindNamespace(String name, NetNamespace target) {
        return kernel.namespaces().bind(name, target);
    }

    @Override
    public NetNamespace adoptNamespace(Path path) {
        return kernel.namespaces().adopt(path);
    }

    @Override
    public void deleteNamespace(String name) {
        kernel.namespaces().delete(name);
    }

    @Override
    public AutoCloseable deleteNameHolding(String name) {
        return kernel.namespaces().deleteName(name);
    }

    @Override
    public <T> T inHostNamespace(Callable<T> work) {
        return kernel.namespaces().run(kernel.hostNamespace(), work);
    }

    @Override
    public HostPorts.Held reservePort(String protocol, InetAddress address, int port) throws BindException {
        PortReservation r;
        try {
            r = kernel.reservePort(protocol, address, port);
        } catch (KernelException e) {
            BindException taken = new BindException(e.errnoName());
            taken.initCause(e);
            throw taken;
        }
        return new HostPorts.Held() {
            @Override
            public int port() {
                return r.port();
            }

            @Override
            public void close() {
                r.close();
            }
        };
    }

    @Override
    public List<IpPrefix> hostRoutes() {
        return kernel.host().routes(0).stream().map(Route::destination).filter(d -> !d.isDefault()).toList();
    }
}
