package dev.weft.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PoolIdTest {

    @Test
    void roundTripsThroughItsStringForm() {
        for (String s : new String[] {"local/10.1.0.0/16", "local/10.1.0.0/16/10.1.1.0/24", "global/fd12:3456:789a::/64",
                "x"}) {
            PoolId id = new PoolId(s);
            assertEquals(s, id.toString());
            assertEquals(id, PoolId.parse(id.toString()));
        }
    }

    @Test
    void refusesWhatCannotBeStoredOrPrinted() {
        for (String s : new String[] {"", "local 10.1.0.0/16", "tab\there", "naïve", "x".repeat(257)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PoolId.parse(s));
            assertTrue(e.getMessage().contains("printable ASCII"), e.getMessage());
        }
    }
}
