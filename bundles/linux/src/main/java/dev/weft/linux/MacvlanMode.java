package dev.weft.linux;

import java.util.Arrays;

/**
 * How a macvlan link treats frames between the links of one parent (uapi if_link.h
 * {@code enum macvlan_mode}, the value of {@code IFLA_MACVLAN_MODE}).
 */
public enum MacvlanMode {
    /** No frames between the parent's macvlan links, not even when the switch sends them back. */
    PRIVATE(1),
    /** Every frame leaves through the parent; one between two links comes back only if the switch hairpins it. */
    VEPA(2),
    /** Frames between the parent's macvlan links are delivered directly, inside the kernel. */
    BRIDGE(4),
    /** The one link takes the parent over (its MAC, promiscuous mode): one link per parent. */
    PASSTHRU(8),
    /** Frames accepted by source MAC address (not used by Weft). */
    SOURCE(16);

    private final int value;

    MacvlanMode(int value) {
        this.value = value;
    }

    /** The kernel's value ({@code MACVLAN_MODE_*}). */
    public int value() {
        return value;
    }

    /** The mode with the kernel's value, or null for one this enum does not know. */
    public static MacvlanMode of(int value) {
        return Arrays.stream(values()).filter(m -> m.value == value).findFirst().orElse(null);
    }
}
