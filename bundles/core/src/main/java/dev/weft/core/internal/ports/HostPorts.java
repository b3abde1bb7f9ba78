package dev.weft.core.internal.ports;

import dev.weft.api.PortBinding;
import dev.weft.api.PortSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host-port allocator every port-publishing driver shares (the allocator of
 * {@link dev.weft.spi.PortMapper}'s contract): it reserves, picks and releases host ports; it maps
 * nothing. Each tcp/udp host port is reserved by a socket in the host namespace that stays open: a
 * host process cannot silently take the port, and a port a host process already holds is refused.
 * Port 0 gets a free port the same way (the kernel picks it). SCTP ports (no SCTP sockets on every
 * kernel) are reserved in memory. Reservations belong to an owner (an endpoint id) and are
 * released together.
 *
 * <p>How a port is held is a {@link Holder}'s business, the first of the list that
 * {@linkplain Holder#holds holds} the binding: in the runtime, {@link RelayMapper} for tcp/udp on
 * every address or on an IPv6 address (a listening socket the relay answers: IPv6 has no
 * {@code route_localnet}, so {@code [::1]} can only be served there, and its clients are reset
 * until a driver maps the port), then {@link BoundPorts} for the rest (bound and not listening:
 * what reaches it, with no NAT rule in force, is refused at once). The allocator itself touches no
 * kernel, so its rules are unit-tested without root.
 */
public final class HostPorts {
    private final List<Holder> holders;
    private final Map<String, List<Reserved>> byOwner = new HashMap<>();
    /** protocol/port → owner, for SCTP and for messages naming who holds a port. */
    private final Map<String, String> owners = new HashMap<>();

    /** One way of holding tcp/udp host ports. */
    public interface Holder {
        /** Whether this holder holds {@code protocol} ports on {@code address} (null: every address). */
        boolean holds(String protocol, InetAddress address);

        /**
         * Holds {@code port} (0: a free one, which the kernel picks) on {@code address} (null: every
         * address, IPv4 and IPv6) until the returned port is closed.
         *
         * @throws BindException when something holds the port (its message says what the kernel said)
         * @throws IOException   when no socket could be made
         */
        Held hold(String protocol, InetAddress address, int port) throws IOException;
    }

    /** A held host port; closing it frees the port at once. */
    public interface Held extends AutoCloseable {
        /** The port held (the kernel's pick when 0 was asked for). */
        int port();

        @Override
        void close();
    }

    private record Reserved(PortBinding binding, Runnable release) {}

    /** @param holders the ways of holding ports, in the order they are asked */
    public HostPorts(List<Holder> holders) {
        this.holders = List.copyOf(holders);
    }

    /**
     * Reserves host ports for {@code specs} (each range expanded port by port), all or none.
     * {@code ownerName} names the owner in conflict messages. A spec without a host address is
     * bound on {@code defaultHost} when it is given (the network's default host address: the
     * returned bindings carry it), else on every address.
     */
    public List<PortBinding> reserve(String owner, String ownerName, List<PortSpec> specs, InetAddress defaultHost) {
        List<Reserved> taken = new ArrayList<>();
        try {
            for (PortSpec spec : specs) {
                InetAddress ip = spec.hostIp() != null ? spec.hostIp() : defaultHost;
                for (int i = 0; i < spec.count(); i++) {
                    int host = spec.hostPort() == 0 ? 0 : spec.hostPort() + i;
                    taken.add(bind(spec.protocol(), ip, host, spec.containerPort() + i, ownerName));
                }
            }
        } catch (RuntimeException e) {
            taken.forEach(r -> r.release().run());
            throw e;
        }
        synchronized (this) {
            byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(taken);
        }
        return taken.stream().map(Reserved::binding).toList();
    }

    /**
     * The bindings of {@code specs} (each range expanded port by port) for a network that uses no
     * host ports ({@link dev.weft.spi.ExternalConnectivity#usesHostPorts}): host port 0 and no
     * host address, nothing reserved.
     */
    public static List<PortBinding> withoutHostPorts(List<PortSpec> specs) {
        List<PortBinding> out = new ArrayList<>();
        for (PortSpec spec : specs) {
            for (int i = 0; i < spec.count(); i++) {
                PortBinding b = new PortBinding(spec.protocol(), null, 0, spec.containerPort() + i);
                if (!out.contains(b)) {
                    out.add(b);
                }
            }
        }
        return out;
    }

    /**
     * Reserves exactly {@code bindings} again (after a restart), all or none; a binding with host
     * port 0 is one that never had a host port ({@link #withoutHostPorts}) and is skipped.
     */
    public List<PortBinding> restore(String owner, String ownerName, List<PortBinding> bindings) {
        List<Reserved> taken = new ArrayList<>();
        try {
            for (PortBinding b : bindings) {
                if (b.hostPort() != 0) {
                    taken.add(bind(b.protocol(), b.hostIp(), b.hostPort(), b.containerPort(), ownerName));
                }
            }
        } catch (RuntimeException e) {
            taken.forEach(r -> r.release().run());
            throw e;
        }
        synchronized (this) {
            byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(taken);
        }
        return bindings;
    }

    /** Releases every port of {@code owner}; the ports are free on return. */
    public void release(String owner) {
        List<Reserved> held;
        synchronized (this) {
            held = byOwner.remove(owner);
        }
        if (held != null) {
            held.forEach(r -> r.release().run());
        }
    }

    /**
     * Closes every reservation's socket without forgetting the records (the runtime stops: a
     * restarted runtime reserves the same ports again from its records).
     */
    public void closeAll() {
        List<Reserved> all = new ArrayList<>();
        synchronized (this) {
            byOwner.values().forEach(all::addAll);
            byOwner.clear();
            owners.clear();
        }
        all.forEach(r -> r.release().run());
    }

    private Reserved bind(String protocol, InetAddress ip, int port, int containerPort, String ownerName) {
        if (protocol.equals("sctp")) {
            return bindSctp(ip, port, containerPort, ownerName);
        }
        Holder holder = holders.stream().filter(h -> h.holds(protocol, ip)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no way to hold " + describe(protocol, ip, port)));
        Held held;
        try {
            held = holder.hold(protocol, ip, port);
        } catch (BindException e) {
            throw notFree(protocol, ip, port, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw new WeftException.Conflict("host port " + describe(protocol, ip, port) + " cannot be held: "
                    + e.getMessage());
        }
        String key = protocol + "/" + held.port();
        synchronized (this) {
            owners.put(key, ownerName);
        }
        return new Reserved(new PortBinding(protocol, ip, held.port(), containerPort), () -> {
            synchronized (this) {
                owners.remove(key, ownerName);
            }
            try {
                held.close();
            } catch (RuntimeException ignored) {
                // the reservation is gone either way
            }
        });
    }

    private Reserved bindSctp(InetAddress ip, int port, int containerPort, String ownerName) {
        if (port == 0) {
            throw new WeftException.InvalidRequest("an SCTP host port must be given: this kernel has no SCTP sockets "
                    + "to pick a free one with");
        }
        String key = "sctp/" + port;
        synchronized (this) {
            String other = owners.putIfAbsent(key, ownerName);
            if (other != null) {
                throw new WeftException.Conflict("host port " + port + "/sctp is already published by " + other);
            }
        }
        return new Reserved(new PortBinding("sctp", ip, port, containerPort), () -> {
            synchronized (this) {
                owners.remove(key);
            }
        });
    }

    private WeftException notFree(String protocol, InetAddress ip, int port, String why) {
        String who;
        synchronized (this) {
            who = owners.get(protocol + "/" + port);
        }
        return new WeftException.Conflict("host port " + describe(protocol, ip, port) + " is not free: "
                + (who != null ? "published by " + who : "a host process holds it (" + why + ")")
                + "; choose another host port or omit it to get a free one");
    }

    static String describe(String protocol, InetAddress ip, int port) {
        String h = ip == null ? "" : IpAddresses.format(ip);
        return (ip == null ? "" : (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":") + port + "/" + protocol;
    }
}
