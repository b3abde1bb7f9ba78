package dev.weft.linux;

import dev.weft.linux.internal.NamespaceRunner;
import dev.weft.linux.internal.Netlink;
import dev.weft.linux.internal.NetlinkSocket;
import dev.weft.net.NetNamespace;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * The entry point to the kernel for one runtime instance: the configured host namespace (where
 * bridges, host-side veth ends, the firewall table and port reservations live), named sandbox
 * namespaces, and work inside them. Sockets are cached for the host namespace only; a sandbox's
 * socket lives for one unit of work ({@link #inNamespace}).
 */
public final class Kernel implements AutoCloseable {
    private final KernelConfig config;
    private final NamespaceRunner runner = new NamespaceRunner();
    private final Namespaces namespaces;
    private final NetNamespace host;
    private final Rtnetlink hostRtnl;
    private final Nftables nftables;
    private final Conntrack conntrack;

    private Kernel(KernelConfig config) {
        this.config = config;
        this.namespaces = new Namespaces(config.namespaceDirectory(), runner);
        Path hostPath = config.hostNamespace() != null ? config.hostNamespace()
                : Path.of("/proc/" + ProcessHandle.current().pid() + "/ns/net");
        this.host = config.hostNamespace() != null ? namespaces.adopt(hostPath) : NetNamespace.at(null, hostPath);
        this.hostRtnl = new Rtnetlink(runner.call(host, () -> NetlinkSocket.open(Netlink.NETLINK_ROUTE)), true);
        this.nftables = new Nftables(host, runner, config.nftCommand());
        this.conntrack = new Conntrack(host, runner);
    }

    /** Opens the kernel layer for {@code config}; the host namespace must exist. */
    public static Kernel open(KernelConfig config) {
        return new Kernel(config);
    }

    public KernelConfig config() {
        return config;
    }

    /** The namespace that plays "the host". */
    public NetNamespace hostNamespace() {
        return host;
    }

    /**
     * Threads that live in the host namespace, for a library that opens its sockets on threads of its
     * own (an HTTP client: the cluster store's etcd client). Each enters the namespace before it runs
     * anything; in the machine's own namespace they are plain threads. Daemon threads.
     */
    public java.util.concurrent.ThreadFactory hostThreads(String name) {
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        boolean own = config.hostNamespace() == null;
        return work -> {
            Thread t = new Thread(() -> {
                if (!own) {
                    dev.weft.linux.internal.NamespaceRunner.enterCurrent(host);
                }
                work.run();
            }, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Links, addresses and routes of the host namespace (cached socket, thread-safe). */
    public Rtnetlink host() {
        return hostRtnl;
    }

    public Namespaces namespaces() {
        return namespaces;
    }

    /** Weft's nf_tables tables in the host namespace. */
    public Nftables nftables() {
        return nftables;
    }

    /** The host namespace's connection tracking table. */
    public Conntrack conntrack() {
        return conntrack;
    }

    /**
     * Runs {@code work} with an rtnetlink handle on {@code ns}; the socket is opened in the
     * namespace for this call and closed after it, so nothing keeps the namespace alive. The work
     * itself runs on the calling thread (a netlink socket keeps its namespace whichever thread
     * uses it).
     */
    public <T> T inNamespace(NetNamespace ns, Function<Rtnetlink, T> work) {
        if (ns.sameAs(host)) {
            return work.apply(hostRtnl);
        }
        try (Rtnetlink rt = new Rtnetlink(runner.call(ns, () -> NetlinkSocket.open(Netlink.NETLINK_ROUTE)), true)) {
            return work.apply(rt);
        }
    }

    /**
     * As {@link #inNamespace(NetNamespace, Function)}, first writing {@code sysctls} (per-namespace
     * {@code net.*} keys, in the map's order) inside {@code ns} on the same trip into it that opens
     * the socket: no extra thread hop. A failed write opens no socket and runs no work.
     */
    public <T> T inNamespace(NetNamespace ns, Map<String, String> sysctls, Function<Rtnetlink, T> work) {
        sysctls.keySet().forEach(Namespaces::sysctlPath); // a bad key fails before entering the namespace
        if (ns.sameAs(host)) {
            sysctls.forEach((k, v) -> namespaces.setSysctl(host, k, v));
            return work.apply(hostRtnl);
        }
        try (Rtnetlink rt = new Rtnetlink(runner.call(ns, () -> {
            sysctls.forEach((k, v) -> Namespaces.writeSysctl(ns, k, v));
            return NetlinkSocket.open(Netlink.NETLINK_ROUTE);
        }), true)) {
            return work.apply(rt);
        }
    }

    /**
     * Holds a host port in the host namespace with a bound, non-listening socket (see
     * {@link PortReservation}); port 0 asks the kernel for a free one.
     */
    public PortReservation reservePort(String protocol, java.net.InetAddress address, int port) {
        return runner.call(host, () -> PortReservation.bind(protocol, address, port));
    }

    /** Sets a sysctl in the host namespace. */
    public void setHostSysctl(String key, String value) {
        namespaces.setSysctl(host, key, value);
    }

    @Override
    public void close() {
        conntrack.close();
        nftables.close();
        hostRtnl.close();
        runner.close();
    }
}
