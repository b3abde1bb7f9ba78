package dev.weft.core.internal.ports;

import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.PortReservation;
import java.net.BindException;
import java.net.InetAddress;

/**
 * Holds host ports with sockets that are bound and not listening, in the runtime's host namespace
 * ({@link Kernel#reservePort}): no host process can bind the port meanwhile, and what reaches the
 * port itself (no NAT rule in force) is refused at once instead of hanging in a backlog nobody
 * accepts. The {@link HostPorts.Holder} of every tcp/udp binding the relay does not hold.
 */
public final class BoundPorts implements HostPorts.Holder {
    private final Kernel kernel;

    public BoundPorts(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public boolean holds(String protocol, InetAddress address) {
        return protocol.equals("tcp") || protocol.equals("udp");
    }

    @Override
    public HostPorts.Held hold(String protocol, InetAddress address, int port) throws BindException {
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
}
