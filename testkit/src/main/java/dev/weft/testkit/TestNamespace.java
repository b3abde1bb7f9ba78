package dev.weft.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A named network namespace under /run/netns (so {@code ip netns exec NAME …} works while
 * debugging a test). Commands run with iproute2; Java code runs inside through {@link #call}.
 * Sockets and processes the namespace hands out are remembered and released when its
 * {@link TestHost} closes: an open socket would keep a deleted namespace alive.
 */
public class TestNamespace {
    private static final Path NETNS_DIR = Path.of("/run/netns");
    private static final Pattern LINK_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Duration CONNECT_TIMEOUT = TcpConnection.TIMEOUT;

    private final String name;
    private final List<AutoCloseable> sockets = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Set<String> interfaceNames = new HashSet<>();

    TestNamespace(String name) {
        this.name = name;
    }

    public final String name() {
        return name;
    }

    public final Path path() {
        return NETNS_DIR.resolve(name);
    }

    /** Runs {@code ip -n NAME args…} and returns its stdout; throws with command, exit code and stderr on failure. */
    public final String ip(String... args) {
        return tryIp(args).stdoutOrThrow();
    }

    /** Like {@link #ip} but returns the result instead of throwing, for commands expected to fail. */
    public final CommandResult tryIp(String... args) {
        return Commands.run(prepend(List.of("ip", "-n", name), args));
    }

    /** Runs a command inside the namespace ({@code ip netns exec}) and returns its stdout; throws on failure. */
    public final String exec(String... command) {
        return tryExec(command).stdoutOrThrow();
    }

    /** Like {@link #exec} but returns the result; fails at once, naming its package, when the program is missing. */
    public final CommandResult tryExec(String... command) {
        Tools.require(command[0]);
        return Commands.run(prepend(List.of("ip", "netns", "exec", name), command));
    }

    /**
     * Starts a long-running command inside the namespace (a socat relay, say). Its stdout and
     * stderr are merged into {@link Process#getInputStream()}; read it or keep the output small.
     * The owning {@link TestHost} kills it (and its children) on close.
     */
    public final Process spawn(String... command) {
        Tools.require(command[0]);
        try {
            Process process = new ProcessBuilder(prepend(List.of("ip", "netns", "exec", name), command))
                    .redirectErrorStream(true).redirectInput(Commands.NO_INPUT).start();
            synchronized (processes) {
                processes.add(process);
            }
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("netns " + name + ": cannot start " + String.join(" ", command), e);
        }
    }

    /** Sets a sysctl of this namespace, e.g. {@code sysctl("net.ipv4.ip_forward", "1")}. */
    public final void sysctl(String key, String value) {
        Path file = sysctlFile(key);
        call(() -> Files.writeString(file, value));
    }

    public final String sysctl(String key) {
        Path file = sysctlFile(key);
        return call(() -> Files.readString(file).strip());
    }

    /**
     * Runs code on a fresh platform thread that has entered this namespace, and waits for it.
     * The thread ends afterwards, so no pooled thread is ever left inside a namespace. Sockets
     * created inside stay in this namespace whichever thread uses them later. Checked exceptions
     * come back wrapped (IOException as UncheckedIOException); errors and runtime exceptions as they are.
     */
    public final <T> T call(Callable<T> work) {
        try {
            return NamespaceThread.call(name, path(), work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("in netns " + name + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("in netns " + name + ": " + e, e);
        }
    }

    /**
     * Creates a veth pair: {@code localName} in this namespace, {@code otherName} in {@code other},
     * both up, each given its address (null for none; IPv6 without duplicate address detection).
     */
    public final void link(String localName, String localCidr, TestNamespace other, String otherName, String otherCidr) {
        requireLinkName(localName);
        requireLinkName(otherName);
        ip("link", "add", localName, "type", "veth", "peer", "name", otherName, "netns", other.name());
        claimInterfaceName(localName);
        other.claimInterfaceName(otherName);
        ip("link", "set", localName, "up");
        other.ip("link", "set", otherName, "up");
        if (localCidr != null) {
            addAddress(localName, localCidr);
        }
        if (otherCidr != null) {
            other.addAddress(otherName, otherCidr);
        }
    }

    /** Adds an address to a link here; IPv6 with {@code nodad} so it is usable at once. */
    public final void addAddress(String linkName, String cidr) {
        if (Addresses.isIpv6(cidr)) {
            ip("addr", "add", cidr, "dev", linkName, "nodad");
        } else {
            ip("addr", "add", cidr, "dev", linkName);
        }
    }

    // ---- Traffic. Sockets are created inside the namespace and closed when the host closes.

    /** Listens on all addresses, IPv4 and IPv6 (a dual-stack {@code ::} socket). */
    public final TcpListener listenTcp(int port) {
        return listenTcp(new InetSocketAddress(port));
    }

    public final TcpListener listenTcp(String bindAddress, int port) {
        return listenTcp(new InetSocketAddress(Addresses.parse(bindAddress), port));
    }

    public final TcpConnection connectTcp(String address, int port) {
        InetSocketAddress target = new InetSocketAddress(Addresses.parse(address), port);
        try {
            Socket socket = callIo(() -> connected(target, CONNECT_TIMEOUT));
            return remember(new TcpConnection(name, socket));
        } catch (IOException e) {
            throw new AssertionError("netns " + name + ": cannot connect to " + new Endpoint(address, port)
                    + ": " + e, e);
        }
    }

    /** True when a TCP handshake completes in time; false on refused, timeout or unreachable. */
    public final boolean canConnectTcp(String address, int port, Duration timeout) {
        InetSocketAddress target = new InetSocketAddress(Addresses.parse(address), port);
        try {
            callIo(() -> connected(target, timeout)).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public final UdpListener listenUdp(int port) {
        return listenUdp(new InetSocketAddress(port));
    }

    public final UdpListener listenUdp(String bindAddress, int port) {
        return listenUdp(new InetSocketAddress(Addresses.parse(bindAddress), port));
    }

    /** Sends one datagram from an ephemeral port. */
    public final void sendUdp(String address, int port, String payload) {
        try (UdpSender sender = udpSender(0)) {
            sender.send(address, port, payload);
        }
    }

    /** A UDP socket bound to {@code localPort} (0: any) so several datagrams share one 5-tuple. */
    public final UdpSender udpSender(int localPort) {
        try {
            return remember(new UdpSender(name, callIo(() -> new DatagramSocket(localPort))));
        } catch (IOException e) {
            throw new UncheckedIOException("netns " + name + ": cannot bind UDP port " + localPort + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- Package-private plumbing for TestHost and TestBridge.

    /** The next free ethN name here; claims it. */
    final String nextInterfaceName() {
        synchronized (interfaceNames) {
            for (int i = 0; ; i++) {
                if (interfaceNames.add("eth" + i)) {
                    return "eth" + i;
                }
            }
        }
    }

    final boolean hasInterfaces() {
        synchronized (interfaceNames) {
            return !interfaceNames.isEmpty();
        }
    }

    final void claimInterfaceName(String linkName) {
        synchronized (interfaceNames) {
            interfaceNames.add(linkName);
        }
    }

    static String requireLinkName(String linkName) {
        if (!LINK_NAME.matcher(linkName).matches()) {
            throw new IllegalArgumentException("bad link name '" + linkName
                    + "': Linux link names are 1 to 15 characters (letters, digits, '_', '.', '-')");
        }
        return linkName;
    }

    /**
     * Creates the namespace with lo up and IPv4 forwarding off. A new namespace inherits IPv4
     * settings such as ip_forward from the machine's (net.core.devconf_inherit_init_net = 0), which
     * Docker or a Weft on the machine set to 1: tests start from the value the kit sets instead.
     */
    final void createNamespace() {
        Commands.runOrThrow(List.of("ip", "netns", "add", name));
        ip("link", "set", "lo", "up");
        sysctl("net.ipv4.ip_forward", "0");
    }

    /** Closes sockets and kills processes handed out here; failures are collected, not thrown. */
    final void releaseResources(List<Throwable> failures) {
        List<AutoCloseable> toClose;
        synchronized (sockets) {
            toClose = new ArrayList<>(sockets);
            sockets.clear();
        }
        for (AutoCloseable socket : toClose) {
            try {
                socket.close();
            } catch (Exception e) {
                failures.add(new IllegalStateException("netns " + name + ": cannot close " + socket, e));
            }
        }
        List<Process> toKill;
        synchronized (processes) {
            toKill = new ArrayList<>(processes);
            processes.clear();
        }
        for (Process process : toKill) {
            kill(process, failures);
        }
    }

    /** Deletes the namespace if it exists; the kernel then destroys its links. */
    final void delete(List<Throwable> failures) {
        if (!Files.exists(path())) {
            return; // never created, or already gone: nothing to undo
        }
        CommandResult result = Commands.run(List.of("ip", "netns", "del", name));
        if (!result.succeeded()) {
            failures.add(new IllegalStateException(result.describe()));
        }
    }

    private void kill(Process process, List<Throwable> failures) {
        // Only our own process and its children: ip netns exec execs the command, so the PID is the command.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                failures.add(new IllegalStateException("netns " + name + ": process " + process.pid() + " did not die"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add(e);
        }
    }

    private TcpListener listenTcp(InetSocketAddress bindTo) {
        try {
            ServerSocket server = callIo(() -> {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(true);
                try {
                    socket.bind(bindTo);
                } catch (IOException e) {
                    socket.close();
                    throw e;
                }
                return socket;
            });
            return remember(new TcpListener(name, server));
        } catch (IOException e) {
            throw new UncheckedIOException("netns " + name + ": cannot listen on TCP " + bindTo + ": " + e.getMessage(), e);
        }
    }

    private UdpListener listenUdp(InetSocketAddress bindTo) {
        try {
            return remember(new UdpListener(name, callIo(() -> new DatagramSocket(bindTo))));
        } catch (IOException e) {
            throw new UncheckedIOException("netns " + name + ": cannot listen on UDP " + bindTo + ": " + e.getMessage(), e);
        }
    }

    private static Socket connected(InetSocketAddress target, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(target, (int) Math.max(1, timeout.toMillis()));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T remember(T socket) {
        synchronized (sockets) {
            sockets.add(socket);
        }
        return socket;
    }

    private <T> T callIo(Callable<T> work) throws IOException {
        try {
            return NamespaceThread.call(name, path(), work);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("in netns " + name + ": " + e, e);
        }
    }

    private static Path sysctlFile(String key) {
        // Like sysctl(8): dots separate levels unless the key uses slashes (for names such as eth0.1).
        return Path.of("/proc/sys", key.contains("/") ? key : key.replace('.', '/'));
    }

    private static List<String> prepend(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
