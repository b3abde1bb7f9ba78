package dev.weft.dns;

import dev.weft.api.Controller;
import dev.weft.api.DnsSettings;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.driver.bridge.BridgeDriver;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.PerTestFixture;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A controller ({@link Standalone}) with the bridge driver and the DNS server on a throwaway host
 * namespace. Sandboxes' resolver files go to {@code /etc/netns} (so {@code ip netns exec NAME
 * getent hosts …} uses them); the host's resolv.conf is a private file naming a stand-in upstream
 * on the host namespace's loopback (127.0.0.53). {@link #close()} removes the sandboxes, stops the
 * server and removes the host, also after a failure.
 */
final class DnsFixture implements AutoCloseable {
    static final String TABLE = "weft";
    final TestHost host;
    final Path dir;
    final Path resolvConf;
    final DriverContext.FirewallMode mode;
    DnsConfig config;
    Standalone runtime;
    BridgeDriver driver;
    DnsServer server;

    abstract static class PerTest extends PerTestFixture<DnsFixture> {
        @Override
        protected DnsFixture open() throws IOException {
            return new DnsFixture(DnsConfig.defaults().withUpstreamTimeoutMillis(400));
        }
    }

    DnsFixture(DnsConfig config) throws IOException {
        this(config, DriverContext.FirewallMode.NFTABLES);
    }

    DnsFixture(DnsConfig config, DriverContext.FirewallMode mode) throws IOException {
        this.mode = mode;
        this.config = config;
        host = TestHost.create();
        try {
            dir = Files.createTempDirectory("weft-dns-test-");
            resolvConf = dir.resolve("resolv.conf");
            Files.writeString(resolvConf, "nameserver 127.0.0.53\n");
            startRuntime();
            startServer();
        } catch (RuntimeException | IOException e) {
            host.close();
            throw e;
        }
    }

    private void startRuntime() {
        startRuntimeWithoutDriver();
        addDriver();
    }

    /** Whether /etc/netns was there before this fixture (core creates it for a sandbox's files). */
    private final boolean etcNetnsExisted = Files.isDirectory(Path.of("/etc/netns"));

    private void startRuntimeWithoutDriver() {
        runtime = Standalone.builder().hostNamespace(host.path()).directories(dir).etcNetns(Path.of("/etc/netns"))
                .resolvConf(resolvConf).build();
    }

    private void addDriver() {
        driver = new BridgeDriver(runtime.driverContext("test", "wt", TABLE, mode, 0,
                Map.of(BridgeDriver.DEFAULT_SUBNET_SETTING, "none")), runtime.kernel());
        runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "0.1.0", driver);
    }

    /**
     * As a restart after kill -9: controller, driver and server dropped (kernel state stays, except
     * the server's sockets, which die with a process; {@code beforeStart} may leave what a killed
     * server would), then new ones on the same directories.
     */
    void restart(Runnable beforeStart) {
        stopAll();
        beforeStart.run();
        startRuntime();
        startServer();
    }

    /** As {@link #restart}, the DNS server subscribing before the bridge driver is there (a bundle start order). */
    void restartServerFirst(Runnable beforeDriver) {
        restartServerFirst(() -> { }, beforeDriver);
    }

    void restartServerFirst(Runnable beforeServer, Runnable beforeDriver) {
        stopAll();
        beforeServer.run();
        startRuntimeWithoutDriver();
        startServer();
        beforeDriver.run();
        addDriver();
    }

    private void stopAll() {
        runtime.removeListener(server);
        server.close();
        server = null;
        driver.close();
        runtime.close();
        runtime = null;
    }

    DriverContext dnsContext() {
        return runtime.driverContext("test", "wt", TABLE, mode, 0, Map.of());
    }

    void startServer() {
        server = new DnsServer(runtime.controller(), runtime.kernel(), dnsContext(), config);
        runtime.addListener(server);
    }

    /** As uninstalling the bundle does: the listener goes, then the server closes. */
    void stopServer() {
        runtime.removeListener(server);
        server.close();
        server = null;
    }

    Controller controller() {
        return runtime.controller();
    }

    NetworkInfo network(String name, String subnet) {
        return network(name, List.of(subnet), false, false);
    }

    NetworkInfo network(String name, List<String> subnets, boolean ipv6, boolean internal) {
        return controller().createNetwork(new NetworkSpec(name, BridgeDriver.NAME,
                subnets.stream().map(s -> SubnetSpec.of(IpPrefix.parse(s))).toList(), ipv6, internal, Map.of(), Map.of()));
    }

    TestSandbox sandbox(String shortName, String network, String... aliases) {
        return sandbox(new SandboxSpec(host.namespaceName(shortName), network,
                new EndpointSpec(null, null, List.of(aliases), List.of()), null), shortName);
    }

    TestSandbox sandbox(SandboxSpec spec, String shortName) {
        controller().createSandbox(spec);
        return host.adopt(shortName);
    }

    SandboxSpec spec(String shortName, String network, String... aliases) {
        return new SandboxSpec(host.namespaceName(shortName), network,
                new EndpointSpec(null, null, List.of(aliases), List.of()), null);
    }

    static DnsSettings dns(String... servers) {
        return new DnsSettings(Arrays.stream(servers).map(DnsFixture::address).toList(), List.of(), List.of());
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    EndpointInfo endpoint(TestSandbox sandbox, String network) {
        SandboxInfo s = controller().sandbox(sandbox.name()).orElseThrow();
        return s.endpoints().stream().filter(e -> e.network().equals(network)).findFirst().orElseThrow();
    }

    String ipv4(TestSandbox sandbox, String network) {
        return IpAddresses.format(endpoint(sandbox, network).ipv4().address());
    }

    String ipv6(TestSandbox sandbox, String network) {
        return IpAddresses.format(endpoint(sandbox, network).ipv6().address());
    }

    String gateway(String network) {
        return IpAddresses.format(controller().hostGateways(network).get(0));
    }

    /** {@code getent ARGS} inside the sandbox's namespace: its stdout, or "" when it failed. */
    static String getent(TestSandbox sandbox, String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "getent";
        System.arraycopy(args, 0, cmd, 1, args.length);
        var r = sandbox.tryExec(cmd);
        return r.succeeded() ? r.stdout().strip() : "";
    }

    /** A question for {@code name}. */
    static Message question(String name, int type) {
        try {
            return Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
        } catch (IOException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    /**
     * Sends {@code query} over UDP from inside {@code from}'s namespace to {@code server}:53 and
     * returns the answer, or null when none came within {@code waitMillis}. The socket lives for
     * this call only.
     */
    static Message udp(TestSandbox from, String server, Message query, int waitMillis) {
        byte[] wire = query.toWire();
        return from.call(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(waitMillis);
                s.send(new DatagramPacket(wire, wire.length, new InetSocketAddress(server, 53)));
                byte[] buf = new byte[65535];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                return new Message(Arrays.copyOf(buf, p.getLength()));
            } catch (SocketTimeoutException e) {
                return null;
            }
        });
    }

    static Message udp(TestSandbox from, String server, String name, int type) {
        return udp(from, server, question(name, type), 2000);
    }

    /** As {@link #udp} over TCP; null when the connection failed or closed without an answer. */
    static Message tcp(TestSandbox from, String server, Message query, int waitMillis) {
        byte[] wire = query.toWire();
        return from.call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(server, 53), waitMillis);
                s.setSoTimeout(waitMillis);
                OutputStream out = s.getOutputStream();
                out.write(new byte[] {(byte) (wire.length >> 8), (byte) wire.length});
                out.write(wire);
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                return new Message(answer);
            } catch (IOException e) {
                return null;
            }
        });
    }

    /** The answer section's data, e.g. addresses. */
    static List<String> data(Message m) {
        List<String> out = new ArrayList<>();
        if (m != null) {
            for (Record r : m.getSection(Section.ANSWER)) {
                if (r instanceof org.xbill.DNS.ARecord a) {
                    out.add(IpAddresses.format(a.getAddress()));
                } else if (r instanceof org.xbill.DNS.AAAARecord a) {
                    out.add(IpAddresses.format(a.getAddress()));
                } else {
                    out.add(r.rdataToString());
                }
            }
        }
        return out;
    }

    String nft(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "nft";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return host.exec(cmd);
    }

    @Override
    public void close() throws IOException {
        try {
            if (runtime != null) {
                for (SandboxInfo s : controller().sandboxes()) {
                    try {
                        controller().removeSandbox(s.name(), true);
                    } catch (RuntimeException e) {
                        // the host's close removes the namespace anyway
                    }
                }
                runtime.awaitRemovals();
                if (server != null) {
                    stopServer();
                }
                driver.drain();
                driver.close();
                runtime.close();
            }
        } finally {
            try {
                host.close();
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                try (Stream<Path> s = Files.list(Path.of("/etc/netns"))) {
                    s.filter(p -> p.getFileName().toString().startsWith(host.name() + "-")).forEach(DnsFixture::deleteTree);
                } catch (IOException e) {
                    // no /etc/netns at all
                }
                if (!etcNetnsExisted) { // core made it for the first sandbox: left empty, it goes as it came
                    try {
                        Files.deleteIfExists(Path.of("/etc/netns"));
                    } catch (IOException e) {
                        // not empty: someone else's files are there now
                    }
                }
            }
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
