package dev.weft.linux;

import java.util.Objects;
import java.util.Optional;

/** A chain of a table as read back from the kernel; base chains carry their hook. */
public record NftChain(String name, Optional<Hook> hook) {

    /**
     * Where a base chain is attached: {@code type} (filter, nat, route), the hook by nft name
     * (prerouting, input, forward, output, postrouting, ingress, egress), the numeric priority,
     * and the policy (accept or drop).
     */
    public record Hook(String type, String hook, int priority, String policy) {}

    public NftChain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hook, "hook");
    }

    public boolean isBaseChain() {
        return hook.isPresent();
    }
}
