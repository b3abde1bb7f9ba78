package dev.weft.driver.macvlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import dev.weft.linux.MacvlanMode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The macvlan options under Docker's names: defaults, every accepted value, refusals naming the value. */
class MacvlanOptionsTest {

    @Test
    void defaultsAreBridgeModeAndTheParentsMtu() {
        MacvlanOptions o = MacvlanOptions.parse(Map.of("parent", "eth0"));
        assertEquals(new MacvlanOptions("eth0", MacvlanMode.BRIDGE, 0), o);
        assertEquals(0, o.vlanId());
        assertEquals("eth0", o.lowerParent());
    }

    @Test
    void everyModeAndAnMtu() {
        for (String mode : new String[] {"bridge", "private", "vepa", "passthru", "VEPA"}) {
            assertEquals(MacvlanMode.valueOf(mode.toUpperCase()), MacvlanOptions.parse(Map.of("parent", "eth0",
                    "macvlan_mode", mode)).mode());
        }
        assertEquals(1400, MacvlanOptions.parse(Map.of("parent", "eth0", "com.docker.network.driver.mtu", "1400")).mtu());
    }

    @Test
    void aParentWithADotIsAVlanSubInterface() {
        MacvlanOptions o = MacvlanOptions.parse(Map.of("parent", "enp0s3.4094"));
        assertEquals(4094, o.vlanId());
        assertEquals("enp0s3", o.lowerParent());
        assertEquals("enp0s3.4094", o.parent());
    }

    @Test
    void noParentSaysWhatToGiveAndWhyThereIsNoDefault() {
        WeftException e = assertThrows(WeftException.InvalidRequest.class, () -> MacvlanOptions.parse(Map.of()));
        assertTrue(e.getMessage().contains("-o parent=IFACE") && e.getMessage().contains("no dummy link type"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth0.0", "eth0.4095", "eth0.x", ".10", "a-very-long-name0", "eth 0", "eth0."})
    void badParentsAreRefusedNamingThem(String parent) {
        WeftException e = assertThrows(WeftException.InvalidRequest.class,
                () -> MacvlanOptions.parse(Map.of("parent", parent)));
        assertTrue(e.getMessage().contains("parent=" + parent), e.getMessage());
    }

    @Test
    void badValuesAndUnknownKeysAreRefusedNamingThem() {
        WeftException mode = assertThrows(WeftException.InvalidRequest.class,
                () -> MacvlanOptions.parse(Map.of("parent", "eth0", "macvlan_mode", "source")));
        assertTrue(mode.getMessage().contains("macvlan_mode=source") && mode.getMessage().contains("passthru"));
        WeftException mtu = assertThrows(WeftException.InvalidRequest.class,
                () -> MacvlanOptions.parse(Map.of("parent", "eth0", "com.docker.network.driver.mtu", "67")));
        assertTrue(mtu.getMessage().contains("=67") && mtu.getMessage().contains("68 to 65535"), mtu.getMessage());
        WeftException key = assertThrows(WeftException.InvalidRequest.class,
                () -> MacvlanOptions.parse(Map.of("parent", "eth0", "ipvlan_mode", "l2")));
        assertTrue(key.getMessage().contains("ipvlan_mode") && key.getMessage().contains("parent, macvlan_mode"),
                key.getMessage());
    }
}
