package dev.weft.driver.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing and checking conflists and options, without a kernel. */
class ConflistTest {

    @Test
    void theHighestSupportedOfCniVersionsIsSpoken() {
        Conflist c = Conflist.parse("{\"cniVersion\": \"0.4.0\", \"cniVersions\": [\"0.3.1\", \"1.0.0\", \"2.0.0\"], "
                + "\"name\": \"n\", \"plugins\": [{\"type\": \"bridge\"}, {\"type\": \"portmap\", "
                + "\"capabilities\": {\"portMappings\": true}}]}", "t");
        assertEquals("1.0.0", c.cniVersion());
        assertEquals(List.of("bridge", "portmap"), c.types());
        assertTrue(Conflist.wantsPortMappings(c.plugins().get(1)));
    }

    @Test
    void aSinglePluginConfIsAChainOfOne() {
        Conflist c = Conflist.parse("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"type\": \"ptp\"}", "t");
        assertEquals(List.of("ptp"), c.types());
    }

    @Test
    void refusalsSayWhatIsAccepted() {
        String none = assertThrows(WeftException.InvalidRequest.class, () -> Conflist.parse(
                "{\"cniVersions\": [\"0.1.0\"], \"name\": \"n\", \"type\": \"ptp\"}", "t")).getMessage();
        assertTrue(none.contains("accepted: 0.4.0, 1.0.0, 1.1.0"), none);
        String path = assertThrows(WeftException.InvalidRequest.class, () -> Conflist.parse(
                "{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"plugins\": [{\"type\": \"../../bin/sh\"}]}", "t")).getMessage();
        assertTrue(path.contains("is not a file name"), path);
        String noName = assertThrows(WeftException.InvalidRequest.class, () -> Conflist.parse(
                "{\"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"ptp\"}]}", "t")).getMessage();
        assertTrue(noName.contains("has no \"name\""), noName);
        String dir = assertThrows(WeftException.InvalidRequest.class, () -> CniOptions.parse(
                Map.of("conflist", "/x.conflist", "cni.path", "/ok:rel"))).getMessage();
        assertTrue(dir.contains("\"rel\" is not an absolute directory"), dir);
        assertEquals(Plugins.DEFAULT_PATH, CniOptions.parse(Map.of("conflist", "/x.conflist")).path());
    }
}
