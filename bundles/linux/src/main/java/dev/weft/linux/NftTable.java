package dev.weft.linux;

import java.util.List;
import java.util.Optional;

/** A table as read back from the kernel: its chains and its sets with their elements, in kernel order. */
public record NftTable(NftFamily family, String name, int flags, List<NftChain> chains, List<NftSet> sets) {

    public NftTable {
        chains = List.copyOf(chains);
        sets = List.copyOf(sets);
    }

    public Optional<NftChain> chain(String chainName) {
        return chains.stream().filter(c -> c.name().equals(chainName)).findFirst();
    }

    public Optional<NftSet> set(String setName) {
        return sets.stream().filter(s -> s.name().equals(setName)).findFirst();
    }
}
