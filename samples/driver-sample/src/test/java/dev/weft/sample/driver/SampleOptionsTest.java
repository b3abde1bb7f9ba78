package dev.weft.sample.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.api.WeftException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleOptionsTest {

    @Test
    void noOptionsLeaveTheMtuToTheInstance() {
        SampleOptions o = SampleOptions.parse(Map.of());
        assertEquals(0, o.mtu());
        assertEquals(9000, o.effectiveMtu(9000));
        assertEquals(0, o.effectiveMtu(0));
    }

    @Test
    void mtuIsParsedAndWinsOverTheInstanceDefault() {
        SampleOptions o = SampleOptions.parse(Map.of("mtu", " 1400 "));
        assertEquals(1400, o.mtu());
        assertEquals(1400, o.effectiveMtu(9000));
    }

    @Test
    void unknownKeyIsRefusedByName() {
        WeftException.InvalidRequest e = assertThrows(WeftException.InvalidRequest.class,
                () -> SampleOptions.parse(Map.of("mtu", "1400", "bridge", "br0")));
        assertEquals("driver \"sample\" has no option \"bridge\": known options are mtu", e.getMessage());
    }

    @Test
    void badMtuIsRefusedWithWhatIsAccepted() {
        for (String bad : new String[] {"abc", "67", "65536", ""}) {
            WeftException.InvalidRequest e = assertThrows(WeftException.InvalidRequest.class,
                    () -> SampleOptions.parse(Map.of("mtu", bad)));
            assertEquals("driver \"sample\": option mtu=\"" + bad + "\" is not valid: expected a whole number from 68 to 65535",
                    e.getMessage());
        }
    }
}
