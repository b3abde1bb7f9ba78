package dev.weft.driver.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TestSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CNI 1.1 with a plugin that speaks it (Debian's stop at 1.0.0): a fake plugin that logs each call's
 * environment and stdin. STATUS before ADD, the environment and config of ADD, CHECK and DEL,
 * GC with the valid attachments after a restart.
 */
@ExtendWith(KernelTest.class)
class CniSpec11KernelTest extends CniFixture.PerTest {
    private static final String PLUGIN = """
            log="$(dirname "$0")/calls"
            in=$(cat)
            echo "$CNI_COMMAND|$CNI_CONTAINERID|$CNI_NETNS|$CNI_IFNAME|$CNI_PATH|$CNI_ARGS|$in" >> "$log"
            case "$CNI_COMMAND" in
            VERSION) echo '{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0","1.1.0"]}';;
            ADD) echo '{"cniVersion":"1.1.0","interfaces":[{"name":"'"$CNI_IFNAME"'","mac":"02:00:00:00:00:11","sandbox":"'"$CNI_NETNS"'"}],"ips":[{"address":"10.99.0.5/24","interface":0}],"dns":{}}';;
            esac""";

    @Test
    void statusAddCheckGcAndDelAsTheSpecSays() throws Exception {
        f.fakePlugin("spec11", PLUGIN);
        Path calls = f.dir.resolve("fake/calls");
        String path = f.dir.resolve("fake").toString();
        f.network("s", f.conflist("s", "1.1.0", "{\"type\": \"spec11\", \"x\": 1}"), path);
        TestSandbox a = f.sandbox("a", "s");
        EndpointInfo ep = f.controller().sandbox(a.name()).orElseThrow().endpoints().get(0);
        String sandboxId = f.controller().sandbox(a.name()).orElseThrow().id();
        List<String> log = Files.readAllLines(calls).stream().filter(l -> !l.startsWith("VERSION")).toList();
        assertTrue(log.get(0).startsWith("STATUS|"), "STATUS before ADD: " + log);
        String add = log.get(1);
        assertTrue(add.startsWith("ADD|" + sandboxId + "|" + a.path() + "|eth0|" + path + "|IgnoreUnknown=1|"), add);
        assertTrue(add.contains("\"name\":\"s\"") && add.contains("\"cniVersion\":\"1.1.0\"") && add.contains("\"x\":1"), add);
        assertEquals("02:00:00:00:00:11", String.valueOf(ep.mac()), "the MAC the plugin reported");
        assertTrue(ep.driverInfo().get("Cni.ips").contains("10.99.0.5/24"), ep.driverInfo().toString());

        Files.delete(calls);
        f.restart();
        f.driver.awaitBackground();
        log = Files.readAllLines(calls).stream().filter(l -> !l.startsWith("VERSION")).toList();
        String all = String.join("\n", log);
        String gc = log.stream().filter(l -> l.startsWith("GC|")).findFirst().orElseThrow(() -> new AssertionError(
                "GC after the restart: " + all));
        assertTrue(gc.contains("\"cni.dev/valid-attachments\":[{\"containerID\":\"" + sandboxId + "\",\"ifname\":\"eth0\"}]"), gc);
        String check = log.stream().filter(l -> l.startsWith("CHECK|")).findFirst().orElseThrow();
        assertTrue(check.contains("\"prevResult\":{") && check.contains("10.99.0.5/24"), check);

        Files.delete(calls);
        f.controller().removeSandbox(a.name(), false);
        String del = Files.readAllLines(calls).stream().filter(l -> l.startsWith("DEL|")).findFirst().orElseThrow();
        assertTrue(del.contains("\"prevResult\":{") && del.contains("10.99.0.5/24"), "DEL with the cached result: " + del);
        f.controller().removeNetwork("s");
        assertFalse(Files.exists(f.dir.resolve("cni").resolve(ep.networkId())));
    }
}
