package dev.weft.bench;

import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.dns.DnsConfig;
import dev.weft.dns.DnsServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weft's side of {@link DnsBench}: {@link WeftWorld}'s runtime (bridge driver, throwaway host
 * namespace, table {@code weft_bench}) with the embedded DNS server of {@code bundles/dns} added
 * as a listener, as the OSGi component does ({@code new DnsServer(controller, kernel, context,
 * DnsConfig.defaults())}, {@code runtime.addListener}). The runtime's host resolv.conf names the
 * upstream stand-in on that namespace's 127.0.0.53 ({@code Standalone.builder().resolvConf}).
 * Network {@value #NETWORK} ({@value #SUBNET}); the server answers on its gateway (what
 * {@code controller.hostGateways} says), port 53. Sandboxes are made with
 * {@code controller.createSandbox} (namespace included) and removed with {@code removeSandbox}.
 */
final class DnsWeft implements DnsTarget {
    static final String NETWORK = "dnsnet";
    static final String SUBNET = "10.90.0.0/16";

    private final WeftWorld world;
    private final DnsUpstream upstream;
    private final DnsServer server;
    private final InetAddress gateway;
    private final List<Member> members = new ArrayList<>();
    private final Samples create = new Samples();
    private final Samples remove = new Samples();
    private long returned;

    private DnsWeft(WeftWorld world, DnsUpstream upstream, DnsServer server, InetAddress gateway) {
        this.world = world;
        this.upstream = upstream;
        this.server = server;
        this.gateway = gateway;
    }

    static DnsTarget open(Path work) throws Exception {
        WeftWorld w = WeftWorld.open("nameserver " + DnsUpstream.ADDRESS + "\n");
        DnsUpstream up = null;
        DnsServer s = null;
        try {
            up = new DnsUpstream(DnsTarget.Entry.of(w.host));
            s = new DnsServer(w.controller, w.runtime.kernel(), BridgeBench.context(w.runtime), DnsConfig.defaults());
            w.runtime.addListener(s);
            w.network(NETWORK, SUBNET);
            List<InetAddress> gws = w.controller.hostGateways(NETWORK);
            if (gws.isEmpty()) {
                throw new IllegalStateException("network " + NETWORK + " has no host gateway");
            }
            return new DnsWeft(w, up, s, gws.get(0));
        } catch (Exception | Error e) {
            closeAll(w, up, s, e);
            throw e;
        }
    }

    @Override
    public String label() {
        return DnsReport.WEFT;
    }

    @Override
    public String hostNamespace() {
        return world.host.name();
    }

    @Override
    public InetAddress server() {
        return gateway;
    }

    @Override
    public List<Member> members() {
        return members;
    }

    private Member make() {
        String name = world.nextName();
        long t0 = System.nanoTime();
        SandboxInfo info = world.controller.createSandbox(new SandboxSpec(name, NETWORK, EndpointSpec.defaults(), null));
        returned = System.nanoTime();
        create.add(returned - t0);
        return new Member(name, info.endpoints().get(0).ipv4().address(), DnsTarget.Entry.of(world.testSandbox(name)));
    }

    @Override
    public void populate(int n) {
        for (int i = 0; i < n; i++) {
            members.add(make());
        }
    }

    @Override
    public Member create(int round) {
        return make();
    }

    @Override
    public void remove(Member m) {
        long t0 = System.nanoTime();
        world.controller.removeSandbox(m.name());
        returned = System.nanoTime();
        remove.add(returned - t0);
    }

    @Override
    public long returnedNanos() {
        return returned;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server", "dev.weft.dns.DnsServer (DnsConfig.defaults()), a listener of a Standalone runtime with the bridge driver");
        m.put("network", "bridge network " + NETWORK + ", " + SUBNET + ", served at " + server.servers(
                world.controller.network(NETWORK).map(dev.weft.api.NetworkInfo::id).orElse("")) + ": "
                + world.controller.network(NETWORK).flatMap(n -> server.remark(n.id())).orElse("?"));
        m.put("upstream", DnsUpstream.ADDRESS + " named by the runtime's host resolv.conf");
        m.put("create_sandbox_ms", create.json());
        m.put("remove_sandbox_ms", remove.json());
        m.put("forwards_refused_by_the_bound", server.overloadCount());
        m.put("upstream_answered", upstream.answered());
        return m;
    }

    @Override
    public void close() throws Exception {
        closeAll(world, upstream, server, null);
    }

    private static void closeAll(WeftWorld w, DnsUpstream up, DnsServer s, Throwable failure) throws Exception {
        Exception first = null;
        if (s != null) {
            try {
                w.runtime.removeListener(s);
                s.close();
            } catch (RuntimeException e) {
                first = e;
            }
        }
        if (up != null) {
            up.close();
        }
        try {
            w.close();
        } catch (Exception e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            if (failure != null) {
                failure.addSuppressed(first);
            } else {
                throw first;
            }
        }
    }
}
