package dev.weft.linux;

import java.util.Objects;
import java.util.Optional;

/**
 * One element of a set as the kernel holds it: its key and, for a map, its data. Read back
 * elements carry raw bytes ({@link SetKey#raw}), which compare equal to keys built field by
 * field with the same encoding. Verdict data (verdict maps) is not represented: {@code data} is
 * empty for those, as for plain sets.
 */
public record NftElement(SetKey key, Optional<SetKey> data) {

    public NftElement {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(data, "data");
    }

    /** An element of a plain set. */
    public static NftElement of(SetKey key) {
        return new NftElement(key, Optional.empty());
    }

    /** An element of a map. */
    public static NftElement of(SetKey key, SetKey data) {
        return new NftElement(key, Optional.of(data));
    }

    /** {@code key : data} for a map element, {@code key} otherwise (raw keys print as hex). */
    @Override
    public String toString() {
        return data.map(d -> key + " : " + d).orElse(key.toString());
    }
}
