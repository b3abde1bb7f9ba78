package dev.weft.spi;

import java.util.Objects;

/**
 * Identifies a pool an {@link IpamDriver} handed out. Opaque to the controller: only the driver
 * that made it interprets it. It is written into the controller's records and read back after a
 * restart, so it must be stable: a driver returns the same id when the same pool is requested again
 * with the same explicit prefix and ip-range (see {@link IpamDriver#requestPool}).
 *
 * <p>Its string form is printable ASCII without spaces (1 to 256 characters from {@code !} to
 * {@code ~}), so it can be logged, shown to people and stored as it is; {@link #parse} accepts
 * exactly what {@link #toString} gives.
 *
 * @param value the id's string form
 */
public record PoolId(String value) {

    private static final int MAX_LENGTH = 256;

    public PoolId {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > MAX_LENGTH || !value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new IllegalArgumentException("\"" + value + "\" is not a pool id: expected 1-" + MAX_LENGTH
                    + " printable ASCII characters without spaces, like local/10.1.0.0/24");
        }
    }

    /** The id whose string form is {@code text}; the inverse of {@link #toString}. */
    public static PoolId parse(String text) {
        return new PoolId(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
