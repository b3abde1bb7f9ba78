package dev.weft.bench;

import dev.weft.net.IpAddresses;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * aardvark-dns 1.4 as Podman runs it: started by netavark 1.4 on the first {@code setup} of a
 * container on a network with {@code dns_enabled: true}, and told about every later container by
 * netavark rewriting its config file and sending it SIGHUP. All of it in a throwaway host namespace
 * of its own (netavark and aardvark are spawned from a thread inside it, so both live there):
 * bridge {@value #BRIDGE}, subnet {@value #SUBNET}, gateway {@value #GATEWAY}, where aardvark
 * serves port 53. Containers are namespaces {@code ip netns add}ed, with static addresses (netavark
 * has no IPAM; Podman allocates), named after their namespace, with the 12-character id as alias
 * (as Podman passes it).
 *
 * <p>Upstream: the stand-in {@link DnsUpstream} on this namespace's 127.0.0.53, given to aardvark
 * as the network's DNS server ({@code network_dns_servers}, the second field of the config's first
 * line), which replaces the host's {@code /etc/resolv.conf} for containers of that network (1.4's
 * {@code coredns.rs}; the forwarding code is the same). Not the bind mount of a resolv.conf under
 * {@code unshare -m}: aardvark would live in that mount namespace, and the copies of
 * {@code /run/netns/*} mounts it holds would keep every network namespace existing at its start
 * alive (other users' included) after their {@code ip netns del}, until it exits.
 *
 * <p>aardvark daemonises (its {@code run} forks, the parent returns once the child wrote
 * {@code aardvark.pid} in the config directory); {@link #close()} ends it by that PID (after
 * checking its command line names this run's config directory) before the namespaces go.
 */
final class AardvarkTarget implements DnsTarget {
    static final String NETAVARK = "/usr/lib/podman/netavark";
    static final String AARDVARK = "/usr/lib/podman/aardvark-dns";
    static final String BRIDGE = "nvdns0";
    static final String SUBNET = "10.89.0.0/16";
    static final String GATEWAY = "10.89.0.1";
    static final String NETWORK = "dnsbench";

    final TestHost host;
    final DnsUpstream upstream;
    private final Path config;
    private final List<Member> members = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    private final Samples setup = new Samples();
    private final Samples teardown = new Samples();
    private volatile long returned;

    AardvarkTarget(Path work) throws Exception {
        this.config = Files.createDirectories(work.resolve("netavark"));
        TestHost h = TestHost.create();
        try {
            this.upstream = new DnsUpstream(DnsTarget.Entry.of(h));
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
        this.host = h;
    }

    @Override
    public String label() {
        return "aardvark-dns";
    }

    @Override
    public String hostNamespace() {
        return host.name();
    }

    @Override
    public InetAddress server() {
        return IpAddresses.parse(GATEWAY);
    }

    @Override
    public List<Member> members() {
        return members;
    }

    /** A 64-hex-digit container id derived from the name (its first 12 digits are the alias, as Podman's short id). */
    private static String containerId(String name) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** netavark 1.4's options for one container on the DNS-enabled bridge network. */
    static String options(String name, String ip) {
        String id = containerId(name + "-" + ip);
        return """
                {"container_id": "%s", "container_name": "%s",
                 "networks": {"%s": {"static_ips": ["%s"], "interface_name": "eth0", "aliases": ["%s"]}},
                 "network_info": {"%s": {"name": "%s", "id": "%s", "driver": "bridge",
                   "network_interface": "%s",
                   "subnets": [{"subnet": "%s", "gateway": "%s"}],
                   "ipv6_enabled": false, "internal": false, "dns_enabled": true,
                   "network_dns_servers": ["%s"],
                   "ipam_options": {"driver": "host-local"}}}}
                """.formatted(id, name, NETWORK, ip, id.substring(0, 12), NETWORK, NETWORK, "64".repeat(32), BRIDGE,
                SUBNET, GATEWAY, DnsUpstream.ADDRESS);
    }

    private Member make(String shortName, String ip) throws Exception {
        TestSandbox ns = host.adopt(shortName);
        String opts = options(ns.name(), ip);
        options.put(ns.name(), opts);
        long t0 = System.nanoTime();
        host.call(() -> {
            Tools.run("ip", "netns", "add", ns.name());
            Tools.runWithInput(opts, NETAVARK, "--aardvark-binary", AARDVARK, "--config", config.toString(), "setup",
                    "/run/netns/" + ns.name());
            returned = System.nanoTime(); // netavark setup has exited
            return null;
        });
        setup.add(returned - t0);
        return new Member(ns.name(), IpAddresses.parse(ip), DnsTarget.Entry.of(ns));
    }

    @Override
    public void populate(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            members.add(make("a" + i, "10.89.0." + (i + 2)));
        }
    }

    @Override
    public Member create(int round) throws Exception {
        return make("c" + round, "10.89." + (1 + round / 250) + "." + (2 + round % 250));
    }

    @Override
    public void remove(Member m) throws Exception {
        String opts = options.get(m.name());
        long t0 = System.nanoTime();
        host.call(() -> {
            Tools.runWithInput(opts, NETAVARK, "--aardvark-binary", AARDVARK, "--config", config.toString(), "teardown",
                    "/run/netns/" + m.name());
            Tools.run("ip", "netns", "del", m.name());
            returned = System.nanoTime(); // netavark teardown (aardvark signalled) and ip netns del have exited
            return null;
        });
        teardown.add(System.nanoTime() - t0);
    }

    @Override
    public long returnedNanos() {
        return returned;
    }

    private Path pidFile() {
        return config.resolve("aardvark-dns").resolve("aardvark.pid");
    }

    /** aardvark's PID from its pid file, when that process is aardvark-dns with this run's config directory. */
    Optional<ProcessHandle> aardvark() {
        try {
            long pid = Long.parseLong(Files.readString(pidFile()).strip());
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            if (cmdline.contains("aardvark-dns") && cmdline.contains(config.toString())) {
                return ProcessHandle.of(pid);
            }
        } catch (IOException | NumberFormatException e) {
            // no pid file or no such process
        }
        return Optional.empty();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("aardvark", versionLine(AARDVARK, "aardvark-dns"));
        m.put("netavark", firstLine(NETAVARK, "--version"));
        m.put("started_by", "netavark setup (first container), reloaded by netavark's SIGHUP on every setup/teardown");
        m.put("command_line", aardvark().map(p -> {
            try {
                return Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ').strip();
            } catch (IOException e) {
                return "?";
            }
        }).orElse("not running"));
        try {
            String file = Files.readString(config.resolve("aardvark-dns").resolve(NETWORK));
            String[] lines = file.split("\n");
            m.put("config_first_lines", List.of(lines).subList(0, Math.min(3, lines.length)));
            m.put("config_lines", lines.length);
        } catch (IOException e) {
            m.put("config_first_lines", "unreadable: " + e.getMessage());
        }
        m.put("network", "bridge " + BRIDGE + ", " + SUBNET + ", gateway " + GATEWAY
                + " (aardvark on " + GATEWAY + ":53/udp), upstream " + DnsUpstream.ADDRESS + " as network_dns_servers");
        m.put("netavark_setup_with_netns_add_ms", setup.json());
        m.put("netavark_teardown_with_netns_del_ms", teardown.json());
        m.put("upstream_answered", upstream.answered());
        return m;
    }

    /** The line of {@code binary --version} naming it (aardvark 1.4 prints a syslog complaint first). */
    static String versionLine(String binary, String word) {
        try {
            return Tools.run(binary, "--version").lines().filter(l -> l.contains(word)).findFirst().orElse("?").strip();
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    static String firstLine(String... command) {
        try {
            return DataplaneBench.firstLine(Tools.run(command));
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        try {
            Optional<ProcessHandle> p = aardvark();
            if (p.isPresent()) {
                p.get().destroy(); // SIGTERM
                try {
                    p.get().onExit().get(3, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.get().destroyForcibly();
                }
            }
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            upstream.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            host.close();
        } catch (RuntimeException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
