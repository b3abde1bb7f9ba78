package dev.weft.core.internal;

/**
 * A test hook for crash tests: when the system property {@code weft.test.crash-at} names a point the
 * controller reaches, the JVM halts there at once, as {@code kill -9} would (no shutdown hooks, no
 * cleanup), e.g. between a kernel change and its record. Unset in production: one property read.
 */
final class CrashPoints {
    static final String PROPERTY = "weft.test.crash-at";

    private CrashPoints() {}

    static void reach(String point) {
        if (point.equals(System.getProperty(PROPERTY))) {
            System.err.println("weft: halting at crash point " + point + " (" + PROPERTY + ")");
            Runtime.getRuntime().halt(137);
        }
    }
}
