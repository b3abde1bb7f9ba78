package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code docker network connect --ip --alias} and {@code disconnect -f} on Weft's sandboxes, proved
 * with traffic between their namespaces; the sandboxes as containers ({@code docker container
 * inspect}, {@code docker ps}); every error path prints Weft's message and exits 1.
 */
@ExtendWith(KernelTest.class)
class ConnectKernelTest extends DockerCliFixture.PerTest {

    @Test
    void sandboxesConnectedByTheCliTalkAndAreDisconnectedAgain() {
        f.ok("network", "create", "--subnet", "10.64.0.0/24", "net");
        f.ok("network", "create", "--subnet", "10.65.0.0/24", "first");
        TestSandbox a = f.sandbox("a", "first");
        TestSandbox b = f.sandbox("b", "first");
        assertEquals("", f.ok("network", "connect", "--ip", "10.64.0.5", "--alias", "web", "net", a.name()));
        assertEquals("", f.ok("network", "connect", "net", f.info(b).id().substring(0, 8)), "by an id prefix");

        EndpointInfo ea = endpoint(a, "net");
        assertEquals("10.64.0.5/24", ea.ipv4().toString());
        assertEquals(List.of("web"), ea.aliases());
        String ipB = endpoint(b, "net").ipv4().address().getHostAddress();
        try (TcpListener l = b.listenTcp(8080); TcpConnection c = a.connectTcp(ipB, 8080)) {
            assertEquals("10.64.0.5", c.peerSeenBy(l), "a reaches b over the network the CLI connected");
        }
        try (TcpListener l = a.listenTcp(8081); TcpConnection c = b.connectTcp("10.64.0.5", 8081)) {
            assertEquals(ipB, c.peerSeenBy(l), "and b reaches a at the address given with --ip");
        }

        String containers = f.ok("network", "inspect", "-f",
                "{{range $id, $c := .Containers}}{{$c.Name}} {{$c.IPv4Address}};{{end}}", "net");
        assertTrue(containers.contains(a.name() + " 10.64.0.5/24;"), containers);
        assertTrue(containers.contains(b.name() + " " + ipB + "/24;"), containers);
        assertEquals("10.64.0.5 24 10.64.0.1 [web] " + f.info(a).namespace() + "\n", f.ok("container", "inspect", "-f",
                "{{.NetworkSettings.Networks.net.IPAddress}} {{.NetworkSettings.Networks.net.IPPrefixLen}} "
                        + "{{.NetworkSettings.Networks.net.Gateway}} {{.NetworkSettings.Networks.net.Aliases}} "
                        + "{{.NetworkSettings.SandboxKey}}", a.name()));
        assertEquals("/" + a.name() + " running first\n", f.ok("container", "inspect", "-f",
                "{{.Name}} {{.State.Status}} {{.HostConfig.NetworkMode}}", a.name()));
        assertEquals(List.of(a.name(), b.name()), f.docker("ps", "--format", "{{.Names}}", "--filter", "network=net").lines());

        DockerCliFixture.Run inUse = f.docker("network", "rm", "net");
        assertEquals(1, inUse.exitCode());
        assertTrue(inUse.stderr().startsWith("Error response from daemon: "), inUse.stderr());

        assertEquals("", f.ok("network", "disconnect", "-f", "net", a.name()));
        assertEquals("", f.ok("network", "disconnect", "net", b.name()));
        assertTrue(f.info(a).endpoints().stream().noneMatch(e -> e.network().equals("net")));
        assertTrue(!b.canConnectTcp("10.64.0.5", 8081, java.time.Duration.ofMillis(300)), "a is gone from net");
        assertEquals("{}\n", f.ok("network", "inspect", "-f", "{{json .Containers}}", "net"));
        assertEquals("net\n", f.ok("network", "rm", "net"));
    }

    @Test
    void everyErrorPrintsWeftsMessageAndExits1() {
        f.ok("network", "create", "--subnet", "10.66.0.0/24", "net");
        TestSandbox a = f.sandbox("a", "net");

        assertError("Error response from daemon: network nosuch not found", "network", "inspect", "nosuch");
        assertEquals("[]\n", f.docker("network", "inspect", "nosuch").stdout(), "the CLI prints [] as with Docker");
        assertError("Error response from daemon: network nosuch not found", "network", "rm", "nosuch");
        assertError("Error response from daemon: No such container: nosuch", "network", "connect", "net", "nosuch");
        assertError("Error response from daemon: network nosuch not found", "network", "connect", "nosuch", a.name());
        assertError("Error response from daemon: invalid filter 'colour'", "network", "prune", "-f", "--filter", "colour=x");
        assertError("Error response from daemon: No such container: nosuch", "container", "inspect", "nosuch");

        // refusals of the controller: its messages, as the shell prints them
        String overlap = error("network", "create", "--subnet", "10.66.0.0/25", "other");
        assertTrue(overlap.contains("10.66.0.0"), overlap);
        String already = error("network", "connect", "net", a.name());
        assertTrue(already.contains(a.name()), already);
        f.ok("network", "create", "--subnet", "10.67.0.0/24", "home");
        String outside = error("network", "connect", "--ip", "10.99.0.5", "net", f.sandbox("b", "home").name());
        assertTrue(outside.contains("10.99.0.5"), outside);
        String v4only = error("network", "connect", "--ip6", "fd00::5", "net", f.host.namespaceName("b"));
        assertTrue(v4only.contains("fd00::5"), v4only);
        String unknownDriver = error("network", "create", "-d", "nosuchdriver", "x");
        assertTrue(unknownDriver.contains("nosuchdriver"), unknownDriver);
        String unknownOption = error("network", "create", "-o", "no.such.option=1", "y");
        assertTrue(unknownOption.contains("no.such.option"), unknownOption);
        String badName = error("network", "create", "bad name!");
        assertTrue(badName.contains("bad name!"), badName);
        String notConnected = error("network", "disconnect", "net", f.host.namespaceName("b"));
        assertTrue(notConnected.contains(f.host.namespaceName("b")), notConnected);

        DockerCliFixture.Run containers = f.docker("run", "--rm", "alpine", "true");
        assertEquals(125, containers.exitCode(), "docker run's own status for a daemon error");
        assertTrue(containers.stderr().contains("not implemented by Weft"), containers.stderr());
    }

    private void assertError(String expected, String... args) {
        DockerCliFixture.Run r = f.docker(args);
        assertEquals(1, r.exitCode(), String.join(" ", args) + ": " + r.stderr());
        assertEquals(expected + "\n", withoutInspectStatus(r.stderr()));
    }

    /** {@code docker inspect} commands add "exit status 1" after the daemon's error (with Docker too). */
    private static String withoutInspectStatus(String stderr) {
        return stderr.endsWith("\nexit status 1\n") ? stderr.substring(0, stderr.length() - "exit status 1\n".length()) : stderr;
    }

    /** The message of a command that must fail with status 1 and Weft's message from the daemon. */
    private String error(String... args) {
        DockerCliFixture.Run r = f.docker(args);
        assertEquals(1, r.exitCode(), String.join(" ", args) + ": " + r.stdout() + r.stderr());
        assertTrue(r.stderr().startsWith("Error response from daemon: "), r.stderr());
        assertEquals(1, withoutInspectStatus(r.stderr()).strip().split("\n").length, r.stderr());
        return r.stderr();
    }

    private EndpointInfo endpoint(TestSandbox s, String network) {
        return f.info(s).endpoints().stream().filter(e -> e.network().equals(network)).findFirst().orElseThrow();
    }
}
