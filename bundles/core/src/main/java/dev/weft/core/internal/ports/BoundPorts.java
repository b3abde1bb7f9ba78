package dev.weft.core.internal.ports;

import java.net.BindException;
import java.net.InetAddress;

/**
 * Holds host ports with sockets that are bound and not listening, in the runtime's host namespace:
 * no host process can bind the port meanwhile, and what reaches the port itself (no NAT rule in
 * force) is refused at once instead of hanging in a backlog nobody accepts. The
 * {@link HostPorts.Holder} of every tcp/udp binding the relay does not hold.
 */
public final class BoundPorts implements HostPorts.Holder {

    /** Binds a socket for a port in the host namespace (the kernel's, or a test's fake). */
    @FunctionalInterface
    public interface Reserver {
        HostPorts.Held reserve(String protocol, InetAddress address, int port) throws BindException;
    }

    private final Reserver reserver;

    public BoundPorts(Reserver reserver) {
        this.reserver = reserver;
    }

    @Override
    public boolean holds(String protocol, InetAddress address) {
        return protocol.equals("tcp") || protocol.equals("udp");
    }

    @Override
    public HostPorts.Held hold(String protocol, InetAddress address, int port) throws BindException {
        return reserver.reserve(protocol, address, port);
    }
}
