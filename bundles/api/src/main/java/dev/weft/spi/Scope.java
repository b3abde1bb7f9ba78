package dev.weft.spi;

/** Where a driver's networks live. */
public enum Scope {
    /** On this machine only. */
    LOCAL,
    /** Across machines (overlay): IPAM and records are shared through the global store. */
    GLOBAL;

    /** {@code local} or {@code global}, as Docker prints it. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
