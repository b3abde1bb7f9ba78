package dev.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Docker's Engine API as people reach it (issue 14): the distribution started by {@code ./weft start}
 * serves {@code $WEFT_RUN_DIR/docker.sock}, and the real docker CLI (28.2.2 on this kind of machine)
 * and Debian's Docker SDK for Python ({@code python3-docker}, run by {@code /usr/bin/python3}) drive
 * it. Effects are proven with traffic between sandboxes and with the libc resolver inside them;
 * the socket's access with a user that lacks the group, one that has it, and {@code ss}. The bundle's
 * own tests cover every CLI form and filter in process; this class checks what only the
 * distribution shows (the feature booted, the socket's place and modes, the run directory).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerApiIT {
    private static final int PORT = 7400;
    private PrivateInstance it;
    private Path socket;
    private Path dockerConfig;

    /** What one docker CLI (or python) call did. */
    record Out(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    void start() throws Exception {
        it = PrivateInstance.create();
        // the host namespace's resolver is on its loopback, where nothing listens: no forwarded query leaves
        Path hostConf = it.etcNetnsDir.resolve(it.host.path().getFileName().toString()).resolve("resolv.conf");
        Files.createDirectories(hostConf.getParent());
        Files.writeString(hostConf, "nameserver 127.0.0.53\n");
        // others may pass through the instance's directory to the run directory (0711), as through /run
        Files.setPosixFilePermissions(it.dir, PosixFilePermissions.fromString("rwx--x--x"));
        it.start();
        socket = it.weft.runDir.resolve("docker.sock");
        dockerConfig = Files.createTempDirectory("weft-it-docker-config-");   // no contexts or credentials of root's
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (dockerConfig != null) {
                Cleanup.deleteTree(dockerConfig);
            }
        } finally {
            if (it != null) {
                it.close();
            }
        }
    }

    @Test
    @Order(1)
    void theSocketIsRootsWithMode0660AndNoTcpListenerIsOpen() throws Exception {
        assertTrue(Files.exists(socket), "no " + socket + " after ./weft start");
        PosixFileAttributes a = Files.readAttributes(socket, PosixFileAttributes.class);
        assertEquals("rw-rw----", PosixFilePermissions.toString(a.permissions()), "mode of " + socket);
        assertEquals("root", a.owner().getName(), "owner of " + socket);
        String expectedGroup = groupExists("docker") ? "docker" : "root";
        assertEquals(expectedGroup, a.group().getName(), "group of " + socket);
        assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(it.weft.runDir)),
                "mode of the run directory");

        long pid = it.pidFromStatus();
        for (List<String> ss : List.of(List.of("ss", "-Hltnp"), List.of("ip", "netns", "exec", it.host.name(), "ss", "-Hltnp"))) {
            Out o = run(ss);
            assertEquals(0, o.exit(), o::toString);
            for (String line : o.out().lines().toList()) {
                assertFalse(line.contains("pid=" + pid + ","), "the runtime listens on TCP by default: " + line);
            }
        }
    }

    @Test
    @Order(2)
    void aUserWithoutTheGroupIsRefusedAndAMemberGetsIn() throws Exception {
        Out nobody = run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env",
                "DOCKER_CONFIG=" + dockerConfig, "docker", "-H", "unix://" + socket, "network", "ls"));
        assertEquals(1, nobody.exit(), nobody::toString);
        assertTrue(nobody.err().contains("permission denied"), nobody::toString);
        if (groupExists("docker")) {
            Files.setPosixFilePermissions(dockerConfig, PosixFilePermissions.fromString("rwxr-xr-x"));
            Out member = run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--groups=" + gid("docker"), "env",
                    "DOCKER_CONFIG=" + dockerConfig, "docker", "-H", "unix://" + socket, "network", "ls"));
            assertEquals(0, member.exit(), member::toString);
            assertTrue(member.out().contains("bridge"), member::toString);
        }
    }

    @Test
    @Order(3)
    void theDockerCliDrivesWeftAndItsEffectsCarryTraffic() throws Exception {
        Out version = docker("version", "-f", "{{.Server.APIVersion}} {{.Client.APIVersion}} {{.Server.Os}}");
        assertEquals(0, version.exit(), version::toString);
        String[] v = version.out().strip().split(" ");
        assertTrue(v[0].matches("1\\.\\d+") && v[0].equals(v[1]) && v[2].equals("linux"),
                () -> "the CLI speaks the server's API version: " + version);
        Out info = docker("info", "-f", "{{json .Plugins.Network}}");
        assertEquals(0, info.exit(), info::toString);
        for (String driver : List.of("bridge", "host", "null", "macvlan")) {
            assertTrue(info.out().contains("\"" + driver + "\""), () -> "docker info lists no " + driver + ": " + info);
        }

        Out created = docker("network", "create", "--subnet", "10.77.0.0/24", "--gateway", "10.77.0.1",
                "--label", "made-by=docker", "itnet");
        assertEquals(0, created.exit(), created::toString);
        String id = created.out().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), () -> "network create printed no id: " + created);
        assertTrue(ok(it.weft.run("network:list")).out().contains("itnet"), "./weft sees the network docker made");
        assertEquals(id.substring(0, 12), docker("network", "ls", "-q", "--filter", "label=made-by=docker").out().strip());
        assertEquals("10.77.0.0/24 10.77.0.1", docker("network", "inspect", "-f",
                "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "itnet").out().strip());

        TestSandbox a = it.sandbox("a");
        TestSandbox b = it.sandbox("b");
        ok(it.weft.run("sandbox:create", "--network", "itnet", a.name()));
        ok(it.weft.run("sandbox:create", "--network", "bridge", b.name()));
        Out connected = docker("network", "connect", "--ip", "10.77.0.50", "--alias", "web", "itnet", b.name());
        assertEquals(0, connected.exit(), connected::toString);
        try (TcpListener l = b.listenTcp(PORT); TcpConnection c = a.connectTcp("10.77.0.50", PORT)) {
            assertEquals("10.77.0.2", c.peerSeenBy(l), "a reaches b at the address docker network connect --ip gave");
        }
        assertEquals("10.77.0.50", WeftRuntimeIT.resolve(it, a, "web"), "the alias docker network connect --alias gave");
        String containers = docker("network", "inspect", "-f",
                "{{range .Containers}}{{.Name}}={{.IPv4Address}} {{end}}", "itnet").out();
        assertTrue(containers.contains(b.name() + "=10.77.0.50/24") && containers.contains(a.name() + "=10.77.0.2/24"),
                containers);
        Out container = docker("container", "inspect", "-f",
                "{{(index .NetworkSettings.Networks \"itnet\").IPAddress}}", b.name());
        assertEquals("10.77.0.50", container.out().strip(), container::toString);

        Out inUse = docker("network", "rm", "itnet");
        assertEquals(1, inUse.exit(), inUse::toString);
        assertTrue(inUse.err().startsWith("Error response from daemon: ") && inUse.err().contains("itnet"), inUse::toString);

        Out disconnected = docker("network", "disconnect", "-f", "itnet", b.name());
        assertEquals(0, disconnected.exit(), disconnected::toString);
        assertEquals("", WeftRuntimeIT.resolve(it, a, "web"), "the alias is gone with the endpoint");
        ok(it.weft.run("sandbox:remove", a.name(), b.name()));

        Out removed = docker("network", "rm", "itnet");
        assertEquals(0, removed.exit(), removed::toString);
        assertEquals("itnet", removed.out().strip());
        assertFalse(ok(it.weft.run("network:list")).out().contains("itnet"));

        Out missing = docker("network", "inspect", "itnet");
        assertEquals(1, missing.exit(), missing::toString);
        assertTrue(missing.err().contains("Error response from daemon: ") && missing.err().contains("itnet"), missing::toString);
        Out predefined = docker("network", "rm", "bridge");
        assertEquals(1, predefined.exit(), predefined::toString);
        assertTrue(predefined.err().contains("Error response from daemon: "), predefined::toString);
        Out bad = docker("network", "create", "--subnet", "10.77.0.0/33", "badnet");
        assertEquals(1, bad.exit(), bad::toString);
        assertTrue(bad.err().contains("10.77.0.0/33"), () -> "the refusal names the value: " + bad);
        assertFalse(ok(it.weft.run("network:list")).out().contains("badnet"), "a refused create leaves no network");

        ok(it.weft.run("network:create", "unused1"));
        Out pruned = docker("network", "prune", "-f");
        assertEquals(0, pruned.exit(), pruned::toString);
        assertTrue(pruned.out().contains("Deleted Networks:") && pruned.out().contains("unused1"), pruned::toString);
    }

    /**
     * Debian's Docker SDK for Python (5.0.3, which negotiates the API version) creates a network with IPAM and labels, connects a
     * sandbox with an address and an alias, lists by label and looks the network's containers up
     * ({@code GET /containers/{id}/json}); traffic proves the connect; then it disconnects and removes.
     */
    @Test
    @Order(4)
    void theDockerSdkForPythonCreatesConnectsAndRemoves() throws Exception {
        TestSandbox a = it.sandbox("pa");
        TestSandbox b = it.sandbox("pb");
        Path script = it.dir.resolve("sdk.py");
        Files.writeString(script, """
                import json, sys, docker
                from docker.types import IPAMConfig, IPAMPool
                c = docker.DockerClient(base_url='unix://' + sys.argv[1])
                out = {'version': c.api.api_version, 'server': c.version()['ApiVersion']}
                if sys.argv[2] == 'create':
                    n = c.networks.create('sdknet', driver='bridge', labels={'made-by': 'sdk'},
                                          ipam=IPAMConfig(pool_configs=[IPAMPool(subnet='10.78.0.0/24', gateway='10.78.0.1')]),
                                          check_duplicate=True)
                    out['id'] = n.id
                    out['subnet'] = n.attrs['IPAM']['Config'][0]['Subnet']
                    out['labels'] = n.attrs['Labels']
                    n.connect(sys.argv[3], ipv4_address='10.78.0.60', aliases=['sdk-alias'])
                    n.reload()
                    out['containers'] = sorted(ct.name for ct in n.containers)
                    out['listed'] = [x.name for x in c.networks.list(filters={'label': 'made-by=sdk'})]
                    try:
                        c.networks.create('sdknet', driver='bridge')
                        out['duplicate'] = 'accepted'
                    except docker.errors.APIError as e:
                        out['duplicate'] = e.status_code
                else:
                    n = c.networks.get('sdknet')
                    n.disconnect(sys.argv[3], force=True)
                    n.reload()
                    out['containers'] = sorted(ct.name for ct in n.containers)
                    n.remove()
                    try:
                        c.networks.get('sdknet')
                        out['after'] = 'still there'
                    except docker.errors.NotFound:
                        out['after'] = 'not found'
                print(json.dumps(out))
                """);
        // a is on sdknet from the start (made by the SDK, so a is created after it); b joins through the SDK
        Out created = python(script, "create", b.name());
        assertTrue(created.exit() != 0 && created.err().contains(b.name()),
                () -> "b does not exist yet, so connect must fail naming it: " + created);
        ok(it.weft.run("sandbox:create", "--network", "bridge", b.name()));
        ok(it.weft.run("network:remove", "sdknet"));   // what the failed run made before connect
        Out run = python(script, "create", b.name());
        assertEquals(0, run.exit(), run::toString);
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals("1.50", o.get("server").getAsString(), "the version Weft announces");
        assertEquals("1.50", o.get("version").getAsString(), "the SDK negotiates the server's version");
        assertEquals("10.78.0.0/24", o.get("subnet").getAsString());
        assertEquals("sdk", o.getAsJsonObject("labels").get("made-by").getAsString());
        assertEquals("[\"" + b.name() + "\"]", o.get("containers").toString());
        assertEquals("[\"sdknet\"]", o.get("listed").toString());
        assertEquals(409, o.get("duplicate").getAsInt(), "a duplicate name");
        ok(it.weft.run("sandbox:create", "--network", "sdknet", a.name()));
        try (TcpListener l = b.listenTcp(PORT); TcpConnection c = a.connectTcp("10.78.0.60", PORT)) {
            assertTrue(c.peerSeenBy(l).startsWith("10.78.0."), "a reaches b at the address the SDK asked for");
        }
        assertEquals("10.78.0.60", WeftRuntimeIT.resolve(it, a, "sdk-alias"));
        ok(it.weft.run("sandbox:remove", a.name()));

        Out removed = python(script, "remove", b.name());
        assertEquals(0, removed.exit(), removed::toString);
        JsonObject r = JsonParser.parseString(removed.out().strip()).getAsJsonObject();
        assertEquals("[]", r.get("containers").toString());
        assertEquals("not found", r.get("after").getAsString());
        ok(it.weft.run("sandbox:remove", b.name()));
    }

    /**
     * {@code docker network create -d macvlan -o parent=…}: a veth of the test's host plays the parent, its
     * other end a LAN with a listener; a sandbox connected by {@code docker network connect} reaches it
     * with its own address.
     */
    @Test
    @Order(5)
    void aMacvlanNetworkMadeByTheDockerCliCarriesTraffic() throws Exception {
        TestSandbox lan = it.host.sandbox("dlan");
        it.host.link("dmv0", null, lan, "eth0", "10.89.0.1/24");
        Out created = docker("network", "create", "-d", "macvlan", "-o", "parent=dmv0", "--subnet", "10.89.0.0/24",
                "--gateway", "10.89.0.1", "dmv");
        assertEquals(0, created.exit(), created::toString);
        assertEquals("macvlan", docker("network", "inspect", "-f", "{{.Driver}}", "dmv").out().strip());
        TestSandbox m = it.sandbox("dm");
        ok(it.weft.run("sandbox:create", "--network", "none", m.name()));
        Out refused = docker("network", "connect", "dmv", m.name());
        assertEquals(1, refused.exit(), () -> "a sandbox on network none cannot join another: " + refused);
        ok(it.weft.run("sandbox:remove", m.name()));
        ok(it.weft.run("sandbox:create", "--network", "bridge", m.name()));
        Out connected = docker("network", "connect", "--ip", "10.89.0.7", "dmv", m.name());
        assertEquals(0, connected.exit(), connected::toString);
        try (TcpListener l = lan.listenTcp(PORT); TcpConnection c = m.connectTcp("10.89.0.1", PORT)) {
            assertEquals("10.89.0.7", c.peerSeenBy(l), "the LAN sees the sandbox's own macvlan address");
        }
        ok(it.weft.run("sandbox:remove", m.name()));
        assertEquals(0, docker("network", "rm", "dmv").exit());
    }

    /**
     * A network and IPAM plugin written for Docker (the docker-plugins bundle's test plugin: a bridge per
     * network, a veth per endpoint, pools in /24s), on a socket in Docker's own {@code /run/docker/plugins},
     * becomes a driver of the running distribution without a restart, serves a network the docker CLI
     * creates with traffic between two sandboxes, and vanishes when its socket goes.
     */
    @Test
    @Order(6)
    void aPluginInRunDockerPluginsBecomesADriverAndGoesWithItsSocket() throws Exception {
        Path script = Path.of("../bundles/docker-plugins/src/test/resources/dev/weft/dockerplugins/plugin.py").toRealPath();
        Path dir = Path.of("/run/docker/plugins");
        boolean made = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        String name = "weftit" + it.host.id();
        Path sock = dir.resolve(name + ".sock");
        Process plugin = new ProcessBuilder("/usr/bin/python3", script.toString(), "--socket", sock.toString(), "--kind",
                "both", "--netns", it.host.name(), "--base", "10.124.0.0/16", "--state", it.dir.resolve("plugin.json").toString())
                .redirectErrorStream(true).redirectOutput(it.dir.resolve("plugin.log").toFile()).start();
        try {
            WeftRuntimeIT.poll("docker info lists the plugin " + name, Duration.ofSeconds(15),
                    () -> docker("info", "-f", "{{json .Plugins.Network}}").out()
                    .contains("\"" + name + "\""));
            Out created = docker("network", "create", "-d", name, "--ipam-driver", name, "pnet");
            assertEquals(0, created.exit(), created::toString);
            String subnet = docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "pnet").out().strip();
            assertTrue(subnet.startsWith("10.124."), () -> "the IPAM plugin's pool: " + subnet);
            TestSandbox a = it.sandbox("qa");
            TestSandbox b = it.sandbox("qb");
            ok(it.weft.run("sandbox:create", "--network", "pnet", a.name()));
            ok(it.weft.run("sandbox:create", "--network", "bridge", b.name()));
            assertEquals(0, docker("network", "connect", "pnet", b.name()).exit());
            String bAddress = docker("container", "inspect", "-f", "{{(index .NetworkSettings.Networks \"pnet\").IPAddress}}",
                    b.name()).out().strip();
            try (TcpListener l = b.listenTcp(PORT); TcpConnection c = a.connectTcp(bAddress, PORT)) {
                assertTrue(c.peerSeenBy(l).startsWith("10.124."), "a reaches b over the plugin's bridge");
            }
            ok(it.weft.run("sandbox:remove", a.name(), b.name()));
            assertEquals(0, docker("network", "rm", "pnet").exit());
        } finally {
            plugin.destroy();
            plugin.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(sock);
            if (made) {
                Files.deleteIfExists(dir);
            }
        }
        WeftRuntimeIT.poll("the plugin leaves docker info with its socket", Duration.ofSeconds(15),
                () -> !docker("info", "-f", "{{json .Plugins.Network}}")
                .out().contains("\"" + name + "\""));
        assertTrue(it.host.ip("-o", "link", "show").lines().noneMatch(l -> l.contains(": pb") || l.contains(": ph")),
                () -> "the plugin's bridge and veths are gone: " + it.host.ip("-o", "link", "show"));
    }

    // ------------------------------------------------------------------------------------------

    private Out docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "DOCKER_CONFIG=" + dockerConfig, "docker", "-H", "unix://" + socket));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private Out python(Path script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), socket.toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static Out run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not end within 60 s");
        }
        return new Out(p.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
    }

    private static Weft.Result ok(Weft.Result r) {
        if (r.exit() != 0) {
            throw new AssertionError(r.toString());
        }
        return r;
    }

    private static boolean groupExists(String name) throws IOException {
        return Files.readAllLines(Path.of("/etc/group")).stream().anyMatch(l -> l.startsWith(name + ":"));
    }

    private static String gid(String name) throws IOException {
        return Files.readAllLines(Path.of("/etc/group")).stream().filter(l -> l.startsWith(name + ":"))
                .map(l -> l.split(":")[2]).findFirst().orElseThrow();
    }
}
