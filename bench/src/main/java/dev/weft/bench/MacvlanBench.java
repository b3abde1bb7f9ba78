package dev.weft.bench;

import com.google.gson.GsonBuilder;
import dev.weft.api.Controller;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.driver.container.ContainerDriver;
import dev.weft.driver.macvlan.MacvlanDriver;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process part of {@code bench/run-macvlan.sh} (issue 11): macvlan endpoints made by Weft,
 * by netavark and by hand with {@code ip}, on one parent, and iperf3 over them. Written as JSON
 * for {@link MacvlanReport}.
 *
 * <p>The world: {@link WeftWorld}'s throwaway host namespace plays the machine. Its "NIC" is the
 * veth end {@value #PARENT}; the other end is {@code eth0} of a namespace {@code lan} playing the
 * LAN: it holds the gateway address {@value #GATEWAY} of {@value #SUBNET} and runs the iperf3
 * server. Every macvlan below sits on {@value #PARENT} in bridge mode; nothing leaves namespaces the
 * bench made, and the test kit deletes them all at the end (also after a failure or Ctrl-C).
 *
 * <ul>
 *   <li>weft: a network {@code mv} of driver {@code macvlan} ({@code parent=mvp0},
 *       {@code macvlan_mode=bridge}, subnet {@value #SUBNET}, {@code --gateway} the LAN's: a macvlan
 *       network has a gateway only when it is given, Docker 29's rule) and, for
 *       comparison, a bridge network {@code br} (10.90.0.0/16), both in one runtime. Each iteration
 *       creates a sandbox on {@code mv} and removes it, then the same on {@code br} (the order
 *       alternating): setup is {@code createSandbox} (namespace included), teardown
 *       {@code removeSandbox} (the user's path: what runs in the background afterwards is not
 *       counted, but runs during the next iterations). No published port: a macvlan endpoint takes
 *       none. WARMUP unmeasured iterations first.</li>
 *   <li>netavark: {@code ip netns add}, {@code netavark setup NS} with a macvlan network on the same
 *       parent (a static address, as Podman passes it), {@code netavark teardown NS},
 *       {@code ip netns del}, spawned from a thread inside the host namespace; each timed.</li>
 *   <li>by hand: {@code ip netns add}, {@code ip link add link mvp0 name eth0 netns NS type macvlan
 *       mode bridge}, {@code ip -n NS -batch -} (lo and eth0 up, address, default route), and
 *       {@code ip netns del}: the floor of any tool that spawns {@code ip}.</li>
 *   <li>iperf3: TCP, one stream, a sandbox → the LAN namespace, over a macvlan made by Weft (a
 *       sandbox on {@code mv}) and over a bare one made by hand (same parent, same LAN, same server),
 *       ROUNDS rounds of SECONDS, the order alternating; ratio of the medians Weft ÷ bare.</li>
 * </ul>
 *
 * <pre>MacvlanBench OUT.json [N=100 [WARMUP=100 [IPERF_SECONDS=10 [ROUNDS=5]]]]</pre>
 */
public final class MacvlanBench {
    static final String PARENT = "mvp0";
    static final String SUBNET = "10.77.0.0/16";
    static final String GATEWAY = "10.77.0.1";
    static final String BRIDGE_SUBNET = "10.90.0.0/16";
    private static final String NETAVARK = "/usr/lib/podman/netavark";
    /** Static addresses of the peers' endpoints, far from where Weft's IPAM hands out (10.77.0.2 up). */
    private static final String NETAVARK_IP = "10.77.200.2";
    private static final String BY_HAND_IP = "10.77.201.2";
    private static final String BARE_IP = "10.77.250.2";
    /** Unmeasured iterations of the spawned peers (a cold page cache for the first runs of a binary). */
    private static final int PEER_WARMUP = 5;

    private MacvlanBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: MacvlanBench OUT.json [N=100 [WARMUP=100 [IPERF_SECONDS=10 [ROUNDS=5]]]]");
            System.exit(2);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path out = Path.of(args[0]);
        int n = Tools.arg(args, 1, 100);
        int warmup = Tools.arg(args, 2, 100);
        int seconds = Tools.arg(args, 3, 10);
        int rounds = Tools.arg(args, 4, 5);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "this checkout, Java " + System.getProperty("java.version"));
        json.put("netavark", firstLineOf(NETAVARK, "--version"));
        json.put("iperf3", firstLineOf("iperf3", "--version"));
        try (WeftWorld w = WeftWorld.open()) {
            TestHost host = w.host;
            TestSandbox lan = host.sandbox("lan");
            host.link(PARENT, null, lan, "eth0", GATEWAY + "/16");
            json.put("parent", PARENT + ": a veth end in a throwaway host namespace (" + host.name()
                    + "), its peer eth0 of namespace lan holding " + GATEWAY + "/16 (the LAN)");
            w.runtime.addDriver(MacvlanDriver.NAME, "dev.weft.driver-macvlan", "bench",
                    new MacvlanDriver(BridgeBench.context(w.runtime), w.runtime.kernel()));
            w.controller.createNetwork(new NetworkSpec("mv", MacvlanDriver.NAME,
                    List.of(new SubnetSpec(IpPrefix.parse(SUBNET), null, IpAddresses.parse(GATEWAY), Map.of())),
                    false, false, Map.of("parent", PARENT, "macvlan_mode", "bridge"), Map.of()));
            w.network("br", BRIDGE_SUBNET);
            json.put("weft", weft(w, n, warmup));
            System.err.println("MacvlanBench: Weft in process done");
            json.put("netavark_macvlan", host.call(() -> netavark(host, n)));
            System.err.println("MacvlanBench: netavark done");
            json.put("by_hand", host.call(() -> byHand(host, n)));
            System.err.println("MacvlanBench: by hand done");
            w.runtime.addDriver(ContainerDriver.NAME, "dev.weft.driver-container", "bench", new ContainerDriver());
            json.put("container_mode", containerMode(w, n, warmup));
            System.err.println("MacvlanBench: container mode done");
            json.put("iperf3_sandbox_to_lan", iperf(w, lan, seconds, rounds));
            w.drain();
        }
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues()
                .create().toJson(json) + "\n");
        System.err.println("MacvlanBench: wrote " + out);
    }

    /** Setup and teardown of a sandbox on the macvlan network and on the bridge, in turn. */
    private static Map<String, Object> weft(WeftWorld w, int n, int warmup) throws Exception {
        Controller c = w.controller;
        Samples mvSetup = new Samples(), mvTeardown = new Samples(), brSetup = new Samples(), brTeardown = new Samples();
        String[] firstAddress = {""};
        for (int i = -warmup; i < n; i++) {
            boolean measured = i >= 0;
            Stats.Action mv = () -> {
                String name = w.nextName();
                long t0 = System.nanoTime();
                SandboxInfo s = c.createSandbox(new SandboxSpec(name, "mv", EndpointSpec.defaults(), null));
                long t1 = System.nanoTime();
                c.removeSandbox(name);
                long t2 = System.nanoTime();
                if (measured) {
                    mvSetup.add(t1 - t0);
                    mvTeardown.add(t2 - t1);
                }
                if (firstAddress[0].isEmpty()) {
                    firstAddress[0] = s.endpoints().get(0).ipv4().address().getHostAddress();
                }
            };
            Stats.Action br = () -> {
                String name = w.nextName();
                long t0 = System.nanoTime();
                c.createSandbox(new SandboxSpec(name, "br", EndpointSpec.defaults(), null));
                long t1 = System.nanoTime();
                c.removeSandbox(name);
                long t2 = System.nanoTime();
                if (measured) {
                    brSetup.add(t1 - t0);
                    brTeardown.add(t2 - t1);
                }
            };
            Stats.inTurn(i, mv, br);
        }
        long t = System.nanoTime();
        w.drain(); // the macvlan driver leaves nothing to the background
        long drained = System.nanoTime() - t;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("warmup", warmup);
        m.put("macvlan_setup_ms", mvSetup.json());
        m.put("macvlan_teardown_ms", mvTeardown.json());
        m.put("macvlan_first_address", firstAddress[0]);
        m.put("bridge_setup_ms", brSetup.json());
        m.put("bridge_teardown_ms", brTeardown.json());
        m.put("background_drain_after_loop_ms", Samples.ms(drained));
        return m;
    }

    /** netavark's JSON for one macvlan endpoint on {@link #PARENT} (netavark 1.4: the parent is {@code network_interface}). */
    static String netavarkOptions(int i, String ip) {
        String id = String.format("%064x", 0x4d56_0000L + i);
        return """
                {"container_id": "%s", "container_name": "mvbench-%d",
                 "networks": {"mvbench": {"static_ips": ["%s"], "interface_name": "eth0"}},
                 "network_info": {"mvbench": {"name": "mvbench", "id": "%s", "driver": "macvlan",
                   "network_interface": "%s", "options": {"mode": "bridge"},
                   "subnets": [{"subnet": "%s", "gateway": "%s"}],
                   "ipv6_enabled": false, "internal": false, "dns_enabled": false,
                   "ipam_options": {"driver": "host-local"}}}}
                """.formatted(id, i, ip, "6d76".repeat(16), PARENT, SUBNET, GATEWAY);
    }

    /** Runs on a thread inside the host namespace: netavark sees it as the host. */
    private static Map<String, Object> netavark(TestHost host, int n) throws Exception {
        Path config = Files.createTempDirectory("weft-mvbench-netavark-");
        Samples nsAdd = new Samples(), setup = new Samples(), teardown = new Samples(), nsDel = new Samples();
        Samples setupTotal = new Samples(), teardownTotal = new Samples();
        String mode = "";
        try {
            for (int i = -PEER_WARMUP; i < n; i++) {
                String ns = host.adopt("nv" + (i + PEER_WARMUP)).name();
                String nsPath = "/run/netns/" + ns;
                String options = netavarkOptions(i + PEER_WARMUP, NETAVARK_IP);
                long t0 = System.nanoTime();
                Tools.run("ip", "netns", "add", ns);
                long t1 = System.nanoTime();
                Tools.runWithInput(options, NETAVARK, "--config", config.toString(), "setup", nsPath);
                long t2 = System.nanoTime();
                if (mode.isEmpty()) {
                    mode = macvlanMode(ns);
                }
                Tools.runWithInput(options, NETAVARK, "--config", config.toString(), "teardown", nsPath);
                long t3 = System.nanoTime();
                Tools.run("ip", "netns", "del", ns);
                long t4 = System.nanoTime();
                if (i >= 0) {
                    nsAdd.add(t1 - t0);
                    setup.add(t2 - t1);
                    teardown.add(t3 - t2);
                    nsDel.add(t4 - t3);
                    setupTotal.add(t2 - t0);
                    teardownTotal.add(t4 - t2);
                }
            }
        } finally {
            Tools.run("rm", "-rf", config.toString());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warmup", PEER_WARMUP);
        m.put("eth0", mode);
        m.put("netns_add_ms", nsAdd.json());
        m.put("setup_ms", setup.json());
        m.put("teardown_ms", teardown.json());
        m.put("netns_del_ms", nsDel.json());
        m.put("setup_with_netns_add_ms", setupTotal.json());
        m.put("teardown_with_netns_del_ms", teardownTotal.json());
        return m;
    }

    /** Runs on a thread inside the host namespace: the fewest spawns of {@code ip} that make the same endpoint. */
    private static Map<String, Object> byHand(TestHost host, int n) throws Exception {
        Samples setup = new Samples(), teardown = new Samples();
        for (int i = -PEER_WARMUP; i < n; i++) {
            String ns = host.adopt("ih" + (i + PEER_WARMUP)).name();
            long t0 = System.nanoTime();
            bareMacvlan(ns, BY_HAND_IP);
            long t1 = System.nanoTime();
            Tools.run("ip", "netns", "del", ns);
            long t2 = System.nanoTime();
            if (i >= 0) {
                setup.add(t1 - t0);
                teardown.add(t2 - t1);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warmup", PEER_WARMUP);
        m.put("setup_ms", setup.json());
        m.put("teardown_ms", teardown.json());
        return m;
    }

    /**
     * Container mode (issue 11's other half): a sandbox sharing another's namespace ({@code --network
     * container:web}) made and removed through the Controller, against the same by hand: the second
     * name {@code ip netns} would give it, {@code touch} and {@code mount --bind} of web's namespace
     * file, undone with {@code umount} and {@code rm} (netavark and the CNI plugins have no such mode;
     * Podman and Docker pass the other container's namespace path to their runtime).
     */
    private static Map<String, Object> containerMode(WeftWorld w, int n, int warmup) throws Exception {
        Controller c = w.controller;
        String web = w.nextName();
        c.createSandbox(new SandboxSpec(web, "br", EndpointSpec.defaults(), null));
        Path webPath = w.host.path().resolveSibling(web);
        Samples share = new Samples(), unshare = new Samples(), bindSetup = new Samples(), bindTeardown = new Samples();
        for (int i = -warmup; i < n; i++) {
            String app = w.nextName();
            long t0 = System.nanoTime();
            c.createSandbox(SandboxSpec.of(app, "container:" + web));
            long t1 = System.nanoTime();
            c.removeSandbox(app);
            long t2 = System.nanoTime();
            if (i >= 0) {
                share.add(t1 - t0);
                unshare.add(t2 - t1);
            }
        }
        for (int i = -PEER_WARMUP; i < n; i++) {
            String name = w.host.adopt("ib" + (i + PEER_WARMUP)).name();
            String path = webPath.resolveSibling(name).toString();
            long t0 = System.nanoTime();
            Tools.run("touch", path);
            Tools.run("mount", "--bind", webPath.toString(), path);
            long t1 = System.nanoTime();
            Tools.run("umount", path);
            Tools.run("rm", path);
            long t2 = System.nanoTime();
            if (i >= 0) {
                bindSetup.add(t1 - t0);
                bindTeardown.add(t2 - t1);
            }
        }
        c.removeSandbox(web);
        w.drain();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("warmup", warmup);
        m.put("share_ms", share.json());
        m.put("unshare_ms", unshare.json());
        m.put("by_hand_warmup", PEER_WARMUP);
        m.put("by_hand_setup_ms", bindSetup.json());
        m.put("by_hand_teardown_ms", bindTeardown.json());
        return m;
    }

    /** {@code ip netns add NS}, a macvlan on the parent born inside as eth0, then lo, eth0, address, route (3 spawns). */
    private static void bareMacvlan(String ns, String ip) throws Exception {
        Tools.run("ip", "netns", "add", ns);
        Tools.run("ip", "link", "add", "link", PARENT, "name", "eth0", "netns", ns, "type", "macvlan", "mode", "bridge");
        Tools.ipBatch(ns, "link set lo up", "link set eth0 up", "addr add " + ip + "/16 dev eth0",
                "route add default via " + GATEWAY);
    }

    /** What eth0 inside {@code ns} is ("macvlan mode bridge, mtu 1500") and its default route, from {@code ip}. */
    private static String macvlanMode(String ns) throws Exception {
        String details = Tools.run("ip", "-n", ns, "-d", "-o", "link", "show", "eth0");
        String route = Tools.run("ip", "-n", ns, "route", "show", "default").strip();
        int at = details.indexOf("macvlan mode ");
        if (at < 0) {
            return "not a macvlan: " + details.strip();
        }
        String[] words = details.substring(at).split("\\s+");
        return words[0] + " " + words[1] + " " + words[2] + ", mtu " + mtu(details) + ", "
                + (route.isEmpty() ? "no default route" : route.replaceAll("\\s+", " "));
    }

    private static String mtu(String details) {
        String[] words = details.split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("mtu")) {
                return words[i + 1];
            }
        }
        return "?";
    }

    /** iperf3 from a sandbox to the LAN over Weft's macvlan and over a bare one, ROUNDS rounds, the order alternating. */
    private static Map<String, Object> iperf(WeftWorld w, TestSandbox lan, int seconds, int rounds)
            throws Exception {
        TestHost host = w.host;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", seconds);
        m.put("rounds", rounds);
        m.put("server", "iperf3 -s in namespace lan on " + GATEWAY + " (the parent's peer)");
        String bareNs = host.adopt("bare").name();
        host.call(() -> {
            bareMacvlan(bareNs, BARE_IP);
            return null;
        });
        TestSandbox bare = w.testSandbox(bareNs);
        m.put("bare_link", host.call(() -> Tools.run("ip", "-n", bareNs, "-d", "-o", "link", "show", "eth0").strip()));
        m.put("bare", "ip link add link " + PARENT + " name eth0 netns NS type macvlan mode bridge; " + BARE_IP
                + "/16, default via " + GATEWAY + "; eth0: " + host.call(() -> macvlanMode(bareNs)));
        String weftNs = w.nextName();
        SandboxInfo s = w.controller.createSandbox(new SandboxSpec(weftNs, "mv", EndpointSpec.defaults(), null));
        TestSandbox weft = w.testSandbox(weftNs);
        m.put("weft_link", host.call(() -> Tools.run("ip", "-n", weftNs, "-d", "-o", "link", "show", "eth0").strip()));
        m.put("weft", "sandbox on network mv, " + s.endpoints().get(0).ipv4().address().getHostAddress() + "; eth0: "
                + host.call(() -> macvlanMode(weftNs)));
        DataplaneBench.alternate(m, "macvlan", rounds,
                "weft", () -> DataplaneBench.iperf3("weft", lan, weft, GATEWAY, seconds),
                "bare", () -> DataplaneBench.iperf3("bare", lan, bare, GATEWAY, seconds));
        return m;
    }

    private static String firstLineOf(String... command) {
        try {
            return DataplaneBench.firstLine(Tools.run(command));
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
