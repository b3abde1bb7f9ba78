package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.SandboxSpec;
import dev.weft.testkit.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./weft purge}'s Java part on the real kernel: an instance's sandboxes, marked links and
 * nf_tables tables go, everything else in the (throwaway) host namespace stays; a second run and a
 * vanished host namespace are harmless.
 */
@ExtendWith(KernelTest.class)
class PurgeTest extends ControllerFixture.PerTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void removesWhatTheInstanceMarkedAndNothingElse() throws Exception {
        String sandbox = f.sandboxName("p1");
        f.controller.createSandbox(SandboxSpec.of(sandbox, "none"));
        assertTrue(Files.exists(f.etcNetns.resolve(sandbox).resolve("resolv.conf")));
        bridge("pgown0", "weft:pt:net1");
        bridge("pgown1", "weft:pt:net2");
        bridge("pgother", "weft:pt2:net1");      // another instance whose name starts alike
        bridge("pgplain", null);                 // nobody's mark
        f.host.exec("nft", "add", "table", "inet", "pt_table");
        f.host.exec("nft", "add", "table", "bridge", "pt_table");
        f.host.exec("nft", "add", "table", "inet", "other_table");
        Path otherTool = Files.createDirectories(f.etcNetns.resolve("not-weft"));
        f.stop();                                // as ./weft purge finds it: the runtime is stopped
        f.controller = null;
        f.kernel = null;

        assertEquals(0, purge(settings()), this::output);

        assertFalse(Files.exists(Path.of("/run/netns", sandbox)), "the sandbox's namespace is left");
        assertFalse(Files.exists(f.etcNetns.resolve(sandbox)), "the sandbox's resolv.conf is left");
        assertTrue(Files.isDirectory(otherTool), "another tool's /etc/netns entry must stay");
        assertEquals(List.of("lo", "pgother", "pgplain"), links());
        assertEquals(List.of("table inet other_table"), f.host.exec("nft", "list", "tables").lines().toList());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("removed 5 kernel object(s) of instance pt"), this::output);

        out.reset();
        Files.delete(otherTool);
        assertEquals(0, purge(settings()), this::output);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("nothing of instance pt left in the kernel"), this::output);
        assertFalse(Files.exists(f.etcNetns), "an /etc/netns directory left empty is removed");
    }

    @Test
    void aVanishedHostNamespaceIsNoError() throws Exception {
        Map<String, String> settings = settings();
        settings.put("hostNamespace", "/run/netns/wt-gone-" + f.host.id());
        assertEquals(0, purge(settings), this::output);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("is gone"), this::output);
    }

    @Test
    void settingsComeFromFilesAndArgumentsWithPlaceholdersReplaced(@TempDir Path dir) throws Exception {
        Path cfg = Files.writeString(dir.resolve("dev.weft.cfg"), """
                # as the distribution ships it
                instance = $[prop:weft.instance]
                runDir = $[prop:weft.run.dir]/x
                nftTable = $[env:TABLE]
                defaultMtu = 0
                """);
        Map<String, String> s = Purge.settings(List.of(cfg.toString(), "runDir=/run/other"),
                Map.of("weft.instance", "it1", "weft.run.dir", "/run/w")::get, Map.of("TABLE", "t1")::get);
        assertEquals("it1", s.get("instance"));
        assertEquals("/run/other", s.get("runDir"));        // a later argument wins
        assertEquals("t1", s.get("nftTable"));
        assertEquals("/var/lib/weft", s.get("stateDir"));   // core's default

        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class,
                () -> Purge.settings(List.of(cfg.toString()), k -> null, k -> null));
        assertEquals("instance = $[prop:weft.instance]: system property weft.instance is not set", unset.getMessage());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> Purge.settings(List.of("instanse=x"), k -> null, k -> null));
        assertTrue(typo.getMessage().startsWith("unknown setting \"instanse\" in \"instanse=x\": known are "),
                typo.getMessage());
    }

    private Map<String, String> settings() {
        Map<String, String> s = new java.util.HashMap<>();
        s.put("instance", "pt");
        s.put("hostNamespace", f.host.path().toString());
        s.put("netnsDir", "/run/netns");
        s.put("runDir", f.dir.resolve("run").toString());
        s.put("stateDir", f.dir.resolve("state").toString());
        s.put("etcNetnsDir", f.etcNetns.toString());
        s.put("nftTable", "pt_table");
        return s;
    }

    private int purge(Map<String, String> settings) {
        return Purge.run(settings, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private void bridge(String name, String alias) {
        f.host.ip("link", "add", name, "type", "bridge");
        if (alias != null) {
            f.host.ip("link", "set", name, "alias", alias);
        }
    }

    private List<String> links() {
        return f.host.ip("-o", "link", "show").lines().map(l -> l.split(": ", 3)[1].replaceFirst("@.*", ""))
                .sorted().toList();
    }

    private String output() {
        return "stdout:\n" + out.toString(StandardCharsets.UTF_8) + "stderr:\n" + err.toString(StandardCharsets.UTF_8);
    }
}
