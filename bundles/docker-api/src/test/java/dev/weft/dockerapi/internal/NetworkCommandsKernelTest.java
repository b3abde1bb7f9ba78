package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.testkit.KernelTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The docker CLI 28.2.2 drives Weft's networks: {@code docker network ls} (plain, {@code -q},
 * {@code --no-trunc}, {@code --format json}, every filter), {@code create} with every IPAM option,
 * {@code inspect} with templates, {@code rm}, {@code prune}, {@code version}, {@code info}.
 */
@ExtendWith(KernelTest.class)
class NetworkCommandsKernelTest extends DockerCliFixture.PerTest {

    @Test
    void lsInEveryFormAndWithEveryFilter() {
        String blue = f.ok("network", "create", "--subnet", "10.61.0.0/24", "--label", "tier=web", "--label", "team",
                "blue").strip();
        String red = f.ok("network", "create", "--subnet", "10.62.0.0/24", "--internal", "--label", "tier=db", "red").strip();
        f.sandbox("a", "blue"); // blue is in use, red dangling

        List<String> table = f.docker("network", "ls").lines();
        assertEquals(List.of("NETWORK ID     NAME      DRIVER    SCOPE", blue.substring(0, 12) + "   blue      bridge    local",
                red.substring(0, 12) + "   red       bridge    local"), table);
        assertEquals(List.of(blue.substring(0, 12), red.substring(0, 12)), f.docker("network", "ls", "-q").lines());
        assertEquals(List.of(blue, red), f.docker("network", "ls", "-q", "--no-trunc").lines());
        List<String> json = f.docker("network", "ls", "--format", "json").lines();
        JsonObject r = JsonParser.parseString(json.get(1)).getAsJsonObject();
        assertEquals("red", r.get("Name").getAsString());
        assertEquals(red.substring(0, 12), r.get("ID").getAsString());
        assertEquals("bridge", r.get("Driver").getAsString());
        assertEquals("local", r.get("Scope").getAsString());
        assertEquals("true", r.get("Internal").getAsString());
        assertEquals("true", r.get("IPv4").getAsString());
        assertEquals("false", r.get("IPv6").getAsString());
        assertEquals("tier=db", r.get("Labels").getAsString());
        assertTrue(!r.get("CreatedAt").getAsString().startsWith("0001"), r.toString());

        assertEquals(List.of("blue", "red"), names("-f", "driver=bridge"));
        assertEquals(List.of(), names("-f", "driver=macvlan"));
        assertEquals(List.of("red"), names("-f", "id=" + red.substring(0, 5)));
        assertEquals(List.of("blue", "red"), names("-f", "label=tier"));
        assertEquals(List.of("blue"), names("-f", "label=tier=web"));
        assertEquals(List.of("blue"), names("-f", "label=team"));
        assertEquals(List.of("red"), names("-f", "name=re"));
        assertEquals(List.of("blue", "red"), names("-f", "scope=local"));
        assertEquals(List.of(), names("-f", "scope=global"));
        assertEquals(List.of("blue", "red"), names("-f", "type=custom"));
        assertEquals(List.of(), names("-f", "type=builtin"));
        assertEquals(List.of("red"), names("-f", "dangling=true"));
        assertEquals(List.of("blue"), names("-f", "dangling=false"));
        assertEquals(List.of("red"), names("-f", "dangling=1", "-f", "label=tier"));

        DockerCliFixture.Run bad = f.docker("network", "ls", "-f", "colour=red");
        assertEquals(1, bad.exitCode());
        assertEquals("Error response from daemon: invalid filter 'colour'\n", bad.stderr());
    }

    private List<String> names(String... filters) {
        List<String> args = new ArrayList<>(List.of("network", "ls", "--format", "{{.Name}}"));
        args.addAll(List.of(filters));
        return f.docker(args.toArray(String[]::new)).lines();
    }

    @Test
    void createWithEveryOptionInspectWithTemplatesRemoveAndPrune() {
        String id = f.ok("network", "create", "--subnet", "10.63.0.0/24", "--gateway", "10.63.0.1", "--ip-range",
                "10.63.0.128/25", "--aux-address", "router=10.63.0.254", "--ipv6", "--subnet", "fd00:63::/64",
                "--internal", "--label", "a=b", "-o", "com.docker.network.bridge.enable_icc=false", "green").strip();
        assertEquals(64, id.length(), id);
        // as with Docker, a field left out (omitempty) is read with index, not .Field
        assertEquals("10.63.0.0/24 10.63.0.128/25 10.63.0.1 map[router:10.63.0.254];fd00:63::/64 <no value> "
                        + "fd00:63::1 <no value>;\n",
                f.ok("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{index . \"IPRange\"}} "
                        + "{{index . \"Gateway\"}} {{index . \"AuxiliaryAddresses\"}};{{end}}", "green"));
        assertEquals("internal=true ipv6=true ipv4=true labels=map[a:b] driver=bridge scope=local "
                        + "icc=false ipam=default\n",
                f.ok("network", "inspect", "-f", "internal={{.Internal}} ipv6={{.EnableIPv6}} ipv4={{.EnableIPv4}} "
                        + "labels={{.Labels}} driver={{.Driver}} scope={{.Scope}} "
                        + "icc={{index .Options \"com.docker.network.bridge.enable_icc\"}} ipam={{.IPAM.Driver}}", "green"));
        assertEquals(id + "\n", f.ok("network", "inspect", "-f", "{{.Id}}", id.substring(0, 6)), "by an id prefix");

        DockerCliFixture.Run dup = f.docker("network", "create", "green");
        assertEquals(1, dup.exitCode());
        assertTrue(dup.stderr().startsWith("Error response from daemon: "), dup.stderr());
        assertTrue(dup.stderr().contains("green"), dup.stderr());

        f.ok("network", "create", "--label", "keep", "kept");
        f.ok("network", "create", "gone1");
        assertEquals("green\n", f.ok("network", "rm", "green"));
        assertEquals("Deleted Networks:\ngone1\n\n", f.ok("network", "prune", "-f", "--filter", "label!=keep"));
        assertEquals("Deleted Networks:\nkept\n\n", f.ok("network", "prune", "-f"));
        assertEquals("", f.ok("network", "prune", "-f"));
        assertEquals(List.of(), f.docker("network", "ls", "-q").lines());
        assertEquals(List.of(), f.controller().networks());
    }

    @Test
    void versionAndInfo() {
        assertEquals("1.50 1.24 linux Weft 0.1.0.test\n", f.ok("version", "-f",
                "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}} {{.Server.Platform.Name}}"));
        assertEquals("1.50\n", f.ok("version", "-f", "{{.Client.APIVersion}}"), "the CLI keeps its own version");
        assertEquals("[bridge] linux 0.1.0.test inactive\n",
                f.ok("info", "-f", "{{.Plugins.Network}} {{.OSType}} {{.ServerVersion}} {{.Swarm.LocalNodeState}}"));
        // a client pinned to an older version is served the same way
        Map<String, String> v141 = Map.of("DOCKER_API_VERSION", "1.41");
        assertEquals("1.41\n", f.dockerWith(v141, "version", "-f", "{{.Client.APIVersion}}").stdout());
        assertEquals(0, f.dockerWith(v141, "network", "create", "--subnet", "10.69.0.0/24", "old").exitCode());
        assertEquals(List.of("old"), f.dockerWith(v141, "network", "ls", "--format", "{{.Name}}").lines());
        DockerCliFixture.Run tooNew = f.dockerWith(Map.of("DOCKER_API_VERSION", "1.51"), "network", "ls");
        assertEquals(1, tooNew.exitCode());
        assertTrue(tooNew.stderr().contains("Maximum supported API version is 1.50"), tooNew.stderr());
        String info = f.ok("info");
        assertTrue(info.contains(" Network: bridge"), info);
        assertTrue(info.contains("Server Version: 0.1.0.test"), info);
    }
}
