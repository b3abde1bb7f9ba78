package dev.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Weft as a CNI plugin (issue 15 part 2, docs/architecture.md §3g): the {@code weft-cni} executable
 * that {@code ./weft start} builds into {@code $WEFT_HOME/bin}, run the way a CNI runtime runs a plugin
 * (the spec's CNI_* environment, the network configuration on stdin, the result or error JSON on
 * stdout) against a private instance. The test plays the runtime: it makes the container's
 * namespace, runs ADD/CHECK/DEL/GC/STATUS/VERSION and checks results against the spec's shapes
 * and rules, and proves the attachment with traffic to a Weft sandbox and through a published port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CniPluginIT {
    private static final String NETWORK = "cninet";
    private static final int PUBLISHED = 7480;
    private PrivateInstance it;
    private Path plugin;
    private TestSandbox container;
    private TestSandbox container2;
    private JsonObject added;
    private TestSandbox outside;

    /** What one plugin run did: exit code, stdout, stderr. */
    record Out(int exit, String out, String err) {
        JsonObject json() {
            return JsonParser.parseString(out).getAsJsonObject();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    void start() throws Exception {
        it = PrivateInstance.create();
        it.start();
        plugin = it.weft.home.resolve("bin/weft-cni");
        assertTrue(Files.isExecutable(plugin), "./weft start built no " + plugin);
        Weft.Result net = it.weft.run("network:create", "--subnet", "10.231.0.0/24", NETWORK);
        assertEquals(0, net.exit(), net::toString);
        Weft.Result net2 = it.weft.run("network:create", "--subnet", "10.233.0.0/24", "cninet2");
        assertEquals(0, net2.exit(), net2::toString);
        container = it.host.sandbox("ctr");
        container2 = it.host.sandbox("ctr2");
    }

    @AfterAll
    void stop() throws Exception {
        if (it != null) {
            it.close();
        }
    }

    private String config(String extra) {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NETWORK + "\",\"type\":\"weft-cni\",\"socket\":\""
                + it.weft.runDir.resolve("cli.sock") + "\"" + extra + "}";
    }

    private Out cni(String command, String containerId, TestSandbox ns, String ifname, String stdin) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
        }
        if (ns != null) {
            env.put("CNI_NETNS", ns.path().toString());
        }
        if (ifname != null) {
            env.put("CNI_IFNAME", ifname);
        }
        env.put("CNI_PATH", plugin.getParent().toString());
        return run(env, stdin);
    }

    private Out run(Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(plugin.toString());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().putAll(env);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "weft-cni did not end in 60 s");
        return new Out(p.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The spec's error shape: exit non-zero, {cniVersion, code, msg[, details]} on stdout. */
    private static JsonObject assertError(Out o, int code) {
        assertTrue(o.exit() != 0, o::toString);
        JsonObject e = o.json();
        assertEquals(code, e.get("code").getAsInt(), o::toString);
        assertTrue(e.has("cniVersion") && !e.get("msg").getAsString().isBlank(), o::toString);
        return e;
    }

    @Test
    @Order(1)
    void versionIsAnsweredByTheBinaryItself() throws Exception {
        Out o = run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.1.0\"}");
        assertEquals(0, o.exit(), o::toString);
        JsonObject v = o.json();
        assertEquals("1.1.0", v.get("cniVersion").getAsString());
        assertTrue(v.get("supportedVersions").getAsJsonArray().toString().contains("\"1.1.0\""), o::toString);
    }

    @Test
    @Order(2)
    void statusIsReadyForTheNetworkAndNotForAMissingOne() throws Exception {
        Out ok = cni("STATUS", null, null, null, config(""));
        assertEquals(0, ok.exit(), ok::toString);
        assertEquals("", ok.out().trim(), ok::toString);
        String missing = config("").replace("\"name\":\"" + NETWORK + "\"", "\"name\":\"nosuch\"");
        assertError(cni("STATUS", null, null, null, missing), 50);
    }

    @Test
    @Order(3)
    void addAttachesTheNamespaceAndReturnsASpecResult() throws Exception {
        String runtimeConfig = ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + PUBLISHED
                + ",\"containerPort\":80,\"protocol\":\"tcp\"}]}";
        Out o = cni("ADD", "ctr1", container, "eth0", config(runtimeConfig));
        assertEquals(0, o.exit(), o::toString);
        added = o.json();
        assertEquals("1.1.0", added.get("cniVersion").getAsString(), o::toString);
        JsonArray interfaces = added.getAsJsonArray("interfaces");
        assertEquals(1, interfaces.size(), o::toString);
        JsonObject itf = interfaces.get(0).getAsJsonObject();
        assertEquals("eth0", itf.get("name").getAsString());
        assertEquals(container.path().toString(), itf.get("sandbox").getAsString());
        assertTrue(itf.get("mac").getAsString().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), o::toString);
        JsonObject ip = added.getAsJsonArray("ips").get(0).getAsJsonObject();
        assertTrue(ip.get("address").getAsString().matches("10\\.231\\.0\\.\\d+/24"), o::toString);
        assertEquals("10.231.0.1", ip.get("gateway").getAsString(), o::toString);
        assertEquals(0, ip.get("interface").getAsInt(), o::toString);
        assertFalse(ip.has("version"), "a 1.x result has no ips[].version: " + o);
        JsonObject route = added.getAsJsonArray("routes").get(0).getAsJsonObject();
        assertEquals("0.0.0.0/0", route.get("dst").getAsString(), o::toString);
        assertTrue(added.get("dns").isJsonObject(), o::toString);
        String kernel = container.ip("-o", "addr", "show", "dev", "eth0");
        assertTrue(kernel.contains(" " + ip.get("address").getAsString() + " "), kernel);
    }

    @Test
    @Order(4)
    void theContainerTalksToAWeftSandboxAndItsPublishedPortAnswers() throws Exception {
        TestSandbox peer = it.sandbox("peer");
        Weft.Result created = it.weft.run("sandbox:create", "--network", NETWORK, "--ip", "10.231.0.50", peer.name());
        assertEquals(0, created.exit(), created::toString);
        try (TcpListener l = peer.listenTcp(9000)) {
            assertTrue(container.canConnectTcp("10.231.0.50", 9000, Duration.ofSeconds(5)), "container -> sandbox");
        }
        String mine = added.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString().split("/")[0];
        try (TcpListener l = container.listenTcp(80)) {
            assertTrue(peer.canConnectTcp(mine, 80, Duration.ofSeconds(5)), "sandbox -> container");
            outside = it.host.outside("out", "192.0.2.1/24", "192.0.2.2/24");
            assertTrue(outside.canConnectTcp("192.0.2.1", PUBLISHED, Duration.ofSeconds(5)),
                    "the published port " + PUBLISHED + " does not answer from another namespace");
        }
    }

    @Test
    @Order(5)
    void aSecondNetworkWithAnotherIfnameConnectsTheSameSandbox() throws Exception {
        String second = config("").replace("\"name\":\"" + NETWORK + "\"", "\"name\":\"cninet2\"");
        Out o = cni("ADD", "ctr1", container, "net1", second);
        assertEquals(0, o.exit(), o::toString);
        JsonObject r = o.json();
        assertEquals("net1", r.getAsJsonArray("interfaces").get(0).getAsJsonObject().get("name").getAsString(), o::toString);
        String address = r.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
        assertTrue(address.startsWith("10.233.0."), o::toString);
        assertTrue(container.ip("-o", "addr", "show", "dev", "net1").contains(" " + address + " "));
        Weft.Result list = it.weft.run("sandbox:list");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("cni-ctr1 ") && l.contains("cninet2") && l.contains(NETWORK)),
                list::toString);
        Out del = cni("DEL", "ctr1", container, "net1", second);
        assertEquals(0, del.exit(), del::toString);
        assertTrue(container.tryIp("link", "show", "net1").exitCode() != 0, "DEL left net1");
        assertTrue(container.tryIp("link", "show", "eth0").exitCode() == 0, "DEL of net1 took eth0 too");
    }

    @Test
    @Order(6)
    void aSecondAddOfTheSameAttachmentIsRefused() throws Exception {
        JsonObject e = assertError(cni("ADD", "ctr1", container, "eth0", config("")), 100);
        assertTrue(e.get("msg").getAsString().contains("already attached"), e::toString);
    }

    @Test
    @Order(7)
    void checkPassesAndThenSeesTheKernelChanged() throws Exception {
        String withPrev = config(",\"prevResult\":" + added);
        Out ok = cni("CHECK", "ctr1", container, "eth0", withPrev);
        assertEquals(0, ok.exit(), ok::toString);
        assertError(cni("CHECK", "nosuch", container, "eth0", withPrev), 3);
        String address = added.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
        container.ip("addr", "del", address, "dev", "eth0");
        try {
            JsonObject e = assertError(cni("CHECK", "ctr1", container, "eth0", withPrev), 102);
            assertTrue(e.get("msg").getAsString().contains(address), e::toString);
        } finally {
            container.ip("addr", "add", address, "dev", "eth0");
        }
    }

    @Test
    @Order(8)
    void badInputGetsTheSpecsCodes() throws Exception {
        assertError(cni("ADD", "ctr9", container, "eth0", "{not json"), 6);
        assertError(cni("ADD", "ctr9", null, "eth0", config("")), 4);
        assertError(cni("ADD", "ctr9", container, "eth0", config("").replace("1.1.0", "0.2.0")), 1);
        assertError(cni("ADD", "ctr9", container, "eth0", config("").replace("\"name\":\"" + NETWORK + "\"", "\"name\":\"nosuch\"")), 7);
        assertError(cni("GC", null, null, null, config("").replace("1.1.0", "1.0.0")), 1);
    }

    @Test
    @Order(9)
    void gcRemovesAttachmentsThatAreNotValid() throws Exception {
        Out a = cni("ADD", "ctr2", container2, "eth0", config(""));
        assertEquals(0, a.exit(), a::toString);
        Out gc = cni("GC", null, null, null, config(",\"cni.dev/valid-attachments\":[{\"containerID\":\"ctr1\",\"ifname\":\"eth0\"}]"));
        assertEquals(0, gc.exit(), gc::toString);
        assertError(cni("CHECK", "ctr2", container2, "eth0", config("")), 3);
        assertTrue(container2.tryIp("link", "show", "eth0").exitCode() != 0, "GC left ctr2's eth0");
        Out ok = cni("CHECK", "ctr1", container, "eth0", config(""));
        assertEquals(0, ok.exit(), "GC removed a valid attachment: " + ok);
    }

    @Test
    @Order(10)
    void delDetachesAndIsIdempotent() throws Exception {
        for (int i = 0; i < 2; i++) {
            Out d = cni("DEL", "ctr1", container, "eth0", config(""));
            assertEquals(0, d.exit(), d::toString);
            assertEquals("", d.out().trim(), d::toString);
        }
        assertTrue(container.tryIp("link", "show", "eth0").exitCode() != 0, "DEL left eth0 in the container");
        Out unknown = cni("DEL", "never-added", null, "eth0", config(""));
        assertEquals(0, unknown.exit(), unknown::toString);
        Weft.Result list = it.weft.run("sandbox:list");
        assertFalse(list.out().contains("cni-ctr1"), list::toString);
    }

    @Test
    @Order(11)
    void weftNotRunningIsTryAgainLater() throws Exception {
        String gone = config("").replace(it.weft.runDir.resolve("cli.sock").toString(), it.dir.resolve("nothing.sock").toString());
        JsonObject e = assertError(cni("ADD", "ctr3", container, "eth0", gone), 11);
        assertTrue(e.get("msg").getAsString().contains("not running"), e::toString);
    }


    /**
     * A real runtime: Debian's Podman 4.3 with the CNI backend (a private containers.conf: cni_plugin_dirs
     * is the instance's bin/, network_config_dir a conflist of its own, cgroupfs, private storage), running
     * a busybox root filesystem on the Weft network. Its namespaces are its own throwaway ones under
     * /run/netns (netns-UUID), gone with the container; the veths go to the instance's host namespace.
     */
    @Test
    @Order(12)
    void podmanRunsAContainerOnTheWeftNetwork() throws Exception {
        Path podmanBinary = Path.of("/usr/bin/podman");
        Assumptions.assumeTrue(Files.isExecutable(podmanBinary),
                "podman is not installed (apt-get install -y podman; ./weft test installs it): the Podman run is skipped");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/busybox")),
                "no /bin/busybox (apt-get install -y busybox-static): the Podman run is skipped");
        boolean cniCacheExisted = Files.exists(Path.of("/var/lib/cni"));
        Path dir = it.dir.resolve("podman");
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String tool : new String[] {"sh", "nc", "ip", "sleep", "cat"}) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(tool), Path.of("busybox"));
        }
        Files.createDirectories(dir.resolve("cni"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("containers.conf"), "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n"
                + "runtime = \"runc\"\ntmp_dir = \"" + dir.resolve("tmp") + "\"\n[network]\nnetwork_backend = \"cni\"\n"
                + "cni_plugin_dirs = [\"" + plugin.getParent() + "\"]\nnetwork_config_dir = \"" + dir.resolve("cni") + "\"\n");
        Files.writeString(dir.resolve("cni/" + NETWORK + ".conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NETWORK
                + "\",\"plugins\":[{\"type\":\"weft-cni\",\"capabilities\":{\"portMappings\":true},\"network\":\""
                + NETWORK + "\",\"socket\":\"" + it.weft.runDir.resolve("cli.sock") + "\"}]}");
        java.util.List<String> podman = java.util.List.of(podmanBinary.toString(), "--root", dir.resolve("storage").toString(),
                "--runroot", dir.resolve("runroot").toString(), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
                "--tmpdir", dir.resolve("tmp").toString());
        Map<String, String> env = Map.of("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
        // the machine's rlimits are below Podman's defaults (nofile 1048576), which runc may not raise
        java.util.List<String> limits = java.util.List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");
        try {
            Out run = command(env, podman, "run", limits, "-d", "--name", "pc1", "--network", NETWORK, "-p", "7481:80",
                    "--rootfs", rootfs.toString(), "/bin/sh", "-c", "while true; do echo ok | nc -l -p 80; done");
            assertEquals(0, run.exit(), run::toString);
            Weft.Result list = it.weft.run("sandbox:list");
            assertTrue(list.out().contains("cni-") && list.out().contains("7481->80/tcp"), list::toString);

            TestSandbox peer = it.sandbox("ppeer");
            Weft.Result created = it.weft.run("sandbox:create", "--network", NETWORK, "--ip", "10.231.0.60", peer.name());
            assertEquals(0, created.exit(), created::toString);
            try (TcpListener l = peer.listenTcp(9100)) {
                Out talk = command(env, podman, "exec", java.util.List.of(), "pc1", "sh", "-c",
                        "echo hi | nc -w 3 10.231.0.60 9100");
                assertEquals(0, talk.exit(), "the container cannot reach the Weft sandbox: " + talk);
            }
            assertTrue(outside.canConnectTcp("192.0.2.1", 7481, Duration.ofSeconds(5)),
                    "the container's published port 7481 does not answer from another namespace");
            Out rm = command(env, podman, "rm", java.util.List.of(), "-f", "-t", "0", "pc1");
            assertEquals(0, rm.exit(), rm::toString);
            Weft.Result after = it.weft.run("sandbox:list");
            assertFalse(after.out().contains("cni-"), "podman rm left the attachment: " + after);
        } finally {
            command(env, podman, "rm", java.util.List.of(), "-f", "-a", "-t", "0");
            if (!cniCacheExisted) {   // libcni's result cache, /var/lib/cni/results: empty again after DEL
                Cleanup.deleteTree(Path.of("/var/lib/cni"));
            }
        }
    }

    private static Out command(Map<String, String> env, java.util.List<String> podman, String sub, java.util.List<String> extra,
                               String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(podman);
        command.add(sub);
        command.addAll(extra);
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "podman " + sub + " did not end in 120 s");
        return new Out(p.exitValue(), out.join(), err.join());
    }
}
