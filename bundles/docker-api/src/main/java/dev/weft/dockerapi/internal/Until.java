package dev.weft.dockerapi.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code until} filter of a prune, as Docker's {@code timetypes.GetTimestamp} reads it: a
 * duration before now in Go's syntax ({@code 24h}, {@code 1h30m}, {@code 90s}), a Unix timestamp
 * ({@code 1700000000}, {@code 1700000000.5}), or an RFC 3339 date and time ({@code 2026-12-01T10:00:00Z},
 * {@code 2026-12-01T10:00:00}, in UTC without an offset, or a date {@code 2026-12-01}).
 */
final class Until {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern DURATIONS = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h))+");
    private static final Pattern UNIX = Pattern.compile("\\d+(?:\\.\\d+)?");

    private Until() {}

    /** The instant, or null for none. */
    static Instant parse(String text, Instant now) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (DURATIONS.matcher(t).matches()) {
            BigDecimal nanos = BigDecimal.ZERO;
            Matcher m = DURATION.matcher(t);
            while (m.find()) {
                BigDecimal n = new BigDecimal(m.group(1));
                long unit = switch (m.group(2)) {
                    case "ns" -> 1L;
                    case "us", "µs" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    default -> 3_600_000_000_000L;
                };
                nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
            }
            return now.minus(Duration.ofNanos(nanos.longValue()));
        }
        if (UNIX.matcher(t).matches()) {
            BigDecimal seconds = new BigDecimal(t);
            return Instant.ofEpochSecond(seconds.longValue(),
                    seconds.subtract(new BigDecimal(seconds.longValue())).movePointRight(9).longValue());
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("filter until=" + text + ": expected a duration like 24h or 1h30m, a Unix "
                    + "timestamp like 1700000000, or a date and time like 2026-12-01T10:00:00Z or 2026-12-01");
        }
    }
}
