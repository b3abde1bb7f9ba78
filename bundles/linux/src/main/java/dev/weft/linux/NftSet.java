package dev.weft.linux;

import dev.weft.linux.internal.NfTables;
import java.util.List;

/**
 * A set or map of a table as read back from the kernel. {@code keyType} and {@code dataType} are
 * nft's datatype ids (a concatenation packs one 6-bit id per field, the first field highest);
 * the lengths are in bytes, each field padded to 4 as {@link SetKey} encodes it. {@code dataType}
 * and {@code dataLength} are 0 for a plain set.
 */
public record NftSet(String name, int flags, int keyType, int keyLength, int dataType, int dataLength,
                     List<NftElement> elements) {

    public NftSet {
        elements = List.copyOf(elements);
    }

    /** A map (NFT_SET_MAP): its elements carry data. */
    public boolean isMap() {
        return (flags & NfTables.NFT_SET_MAP) != 0;
    }

    /** An anonymous set made by nft for a rule ({@code __set0}, {@code __map0}, ...). */
    public boolean isAnonymous() {
        return (flags & NfTables.NFT_SET_ANONYMOUS) != 0;
    }

    /** A map whose data are verdicts (NFT_DATA_VERDICT): no data bytes are read back for it. */
    public boolean isVerdictMap() {
        return isMap() && dataType == NfTables.NFT_DATA_VERDICT;
    }
}
