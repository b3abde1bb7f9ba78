package dev.weft.dns;

import static dev.weft.dns.DnsFixture.data;
import static dev.weft.dns.DnsFixture.getent;
import static dev.weft.dns.DnsFixture.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.driver.bridge.BridgeDriver;
import dev.weft.driver.overlay.OverlayDriver;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.MemoryClusterStore;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Names across hosts on an overlay: two "hosts" in one JVM (throwaway host namespaces joined by an
 * underlay bridge), each a {@link Standalone} runtime with the bridge and overlay drivers and a
 * {@link DnsServer}, on one in-memory cluster store. Sandboxes resolve, with the libc resolver and
 * the files core writes in {@code /etc/netns}, the names of the other host's sandboxes on their
 * overlay, and only those.
 */
@ExtendWith(KernelTest.class)
class OverlayNamesKernelTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Test
    void namesOfAnOverlayResolveAcrossHostsAndOnlyOnThatOverlay() throws Exception {
        try (Cluster c = new Cluster()) {
            Host h1 = c.hosts.get(0);
            Host h2 = c.hosts.get(1);
            h1.controller().createNetwork(overlay("ov1"));
            await(() -> h2.controller().network("ov1").isPresent(), "network ov1 made on host 1 arrives on host 2");

            TestSandbox a = h1.sandbox(h1.spec("a", "ov1", "alpha"), "a");
            TestSandbox b = h2.sandbox(h2.spec("b", "ov1").withHostname("bhost"), "b");
            String ipA = h1.ipv4(a, "ov1");
            String ipB = h2.ipv4(b, "ov1");
            String idA = h1.controller().sandbox(a.name()).orElseThrow().id().substring(0, 12);

            // the resolver files: the egress network's gateway, which is where overlay sandboxes reach the host
            String gw2 = IpAddresses.format(h2.controller().hostGateways("ov1").get(0));
            String resolv = b.exec("cat", "/etc/resolv.conf");
            assertTrue(resolv.contains("nameserver " + gw2 + "\n"), "b's resolv.conf names host 2's egress gateway "
                    + gw2 + ": " + resolv);
            assertTrue(resolv.contains("search weft.internal"), "b's resolv.conf searches weft.internal: " + resolv);
            String gw2Net = IpAddresses.format(h2.controller().network("docker_gwbridge").orElseThrow().subnets().get(0)
                    .gateway());
            assertEquals(gw2Net, gw2, "ov1's host gateway on host 2 is docker_gwbridge's gateway");

            // host 2's sandbox resolves host 1's by every name, with and without the search domain
            await(() -> ipA.equals(first(getent(b, "hosts", a.name()))),
                    "b (host 2) resolves a (host 1) by its sandbox name to " + ipA);
            for (String name : List.of(a.name(), a.name() + ".ov1", "alpha", "alpha.ov1", idA,
                    a.name() + ".weft.internal", "alpha.ov1.weft.internal")) {
                assertEquals(ipA, first(getent(b, "hosts", name)), "b (host 2) resolves " + name + " of a (host 1)");
            }
            // and the other way
            await(() -> ipB.equals(first(getent(a, "hosts", b.name()))),
                    "a (host 1) resolves b (host 2) by its sandbox name to " + ipB);
            for (String name : List.of("bhost", b.name() + ".ov1.weft.internal")) {
                assertEquals(ipB, first(getent(a, "hosts", name)), "a (host 1) resolves " + name + " of b (host 2)");
            }
            // reverse: PTR NAME.NETWORK for the other host's address
            String ptr = getent(b, "hosts", ipA);
            assertTrue(ptr.contains(a.name() + ".ov1"), "b's reverse lookup of " + ipA + " names a.ov1: " + ptr);
            String ptrBack = getent(a, "hosts", ipB);
            assertTrue(ptrBack.contains(b.name() + ".ov1"), "a's reverse lookup of " + ipB + " names b.ov1: " + ptrBack);

            // TCP over the overlay to the resolved name
            try (TcpListener l = a.listenTcp(8080)) {
                String resolved = first(getent(b, "hosts", "alpha"));
                assertTrue(b.canConnectTcp(resolved, 8080, Duration.ofSeconds(5)),
                        "b (host 2) connects over the overlay to alpha = " + resolved + ":8080 on host 1");
            }

            // a second overlay shares the egress gateway's sockets on both hosts and sees only its own names
            h2.controller().createNetwork(overlay("ov2"));
            await(() -> h1.controller().network("ov2").isPresent(), "network ov2 made on host 2 arrives on host 1");
            TestSandbox cc = h2.sandbox(h2.spec("c", "ov2"), "c");
            TestSandbox d = h1.sandbox(h1.spec("d", "ov2", "delta"), "d");
            assertEquals(List.of(gw2), h2.controller().hostGateways("ov2").stream().map(IpAddresses::format).toList(),
                    "ov2 is served at the same egress gateway on host 2");
            assertEquals(List.of(gw2), h2.server.servers(h2.controller().network("ov2").orElseThrow().id()).stream()
                    .map(IpAddresses::format).toList(), "ov2 is served (the shared address, no bind conflict)");
            String ipD = h1.ipv4(d, "ov2");
            await(() -> ipD.equals(first(getent(cc, "hosts", "delta"))), "c (host 2, ov2) resolves delta (host 1, ov2)");
            assertEquals("", getent(cc, "hosts", a.name()), "c on ov2 does not resolve a of ov1");
            assertEquals("", getent(cc, "hosts", "alpha"), "c on ov2 does not resolve alpha of ov1");
            assertEquals(Rcode.NXDOMAIN, udp(cc, gw2, "alpha", Type.A).getRcode(), "c's query for ov1's alpha: NXDOMAIN");
            assertEquals(Rcode.NXDOMAIN, udp(cc, gw2, b.name(), Type.A).getRcode(), "c (ov2) does not see b (ov1) of its own host");
            assertEquals("", getent(b, "hosts", "delta"), "b on ov1 does not resolve delta of ov2");
            String ptrOther = getent(cc, "hosts", ipA);
            assertTrue(!ptrOther.contains(a.name()), "c (ov2) gets no reverse name for a's ov1 address: " + ptrOther);

            // the remote sandbox goes: its names go within moments
            h1.controller().removeSandbox(a.name());
            await(() -> udp(b, gw2, "alpha", Type.A).getRcode() == Rcode.NXDOMAIN,
                    "after a's removal on host 1, alpha is NXDOMAIN for b on host 2");
            assertEquals(Rcode.NXDOMAIN, udp(b, gw2, a.name(), Type.A).getRcode(), "a's sandbox name is gone too");
            assertEquals("", getent(b, "hosts", a.name()), "getent no longer resolves a");
            assertEquals(List.of(ipB), data(udp(b, gw2, b.name(), Type.A)), "b still resolves itself");
        }
    }

    private static NetworkSpec overlay(String name) {
        return new NetworkSpec(name, OverlayDriver.NAME, List.of(), false, false, Map.of(), Map.of());
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static String first(String getentOutput) {
        return getentOutput.isEmpty() ? "" : getentOutput.lines().findFirst().orElse("").split("\\s+")[0];
    }

    /** One host: a throwaway host namespace with an underlay link, a runtime, both drivers and a DNS server. */
    static final class Host {
        final int n;
        final TestHost host;
        final Path dir;
        final Path overlayNetns;
        final Kernel overlayKernel;
        Standalone runtime;
        BridgeDriver bridge;
        OverlayDriver overlay;
        DnsServer server;

        Host(int n, TestHost underlay, MemoryClusterStore.Data data) throws IOException {
            this.n = n;
            host = TestHost.create();
            Path made = null;
            Path netns = null;
            Kernel k = null;
            try {
                made = Files.createTempDirectory("weft-dns-ov-test-");
                netns = Files.createTempDirectory(Path.of("/run"), host.name() + "-netns-");
                k = Kernel.open(KernelConfig.defaults().withHostNamespace(host.path()).withNamespaceDirectory(netns));
            } catch (IOException | RuntimeException e) {
                if (k != null) {
                    k.close();
                }
                if (netns != null) {
                    Files.deleteIfExists(netns);
                }
                if (made != null) {
                    Files.deleteIfExists(made);
                }
                host.close();
                throw e;
            }
            dir = made;
            overlayNetns = netns; // the overlay's per-network namespaces: a directory per host (two hosts, one network id)
            overlayKernel = k;
            try {
                start(underlay, data);
            } catch (IOException | RuntimeException | Error e) {
                List<Throwable> failures = new ArrayList<>();
                close(failures);
                failures.forEach(e::addSuppressed);
                throw e;
            }
        }

        private void start(TestHost underlay, MemoryClusterStore.Data data) throws IOException {
            Path resolvConf = dir.resolve("resolv.conf");
            Files.writeString(resolvConf, "nameserver 127.0.0.53\n");
            host.link("up0", vtep() + "/24", underlay, "uh" + n, null);
            underlay.ip("link", "set", "uh" + n, "master", "ubr");
            runtime = Standalone.builder().hostNamespace(host.path()).directories(dir).etcNetns(Path.of("/etc/netns"))
                    .resolvConf(resolvConf).build();
            bridge = new BridgeDriver(context(Map.of(BridgeDriver.DEFAULT_SUBNET_SETTING, "none")), runtime.kernel());
            runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "0.1.0", bridge);
            runtime.attachCluster(new MemoryClusterStore(data, "h" + n, IpAddresses.parse(vtep())), "test",
                    Duration.ofSeconds(30));
            overlay = new OverlayDriver(context(Map.of()), overlayKernel);
            runtime.addDriver(OverlayDriver.NAME, "dev.weft.driver-overlay", "0.1.0", overlay);
            server = new DnsServer(runtime.controller(), runtime.kernel(), context(Map.of()),
                    DnsConfig.defaults().withUpstreamTimeoutMillis(400));
            runtime.addListener(server);
        }

        private DriverContext context(Map<String, String> settings) {
            return runtime.driverContext("test", "wt", DnsFixture.TABLE, DriverContext.FirewallMode.NFTABLES, 0, settings);
        }

        String vtep() {
            return "10.214.0.1" + n;
        }

        Controller controller() {
            return runtime.controller();
        }

        SandboxSpec spec(String shortName, String network, String... aliases) {
            return new SandboxSpec(host.namespaceName(shortName), network,
                    new EndpointSpec(null, null, List.of(aliases), List.of()), null);
        }

        TestSandbox sandbox(SandboxSpec spec, String shortName) {
            controller().createSandbox(spec);
            return host.adopt(shortName);
        }

        String ipv4(TestSandbox sandbox, String network) {
            SandboxInfo s = controller().sandbox(sandbox.name()).orElseThrow();
            EndpointInfo e = s.endpoints().stream().filter(x -> x.network().equals(network)).findFirst().orElseThrow();
            return IpAddresses.format(e.ipv4().address());
        }

        void removeSandboxes(List<Throwable> failures) {
            if (runtime == null) {
                return;
            }
            try {
                for (SandboxInfo s : controller().sandboxes()) {
                    try {
                        controller().removeSandbox(s.name(), true);
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
                runtime.awaitRemovals();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }

        void close(List<Throwable> failures) {
            if (server != null) {
                run(failures, () -> {
                    runtime.removeListener(server);
                    server.close();
                });
            }
            if (runtime != null) {
                run(failures, runtime::detachCluster);
            }
            if (bridge != null) {
                run(failures, () -> {
                    bridge.drain();
                    bridge.close();
                });
            }
            if (runtime != null) {
                run(failures, runtime::close);
            }
            run(failures, overlayKernel::close);
            run(failures, () -> {
                try (Stream<Path> files = Files.list(overlayNetns)) {
                    for (Path p : files.toList()) { // a segment namespace left by a failure
                        new ProcessBuilder("umount", "-l", p.toString()).start().waitFor();
                        Files.deleteIfExists(p);
                    }
                }
                new ProcessBuilder("umount", "-l", overlayNetns.toString()).start().waitFor();
                Files.deleteIfExists(overlayNetns);
            });
            run(failures, host::close);
            run(failures, () -> {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                try (Stream<Path> s = Files.list(Path.of("/etc/netns"))) {
                    s.filter(p -> p.getFileName().toString().startsWith(host.name() + "-")).forEach(p -> {
                        try (Stream<Path> t = Files.walk(p)) {
                            t.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
                        } catch (IOException e) {
                            failures.add(e);
                        }
                    });
                } catch (java.nio.file.NoSuchFileException e) {
                    // no /etc/netns at all
                }
            });
        }
    }

    interface Step {
        void run() throws Exception;
    }

    static void run(List<Throwable> failures, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            failures.add(e);
        }
    }

    /** Two hosts on one underlay and one in-memory cluster store; {@link #close()} removes everything, also after a failure. */
    static final class Cluster implements AutoCloseable {
        final TestHost underlay;
        final MemoryClusterStore.Data data = new MemoryClusterStore.Data();
        final List<Host> hosts = new ArrayList<>();
        private final boolean etcNetnsExisted = Files.isDirectory(Path.of("/etc/netns"));

        Cluster() throws IOException {
            underlay = TestHost.create();
            try {
                underlay.bridge("ubr", "10.214.0.254/24");
                hosts.add(new Host(1, underlay, data));
                hosts.add(new Host(2, underlay, data));
            } catch (IOException | RuntimeException | Error e) {
                try {
                    close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        @Override
        public void close() {
            List<Throwable> failures = new ArrayList<>();
            for (Host h : hosts) {
                h.removeSandboxes(failures);
            }
            // the networks, once no host has endpoints on them (a global one from the host that can)
            for (Host h : hosts) {
                if (h.runtime == null) {
                    continue;
                }
                run(failures, () -> {
                    for (var net : h.controller().networks()) {
                        if ("global".equals(net.scope()) && h.controller().network(net.name()).isPresent()) {
                            try {
                                h.controller().removeNetwork(net.name());
                            } catch (RuntimeException e) {
                                // removed by the other host meanwhile
                            }
                        }
                    }
                });
            }
            for (Host h : hosts) {
                h.close(failures);
            }
            run(failures, underlay::close);
            if (!etcNetnsExisted) {
                try {
                    Files.deleteIfExists(Path.of("/etc/netns")); // core made it for the first sandbox
                } catch (IOException e) {
                    // not empty: someone else's files are there now
                }
            }
            if (!failures.isEmpty()) {
                IllegalStateException e = new IllegalStateException("could not remove the whole cluster: " + failures);
                failures.forEach(e::addSuppressed);
                throw e;
            }
        }
    }
}
