package dev.weft.driver.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import dev.weft.testkit.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad conflists refused before anything is made; plugins that hang, crash, fail or answer garbage. */
@ExtendWith(KernelTest.class)
class CniRefusalsKernelTest extends CniFixture.PerTest {
    /** A fake plugin's VERSION answer and DEL; {@code add} is its ADD. */
    private static String fake(String add) {
        return "case \"$CNI_COMMAND\" in\n"
                + "VERSION) echo '{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}';;\n"
                + "ADD) " + add + ";;\n"
                + "DEL) echo DEL >> \"$(dirname \"$0\")/dels\";;\n"
                + "esac";
    }

    private String refused(Path conflist, String cniPath) {
        WeftException.InvalidRequest e = assertThrows(WeftException.InvalidRequest.class, () -> f.network("bad", conflist, cniPath));
        assertTrue(f.controller().network("bad").isEmpty(), "nothing made");
        return e.getMessage();
    }

    @Test
    void badConflistsAreRefusedSayingWhatIsAccepted() throws Exception {
        Path malformed = f.dir.resolve("malformed.conflist");
        Files.writeString(malformed, "{\"cniVersion\": \"1.0.0\", \"name\": ");
        assertTrue(refused(malformed, null).contains("is not valid JSON"));
        Path noPlugins = f.dir.resolve("noplugins.conflist");
        Files.writeString(noPlugins, "{\"cniVersion\": \"1.0.0\", \"name\": \"x\"}");
        assertTrue(refused(noPlugins, null).contains("has no \"plugins\""));
        Path noType = f.conflist("notype", "1.0.0", "{\"bridge\": \"x\"}");
        assertTrue(refused(noType, null).contains("has no \"type\""));
        String unknown = refused(f.conflist("unknown", "1.0.0", "{\"type\": \"no-such-plugin\"}"), null);
        assertTrue(unknown.contains("\"no-such-plugin\" not found in /opt/cni/bin:/usr/lib/cni"), unknown);
        String old = refused(f.conflist("old", "0.2.0", "{\"type\": \"bridge\"}"), null);
        assertTrue(old.contains("cniVersion \"0.2.0\" is not supported; accepted: 0.4.0, 1.0.0, 1.1.0"), old);
        String newer = refused(f.conflist("newer", "1.1.0", "{\"type\": \"bridge\"}"), null);
        assertTrue(newer.contains("speaks cniVersion 1.1.0, which CNI plugin \"bridge\" does not support"), newer);
        String relative = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createNetwork(
                new dev.weft.api.NetworkSpec("bad", "cni", List.of(), false, false,
                        java.util.Map.of("conflist", "x.conflist", "colour", "red"), java.util.Map.of()))).getMessage();
        assertTrue(relative.contains("unknown option \"colour\""), relative);
    }

    @Test
    void aHangingPluginIsKilledAndReportedAndNothingLeaks() throws Exception {
        f.fakePlugin("hang", fake("sleep 61.25"));
        f.network("h", f.conflist("h", "1.0.0", "{\"type\": \"hang\"}"), f.dir.resolve("fake").toString());
        long t0 = System.nanoTime();
        RuntimeException e = assertThrows(RuntimeException.class, () -> f.sandbox("a", "h"));
        assertTrue(e.getMessage().contains("CNI plugin \"hang\" (ADD) did not answer within 3000 ms and was killed"),
                e.getMessage());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        assertEquals("DEL\n", Files.readString(f.dir.resolve("fake/dels")), "DEL ran after the failed ADD");
        assertEquals(List.of(), CniFixture.strayProcesses(f.dir), "the plugin is gone");
        assertTrue(ProcessHandle.allProcesses().noneMatch(h -> h.info().commandLine().orElse("").contains("sleep 61.25")),
                "and what it started");
        assertTrue(f.controller().sandboxes().isEmpty());
        try (var s = Files.list(f.dir.resolve("cni"))) {
            assertTrue(s.allMatch(d -> !Files.exists(d.resolve("endpoints")) || d.resolve("endpoints").toFile().list().length == 0));
        }
    }

    @Test
    void garbageCrashesAndPluginErrorsBecomeClearErrors() throws Exception {
        f.fakePlugin("garbage", fake("echo 'this is not json'"));
        f.fakePlugin("crash", fake("kill -SEGV $$"));
        f.fakePlugin("fail", fake("echo '{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"no more addresses\","
                + "\"details\":\"pool 10.9.0.0/30 is full\"}'; exit 1"));
        String path = f.dir.resolve("fake").toString();
        f.network("g", f.conflist("g", "1.0.0", "{\"type\": \"garbage\"}"), path);
        f.network("c", f.conflist("c", "1.0.0", "{\"type\": \"crash\"}"), path);
        f.network("e", f.conflist("e", "1.0.0", "{\"type\": \"fail\"}"), path);
        String g = assertThrows(RuntimeException.class, () -> f.sandbox("a", "g")).getMessage();
        assertTrue(g.contains("CNI plugin \"garbage\" (ADD) answered with what is not a JSON object: this is not json"), g);
        String c = assertThrows(RuntimeException.class, () -> f.sandbox("b", "c")).getMessage();
        assertTrue(c.contains("CNI plugin \"crash\" failed ADD with exit status 139 (killed by signal 11)"), c);
        String e = assertThrows(RuntimeException.class, () -> f.sandbox("d", "e")).getMessage();
        assertTrue(e.contains("CNI plugin \"fail\" failed ADD: no more addresses (pool 10.9.0.0/30 is full) [CNI error code 11]"), e);
        assertEquals("DEL\nDEL\nDEL\n", Files.readString(f.dir.resolve("fake/dels")), "DEL after every failed ADD");
        assertTrue(f.controller().sandboxes().isEmpty());
        assertEquals(List.of(), CniFixture.strayProcesses(f.dir));
    }
}
