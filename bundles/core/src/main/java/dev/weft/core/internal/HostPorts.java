package dev.weft.core.internal;

import dev.weft.api.PortBinding;
import dev.weft.api.PortSpec;
import dev.weft.api.WeftException;
import dev.weft.linux.IpAddresses;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.PortReservation;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host-port allocator every port-publishing driver shares. Each tcp/udp host port is reserved by
 * binding a socket in the host namespace (bound, not listening: a connection that reaches the port
 * itself is refused, not left hanging) and keeping it open: a host process cannot silently take
 * the port, and a port a host process already holds is refused. Port 0 gets a free port the same
 * way (the kernel picks it). SCTP ports (no SCTP sockets on every kernel) are reserved in memory.
 * Reservations belong to an owner (an endpoint id) and are released together.
 */
final class HostPorts {
    private final Kernel kernel;
    private final Map<String, List<Held>> byOwner = new HashMap<>();
    /** protocol/port → owner, for SCTP and for messages naming who holds a port. */
    private final Map<String, String> holders = new HashMap<>();

    private record Held(PortBinding binding, Closeable socket) {}

    HostPorts(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * Reserves host ports for {@code specs} (each range expanded port by port), all or none.
     * {@code ownerName} names the owner in conflict messages.
     */
    List<PortBinding> reserve(String owner, String ownerName, List<PortSpec> specs) {
        List<Held> taken = new ArrayList<>();
        try {
            for (PortSpec spec : specs) {
                for (int i = 0; i < spec.count(); i++) {
                    int host = spec.hostPort() == 0 ? 0 : spec.hostPort() + i;
                    taken.add(bind(owner, spec.protocol(), spec.hostIp(), host, spec.containerPort() + i, ownerName));
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

    /** Reserves exactly {@code bindings} again (after a restart). */
    List<PortBinding> restore(String owner, String ownerName, List<PortBinding> bindings) {
        List<Held> taken = new ArrayList<>();
        try {
            for (PortBinding b : bindings) {
                taken.add(bind(owner, b.protocol(), b.hostIp(), b.hostPort(), b.containerPort(), ownerName));
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

    /** Releases every port of {@code owner}. */
    void release(String owner) {
        List<Held> held;
        synchronized (this) {
            held = byOwner.remove(owner);
        }
        if (held != null) {
            held.forEach(this::close);
        }
    }

    /**
     * Closes every reservation's socket without forgetting the records (the runtime stops: a
     * restarted runtime reserves the same ports again from its records).
     */
    void closeAll() {
        List<Held> all = new ArrayList<>();
        synchronized (this) {
            byOwner.values().forEach(all::addAll);
            byOwner.clear();
            holders.clear();
        }
        all.forEach(this::close);
    }

    private Held bind(String owner, String protocol, InetAddress ip, int port, int containerPort, String ownerName) {
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
        PortReservation held;
        try {
            held = kernel.reservePort(protocol, ip, port);
        } catch (KernelException e) {
            String who;
            synchronized (this) {
                who = holders.get(protocol + "/" + port);
            }
            String addr = (ip == null ? "" : IpAddresses.format(ip) + ":") + port + "/" + protocol;
            throw new WeftException.Conflict("host port " + addr + " is not free: "
                    + (who != null ? "published by " + who : "a host process holds it (" + e.errnoName() + ")")
                    + "; choose another host port or omit it to get a free one");
        }
        String key = protocol + "/" + held.port();
        synchronized (this) {
            holders.put(key, ownerName);
        }
        return new Held(new PortBinding(protocol, ip, held.port(), containerPort), () -> {
            synchronized (this) {
                holders.remove(key, ownerName);
            }
            held.close();
        });
    }

    private void close(Held h) {
        try {
            h.socket().close();
        } catch (IOException ignored) {
            // the reservation is gone either way
        }
    }
}
