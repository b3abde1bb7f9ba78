package dev.weft.driver.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's option names; anything else refused naming the key and the accepted ones. */
class OverlayOptionsTest {

    @Test
    void dockersKeysAreParsed() {
        assertEquals(new OverlayOptions(List.of(), 0), OverlayOptions.parse(Map.of()));
        OverlayOptions o = OverlayOptions.parse(Map.of(OverlayOptions.VXLANID_LIST, "4097, 4098",
                OverlayOptions.MTU, "1400"));
        assertEquals(List.of(4097, 4098), o.vnis());
        assertEquals(4097, o.vni(), "the first carries the segment");
        assertEquals(1400, o.mtu());
    }

    @Test
    void badValuesAndUnknownKeysAreRefusedSayingWhatWorks() {
        for (String bad : List.of("0", "16777216", "x", "4097,,4098", "4097,4097")) {
            WeftException.InvalidRequest e = assertThrows(WeftException.InvalidRequest.class,
                    () -> OverlayOptions.parse(Map.of(OverlayOptions.VXLANID_LIST, bad)), bad);
            assertTrue(e.getMessage().contains(OverlayOptions.VXLANID_LIST), e.getMessage());
        }
        WeftException.InvalidRequest mtu = assertThrows(WeftException.InvalidRequest.class,
                () -> OverlayOptions.parse(Map.of(OverlayOptions.MTU, "67")));
        assertTrue(mtu.getMessage().contains("68"), mtu.getMessage());
        WeftException.InvalidRequest unknown = assertThrows(WeftException.InvalidRequest.class,
                () -> OverlayOptions.parse(Map.of("parent", "eth0")));
        assertTrue(unknown.getMessage().contains("parent") && unknown.getMessage().contains(OverlayOptions.VXLANID_LIST)
                && unknown.getMessage().contains(OverlayOptions.MTU), unknown.getMessage());
        WeftException.InvalidRequest encrypted = assertThrows(WeftException.InvalidRequest.class,
                () -> OverlayOptions.parse(Map.of("encrypted", "true")));
        assertTrue(encrypted.getMessage().contains("xfrm"), encrypted.getMessage());
    }
}
