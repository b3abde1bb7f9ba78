package dev.weft.bench;

import com.google.gson.GsonBuilder;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.net.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ./weft} part of {@code bench/run-dns.sh}: the user's path. A private instance (started
 * by the script on the throwaway host namespace {@code WEFT_HOST_NETNS}, its host resolv.conf
 * {@code WEFT_ETC_NETNS_DIR/<host>/resolv.conf} naming 127.0.0.53) runs Weft with the
 * {@code weft-dns} feature; the script made network NETWORK (gateway GATEWAY). This helper makes
 * N sandboxes with {@code ./weft sandbox:create --network NETWORK PREFIX-sI}, starts the upstream
 * stand-in on the host namespace's 127.0.0.53, and measures what {@link DnsBench} measures, the
 * sandboxes' namespaces ({@code /run/netns/NAME}) entered by a thread of its own ({@link NsThread}).
 * create→resolvable: {@code ./weft sandbox:create} spawned and waited for, then the name polled
 * from sandbox 0 (any A record counts: the address is not known before the answer), remove→gone
 * the same after {@code ./weft sandbox:remove}. It removes its sandboxes at the end.
 *
 * <pre>DnsCli OUT.json WEFT NETWORK GATEWAY PREFIX [N LAT WARMUP QPS_SECONDS QPS_ROUNDS ROUNDS CLIENTS INFLIGHT]</pre>
 */
public final class DnsCli {
    private DnsCli() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: DnsCli OUT.json WEFT NETWORK GATEWAY PREFIX [N LAT WARMUP QPS_SECONDS QPS_ROUNDS ROUNDS "
                    + "CLIENTS INFLIGHT]");
            System.exit(2);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path out = Path.of(args[0]);
        String weft = args[1];
        String network = args[2];
        InetAddress gateway = IpAddresses.parse(args[3]);
        String prefix = args[4];
        int n = Tools.arg(args, 5, 20);
        int lat = Tools.arg(args, 6, 2000);
        int warmup = Tools.arg(args, 7, 500);
        int qpsSeconds = Tools.arg(args, 8, 3);
        int qpsRounds = Tools.arg(args, 9, 3);
        int rounds = Tools.arg(args, 10, 20);
        int clients = Tools.arg(args, 11, 4);
        int inflight = Tools.arg(args, 12, 8);
        String hostNs = System.getenv("WEFT_HOST_NETNS");
        if (hostNs == null || hostNs.isEmpty()) {
            throw new IllegalStateException("WEFT_HOST_NETNS is not set: this helper runs against a private instance only");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        List<String> made = new ArrayList<>();
        Samples create = new Samples(), remove = new Samples();
        try (Kernel kernel = Kernel.open(KernelConfig.defaults().withHostNamespace(Path.of(hostNs)));
             DnsUpstream upstream = new DnsUpstream(NsThread.entry(Path.of(hostNs)))) {
            List<DnsTarget.Member> members = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    String name = prefix + "-s" + i;
                    long t0 = System.nanoTime();
                    Tools.run(weft, "sandbox:create", "--network", network, name);
                    create.add(System.nanoTime() - t0);
                    made.add(name);
                    members.add(member(kernel, name));
                }
                DnsBench.log("./weft: " + n + " sandboxes");
                // the feature may come up after the network: wait until sandbox 0 resolves sandbox 1
                try (DnsLoad.Poller p = new DnsLoad.Poller(members.get(0).namespace(), gateway, 30_000)) {
                    DnsLoad.Round r = p.awaitResolvable(members.get(1).name(), members.get(1).address(), System.nanoTime());
                    if (!r.reached()) {
                        throw new IllegalStateException("./weft's DNS server does not answer " + members.get(1).name()
                                + " at " + IpAddresses.format(gateway) + " within 30 s");
                    }
                    json.put("ready", Map.of("after_populate_ms", Samples.ms(r.answerNanos()), "queries", r.queries()));
                }
                List<DnsTarget.Entry> ns = members.subList(0, clients).stream().map(DnsTarget.Member::namespace).toList();
                DnsTarget.Member asked = members.get(members.size() - 1);
                List<Map<String, Object>> local = new ArrayList<>(), forwarded = new ArrayList<>();
                for (int r = 0; r < qpsRounds; r++) {
                    local.add(DnsLoad.throughput(ns, gateway, asked.name(), asked.address(), inflight, 1, qpsSeconds));
                    forwarded.add(DnsLoad.throughput(ns, gateway, DnsBench.FORWARDED, IpAddresses.parse(DnsUpstream.ANSWER),
                            inflight, 1, qpsSeconds));
                }
                json.put("local_qps", DnsBench.summary(local));
                json.put("forwarded_qps", DnsBench.summary(forwarded));
                DnsBench.log("./weft: throughput done");
                json.put("local_latency", DnsLoad.latency(members.get(0).namespace(), gateway, members.get(1).name(),
                        members.get(1).address(), warmup, lat).json());
                json.put("forwarded_latency", DnsLoad.latency(members.get(0).namespace(), gateway, DnsBench.FORWARDED,
                        IpAddresses.parse(DnsUpstream.ANSWER), warmup, lat).json());
                DnsBench.log("./weft: latency done");
                List<DnsLoad.Round> created = new ArrayList<>(), removed = new ArrayList<>();
                try (DnsLoad.Poller poller = new DnsLoad.Poller(members.get(0).namespace(), gateway, DnsBench.POLL_LIMIT_MS)) {
                    for (int r = 0; r < rounds; r++) {
                        String name = prefix + "-c" + r;
                        long t0 = System.nanoTime();
                        Tools.run(weft, "sandbox:create", "--network", network, name);
                        long returned = System.nanoTime();
                        create.add(returned - t0);
                        made.add(name);
                        created.add(poller.awaitResolvable(name, null, returned));
                        t0 = System.nanoTime();
                        Tools.run(weft, "sandbox:remove", name);
                        returned = System.nanoTime();
                        remove.add(returned - t0);
                        made.remove(name);
                        removed.add(poller.awaitGone(name, null, returned));
                    }
                }
                json.put("create_to_resolvable", DnsLoad.rounds(created, "./weft sandbox:create returned → name resolves"));
                json.put("remove_to_gone", DnsLoad.rounds(removed, "./weft sandbox:remove returned → name no longer resolves"));
                DnsBench.log("./weft: create→resolvable done");
            } finally {
                Map<String, Object> about = new LinkedHashMap<>();
                about.put("server", "the weft-dns feature of a private instance (./weft start), its own JVM");
                about.put("network", network + ", gateway " + IpAddresses.format(gateway));
                about.put("upstream", DnsUpstream.ADDRESS + " named by " + System.getenv("WEFT_ETC_NETNS_DIR") + "/"
                        + Path.of(hostNs).getFileName() + "/resolv.conf");
                about.put("weft_sandbox_create_ms", create.json());
                about.put("weft_sandbox_remove_ms", remove.json());
                about.put("upstream_answered", upstream.answered());
                json.put("about", about);
                Collections.reverse(made);
                for (String name : made) {
                    try {
                        Tools.run(weft, "sandbox:remove", name);
                    } catch (Exception e) {
                        System.err.println("DnsCli: cannot remove " + name + ": " + e.getMessage());
                    }
                }
            }
        } finally {
            Files.writeString(out, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
                    .serializeSpecialFloatingPointValues().create().toJson(json) + "\n");
            System.err.println("DnsCli: wrote " + out);
        }
    }

    /** The sandbox's namespace (/run/netns/NAME, made by Weft) and its IPv4 address, read from inside it. */
    private static DnsTarget.Member member(Kernel kernel, String name) throws Exception {
        Path path = kernel.namespaces().directory().resolve(name);
        if (!Files.exists(path)) {
            throw new IllegalStateException("no namespace " + name + " in " + kernel.namespaces().directory());
        }
        DnsTarget.Entry entry = NsThread.entry(path);
        InetAddress address = (InetAddress) entry.call(() -> {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (i.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(i.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
            return null;
        });
        if (address == null) {
            throw new IllegalStateException("sandbox " + name + " has no IPv4 address");
        }
        return new DnsTarget.Member(name, address, entry);
    }
}
