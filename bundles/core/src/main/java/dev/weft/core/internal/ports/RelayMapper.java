package dev.weft.core.internal.ports;

import dev.weft.api.PortBinding;
import dev.weft.net.InterfaceAddress;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.PortMapper;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Core's port mapper {@value PortMapper#RELAY}: the in-runtime relay for what NAT cannot reach
 * ({@code [::1]:PORT}, and a host IPv6 address when the endpoint has no IPv6), offered to drivers
 * through {@link dev.weft.spi.DriverContext#portMapper}.
 *
 * <p>It plays two parts, because the relay must answer on the socket that reserves the port (a
 * listening TCP socket cannot be made from a bound one in Java, and a second socket on the port
 * would let a host process in between):
 * <ul>
 * <li>as the allocator's {@link HostPorts.Holder} of every tcp/udp binding on every address or on
 *     an IPv6 address, it holds the port with a listening socket of the one {@link PortProxy}, with
 *     no target: until a driver maps it, every client is reset and every datagram dropped, as a
 *     bound socket would refuse them;</li>
 * <li>as the {@link PortMapper}, {@link #mapPorts} points those held ports at the endpoint (its
 *     IPv6 address when it has one, else its IPv4 address; the binding's container port) and
 *     {@link #unmapPorts} points them at nothing again. Both only change a target in memory: no
 *     socket, no kernel call, no wait for the relay's thread. Bindings on an IPv4 host address and
 *     sctp bindings are not its: it ignores them.</li>
 * </ul>
 * The ports are released by the allocator ({@link HostPorts#release}), which closes them.
 */
public final class RelayMapper implements PortMapper, HostPorts.Holder {
    /** How ports are opened: {@link PortProxy#open} in the runtime, something else in unit tests. */
    interface Sockets {
        PortProxy.Port open(String protocol, InetAddress address, int port) throws IOException;
    }

    private final Sockets sockets;
    /** The ports this relay holds, by binding; each with the endpoint it is mapped to, if any. */
    private final Map<Key, Slot> held = new ConcurrentHashMap<>();

    private record Key(String protocol, InetAddress address, int port) {
        static Key of(PortBinding b) {
            return new Key(b.protocol(), b.hostIp(), b.hostPort());
        }
    }

    /** A held port and the endpoint it relays to (null: none). */
    private static final class Slot {
        final PortProxy.Port port;
        String endpoint; // guarded by this

        Slot(PortProxy.Port port) {
            this.port = port;
        }

        synchronized void map(String endpointId, InetSocketAddress target, boolean ipv4Clients) {
            endpoint = endpointId;
            port.relayTo(target, ipv4Clients);
        }

        synchronized void unmap(String endpointId) {
            if (endpointId.equals(endpoint)) {
                endpoint = null;
                port.relayTo(null, false);
            }
        }
    }

    public RelayMapper(PortProxy proxy) {
        this(proxy::open);
    }

    RelayMapper(Sockets sockets) {
        this.sockets = sockets;
    }

    /** tcp and udp on every address or on an IPv6 address: the bindings NAT cannot serve at {@code [::1]}. */
    @Override
    public boolean holds(String protocol, InetAddress address) {
        return (protocol.equals("tcp") || protocol.equals("udp")) && !(address instanceof Inet4Address);
    }

    @Override
    public HostPorts.Held hold(String protocol, InetAddress address, int port) throws IOException {
        PortProxy.Port p = sockets.open(protocol, address, port);
        Key key = new Key(protocol, address, p.port());
        Slot slot = new Slot(p);
        held.put(key, slot);
        return new HostPorts.Held() {
            @Override
            public int port() {
                return p.port();
            }

            @Override
            public void close() {
                held.remove(key, slot);
                p.close();
            }
        };
    }

    @Override
    public void mapPorts(EndpointConfig endpoint, List<PortBinding> bindings) {
        InetAddress to = address(endpoint.ipv6() != null ? endpoint.ipv6() : endpoint.ipv4());
        List<Runnable> changes = new ArrayList<>();
        for (PortBinding b : bindings) {
            if (!holds(b.protocol(), b.hostIp())) {
                continue; // the NAT's alone
            }
            Slot slot = held.get(Key.of(b));
            if (slot == null) {
                // checked for every binding before any is changed: all or nothing
                throw new IllegalStateException("port mapper \"" + RELAY + "\": host port " + b + " of endpoint "
                        + endpoint.shortId() + " is not held by the relay; its ports must be reserved first");
            }
            InetSocketAddress target = to == null ? null : new InetSocketAddress(to, b.containerPort());
            boolean ipv4Clients = endpoint.ipv4() == null; // IPv6-only: IPv4 clients have no DNAT to it
            changes.add(() -> slot.map(endpoint.id(), target, ipv4Clients));
        }
        changes.forEach(Runnable::run);
    }

    @Override
    public void unmapPorts(EndpointConfig endpoint, List<PortBinding> bindings) {
        for (PortBinding b : bindings) {
            Slot slot = held.get(Key.of(b));
            if (slot != null) {
                slot.unmap(endpoint.id());
            }
        }
    }

    private static InetAddress address(InterfaceAddress a) {
        return a == null ? null : a.address();
    }
}
