package dev.weft.core.internal.ports;

import dev.weft.api.PortBinding;
import dev.weft.api.PortSpec;
import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.PortReservation;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The host-port allocator every port-publishing driver shares. Each tcp/udp host port is reserved by
 * a socket in the host namespace that stays open: a host process cannot silently take the port, and
 * a port a host process already holds is refused. Port 0 gets a free port the same way (the kernel
 * picks it). SCTP ports (no SCTP sockets on every kernel) are reserved in memory. Reservations
 * belong to an owner (an endpoint id) and are released together.
 * <p>
 * What reaches the reserving socket is what no DNAT rule took. For a binding on one IPv4 address
 * (127.0.0.1, a {@code host_binding_ipv4} address, any explicit IPv4 host address) the socket is
 * bound and not listening: such a connection is refused, not left hanging. For a binding on every
 * address or on an IPv6 address, IPv6 has no {@code route_localnet}, so {@code [::1]:PORT} (and a
 * host IPv6 address when the endpoint has no IPv6) cannot be DNATed: there the socket listens and
 * the runtime's one {@link PortProxy} relays IPv6 clients to the endpoint (its IPv6 address, else
 * its IPv4 one) and resets IPv4 ones (they arrive only when Weft's rules are missing).
 */
public final class HostPorts {
    private final Kernel kernel;
    private final PortProxy proxy;
    private final Map<String, List<Held>> byOwner = new HashMap<>();
    /** protocol/port → owner, for SCTP and for messages naming who holds a port. */
    private final Map<String, String> holders = new HashMap<>();

    private record Held(PortBinding binding, Closeable socket) {}

    /**
     * The endpoint's addresses a relayed port goes to; either may be null (both null: nothing is
     * relayed, every reserving socket stays bound and not listening).
     */
    public record Target(InetAddress ipv4, InetAddress ipv6) {
        static final Target NONE = new Target(null, null);

        /** From an endpoint's recorded addresses in CIDR notation ({@code 10.1.0.2/24}), either may be null. */
        public static Target of(String ipv4Cidr, String ipv6Cidr) {
            return new Target(ipv4Cidr == null ? null : InterfaceAddress.parse(ipv4Cidr).address(),
                    ipv6Cidr == null ? null : InterfaceAddress.parse(ipv6Cidr).address());
        }

        /** IPv6 when the endpoint has it (no translation on the way), else IPv4; null when it has neither. */
        InetSocketAddress socket(int port) {
            InetAddress a = ipv6 != null ? ipv6 : ipv4;
            return a == null ? null : new InetSocketAddress(a, port);
        }
    }

    public HostPorts(Kernel kernel) {
        this.kernel = kernel;
        this.proxy = new PortProxy(new PortProxy.HostSockets() {
            @Override
            public <T> T call(Callable<T> work) {
                return kernel.namespaces().run(kernel.hostNamespace(), work);
            }
        });
    }

    /**
     * Reserves host ports for {@code specs} (each range expanded port by port), all or none.
     * {@code ownerName} names the owner in conflict messages. A spec without a host address is
     * bound on {@code defaultHost} when it is given (the network's default host address: the
     * returned bindings carry it), else on every address. Ports on every address or on an IPv6
     * address are relayed to {@code target} for the clients the firewall cannot NAT.
     */
    public List<PortBinding> reserve(String owner, String ownerName, List<PortSpec> specs, InetAddress defaultHost,
                              Target target) {
        List<Held> taken = new ArrayList<>();
        try {
            for (PortSpec spec : specs) {
                InetAddress ip = spec.hostIp() != null ? spec.hostIp() : defaultHost;
                for (int i = 0; i < spec.count(); i++) {
                    int host = spec.hostPort() == 0 ? 0 : spec.hostPort() + i;
                    taken.add(bind(owner, spec.protocol(), ip, host, spec.containerPort() + i, ownerName, target));
                }
            }
        } catch (RuntimeException e) {
            taken.forEach(this::close);
            throw e;
        }
        synchronized (this) {
            byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(taken);
        }
        return taken.stream().map(Held::binding).toList();
    }

    /** Reserves exactly {@code bindings} again (after a restart), relayed to {@code target} as by {@link #reserve}. */
    public List<PortBinding> restore(String owner, String ownerName, List<PortBinding> bindings, Target target) {
        List<Held> taken = new ArrayList<>();
        try {
            for (PortBinding b : bindings) {
                taken.add(bind(owner, b.protocol(), b.hostIp(), b.hostPort(), b.containerPort(), ownerName, target));
            }
        } catch (RuntimeException e) {
            taken.forEach(this::close);
            throw e;
        }
        synchronized (this) {
            byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(taken);
        }
        return bindings;
    }

    /** Releases every port of {@code owner}; its relayed flows end at once and the ports are free on return. */
    public void release(String owner) {
        List<Held> held;
        synchronized (this) {
            held = byOwner.remove(owner);
        }
        if (held != null) {
            held.forEach(this::close);
        }
    }

    /**
     * Closes every reservation's socket and stops the proxy's thread, without forgetting the
     * records (the runtime stops: a restarted runtime reserves the same ports again from its records).
     */
    public void closeAll() {
        List<Held> all = new ArrayList<>();
        synchronized (this) {
            byOwner.values().forEach(all::addAll);
            byOwner.clear();
            holders.clear();
        }
        all.forEach(this::close);
        proxy.close();
    }

    private Held bind(String owner, String protocol, InetAddress ip, int port, int containerPort, String ownerName,
                      Target target) {
        if (protocol.equals("sctp")) {
            if (port == 0) {
                throw new WeftException.InvalidRequest("an SCTP host port must be given: this kernel has no SCTP sockets "
                        + "to pick a free one with");
            }
            String key = "sctp/" + port;
            synchronized (this) {
                String other = holders.putIfAbsent(key, ownerName);
                if (other != null) {
                    throw new WeftException.Conflict("host port " + port + "/sctp is already published by " + other);
                }
            }
            return new Held(new PortBinding(protocol, ip, port, containerPort), () -> {
                synchronized (this) {
                    holders.remove(key);
                }
            });
        }
        int heldPort;
        AutoCloseable held;
        InetSocketAddress relayTo = target.socket(containerPort);
        try {
            if (relayTo != null && !(ip instanceof Inet4Address)) {
                PortProxy.Port p = proxy.open(protocol, ip, port);
                p.relayTo(relayTo);
                heldPort = p.port();
                held = p;
            } else {
                PortReservation r = kernel.reservePort(protocol, ip, port);
                heldPort = r.port();
                held = r;
            }
        } catch (KernelException e) {
            throw notFree(protocol, ip, port, e.errnoName());
        } catch (BindException e) {
            throw notFree(protocol, ip, port, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw new WeftException.Conflict("host port " + describe(protocol, ip, port) + " cannot be held: "
                    + e.getMessage());
        }
        String key = protocol + "/" + heldPort;
        synchronized (this) {
            holders.put(key, ownerName);
        }
        return new Held(new PortBinding(protocol, ip, heldPort, containerPort), () -> {
            synchronized (this) {
                holders.remove(key, ownerName);
            }
            try {
                held.close();
            } catch (Exception e) {
                throw new IOException("cannot release host port " + describe(protocol, ip, heldPort) + ": " + e, e);
            }
        });
    }

    private WeftException notFree(String protocol, InetAddress ip, int port, String why) {
        String who;
        synchronized (this) {
            who = holders.get(protocol + "/" + port);
        }
        return new WeftException.Conflict("host port " + describe(protocol, ip, port) + " is not free: "
                + (who != null ? "published by " + who : "a host process holds it (" + why + ")")
                + "; choose another host port or omit it to get a free one");
    }

    private static String describe(String protocol, InetAddress ip, int port) {
        String h = ip == null ? "" : IpAddresses.format(ip);
        return (ip == null ? "" : (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":") + port + "/" + protocol;
    }

    private void close(Held h) {
        try {
            h.socket().close();
        } catch (IOException ignored) {
            // the reservation is gone either way
        }
    }
}
