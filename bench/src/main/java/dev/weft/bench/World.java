package dev.weft.bench;

import dev.weft.linux.Kernel;
import dev.weft.linux.Link;
import dev.weft.linux.LinkSpec;
import dev.weft.linux.NftFamily;
import dev.weft.linux.SetRef;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.NetNamespace;
import dev.weft.testkit.TestHost;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * What every comparison runs in: a throwaway host namespace (the test kit's), Weft's kernel layer
 * opened on it, the endpoint bridge {@code br0} (10.1.0.1/16), a spare bridge {@code bx0}
 * (10.250.0.1/16) for the address and route steps, and the table {@code inet weft_bench} with the
 * concatenated DNAT map {@code pub_any} and the chains that use it. Sandbox namespaces get names
 * the kit adopted first, so closing the {@link TestHost} removes them whatever happened.
 */
final class World {
    static final String TABLE = "weft_bench";
    static final SetRef PUB_ANY = new SetRef(NftFamily.INET, TABLE, "pub_any");
    static final String BRIDGE = "br0";
    static final InetAddress GATEWAY = IpAddresses.parse("10.1.0.1");
    static final String SPARE_BRIDGE = "bx0";
    static final InetAddress SPARE_GATEWAY = IpAddresses.parse("10.250.0.254");

    /** The publishing part of Weft's bridge ruleset (research/nft-bridge-ruleset.md), IPv4 any-address only. */
    static final String RULESET = """
            table inet weft_bench {
                map pub_any {
                    type inet_proto . inet_service : ipv4_addr . inet_service
                }
                chain publish {
                    meta l4proto != { tcp, udp } return
                    dnat ip to meta l4proto . th dport map @pub_any
                }
                chain nat_pre {
                    type nat hook prerouting priority dstnat; policy accept;
                    ip daddr 127.0.0.0/8 return
                    fib daddr type local jump publish
                }
            }
            """;

    /** Set on Ctrl-C: no new namespace names are handed out, so the run ends at its next namespace. */
    private static volatile boolean stopping;

    final TestHost host;
    final Kernel kernel;
    final Options options;
    final int bridgeIndex;
    final int spareBridgeIndex;
    /** Remarks printed under the table (clean-up times and the like). */
    final List<String> notes = new ArrayList<>();
    private final AtomicInteger names = new AtomicInteger();

    private World(TestHost host, Kernel kernel, Options options, int bridgeIndex, int spareBridgeIndex) {
        this.host = host;
        this.kernel = kernel;
        this.options = options;
        this.bridgeIndex = bridgeIndex;
        this.spareBridgeIndex = spareBridgeIndex;
    }

    static World build(TestHost host, Kernel kernel, Options options) {
        kernel.host().createLink(LinkSpec.bridge(BRIDGE).up());
        int br = kernel.host().index(BRIDGE);
        kernel.host().addAddress(br, InterfaceAddress.parse("10.1.0.1/16"));
        kernel.host().createLink(LinkSpec.bridge(SPARE_BRIDGE).up());
        int bx = kernel.host().index(SPARE_BRIDGE);
        kernel.host().addAddress(bx, InterfaceAddress.parse("10.250.0.1/16"));
        kernel.nftables().apply(RULESET);
        return new World(host, kernel, options, br, bx);
    }

    static void stop() {
        stopping = true;
    }

    static boolean isStopping() {
        return stopping;
    }

    /** A fresh namespace name {@code wt-<id>-<prefix><n>}, adopted by the kit so it goes away with the host. */
    String sandboxName(String prefix) {
        if (stopping) {
            throw new IllegalStateException("interrupted: the benchmark is shutting down");
        }
        return host.adopt(prefix + names.getAndIncrement()).name();
    }

    /** A fresh sandbox namespace made by Weft (lo down, nothing else), outside any timing. */
    NetNamespace newSandbox(String prefix) {
        return kernel.namespaces().create(sandboxName(prefix));
    }

    /**
     * Deletes the named namespaces (the kernel then destroys their veths in batches, the cheap way)
     * and waits until the host ends {@code hostEnds} are gone, so the kernel's clean-up does not
     * run into the next measurement. Returns the milliseconds it took.
     */
    long discard(Collection<String> namespaces, Collection<String> hostEnds) throws InterruptedException {
        long start = System.nanoTime();
        for (String ns : namespaces) {
            kernel.namespaces().delete(ns);
        }
        Set<String> waiting = new HashSet<>(hostEnds);
        long deadline = start + 120_000_000_000L;
        while (true) {
            Set<String> present = kernel.host().links().stream().map(Link::name).collect(Collectors.toSet());
            waiting.retainAll(present);
            if (waiting.isEmpty()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(waiting.size() + " host-side veths still exist 120 s after their "
                        + "namespaces were deleted, e.g. " + waiting.iterator().next());
            }
            Thread.sleep(20);
        }
    }

    /** The i-th address of {@code 10.<octet>.0.0/16}, skipping .0.0 (i from 0). */
    static InetAddress address(int octet, int i) {
        int n = i + 1;
        if (n > 65534) {
            throw new IllegalArgumentException("too many iterations for 10." + octet + ".0.0/16: " + i);
        }
        return IpAddresses.parse("10." + octet + "." + (n >> 8) + "." + (n & 255));
    }

    /** The k-th /24 of {@code 10.<octet>.0.0}, continuing into the next /16s (k from 0). */
    static IpPrefix prefix24(int octet, int k) {
        return new IpPrefix(IpAddresses.parse("10." + (octet + k / 256) + "." + (k % 256) + ".0"), 24);
    }

    /** One group of steps, measured side by side; returns its report lines. */
    interface Comparison {
        List<Row> run(World world) throws Exception;
    }
}
