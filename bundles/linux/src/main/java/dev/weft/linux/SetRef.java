package dev.weft.linux;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A named nf_tables set or map: family, table and set name, printed the way nft names it,
 * e.g. {@code inet weft pub_any}.
 */
public record SetRef(NftFamily family, String table, String set) {

    public SetRef {
        Objects.requireNonNull(family, "family");
        checkName("table", table);
        checkName("set", set);
    }

    public static SetRef of(NftFamily family, String table, String set) {
        return new SetRef(family, table, set);
    }

    /** Checks an nf_tables object name: 1 to 255 bytes, no NUL (NFT_NAME_MAXLEN includes the NUL). */
    static void checkName(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " name is empty: nftables names have 1 to 255 bytes");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > 255 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " name \"" + name.replace("\0", "\\0") + "\" is not accepted: "
                    + "nftables names have 1 to 255 bytes and no NUL (this one has " + bytes + ")");
        }
    }

    /** {@code family table}, e.g. {@code inet weft}. */
    public String tableName() {
        return family.keyword() + " " + table;
    }

    @Override
    public String toString() {
        return family.keyword() + " " + table + " " + set;
    }
}
