package dev.weft.testkit;

/** Polling pause for the kit's "wait until" loops. */
final class Sleep {
    private Sleep() {
    }

    /** Sleeps a short while; false when interrupted (the interrupt flag is kept for the caller). */
    static boolean briefly() {
        try {
            Thread.sleep(20);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
