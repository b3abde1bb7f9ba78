package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UntilTest {
    static final Instant NOW = Instant.parse("2026-12-08T12:00:00Z");

    @Test
    void durationsTimestampsAndDates() {
        assertNull(Until.parse(null, NOW));
        assertEquals(Instant.parse("2026-12-07T12:00:00Z"), Until.parse("24h", NOW));
        assertEquals(Instant.parse("2026-12-08T10:30:00Z"), Until.parse("1h30m", NOW));
        assertEquals(Instant.parse("2026-12-08T11:59:59.500Z"), Until.parse("500ms", NOW));
        assertEquals(Instant.ofEpochSecond(1700000000), Until.parse("1700000000", NOW));
        assertEquals(Instant.ofEpochSecond(1700000000, 500_000_000), Until.parse("1700000000.5", NOW));
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), Until.parse("2026-12-01T10:00:00Z", NOW));
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), Until.parse("2026-12-01T10:00:00+02:00", NOW));
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), Until.parse("2026-12-01T10:00:00", NOW));
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), Until.parse("2026-12-01", NOW));
        ApiException e = assertThrows(ApiException.class, () -> Until.parse("1d", NOW));
        assertEquals(400, e.status());
    }
}
