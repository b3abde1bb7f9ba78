package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's removal without a kernel: addresses a driver holds are released on its word (once),
 * others when the namespace goes; the sandbox reaper's wait for a group's release ends on that word
 * or at its deadline.
 */
class EndpointRemovalTest {
    private final AtomicInteger releases = new AtomicInteger();

    @Test
    void heldAddressesAreReleasedOnTheDriversWordOnceAndTheWaitEndsThen() throws Exception {
        EndpointRemoval r = new EndpointRemoval("endpoint e", releases::incrementAndGet);
        Runnable free = r.holdAddresses();
        r.namespaceGone();
        assertFalse(r.released(), "held: not released when the namespace goes");
        Thread driver = new Thread(() -> {
            sleep(100);
            free.run();
            free.run();
        });
        long t0 = System.nanoTime();
        driver.start();
        r.awaitReleased(t0 + 5_000_000_000L);
        long waited = (System.nanoTime() - t0) / 1_000_000;
        driver.join();
        assertTrue(r.released());
        assertEquals(1, releases.get(), "released once");
        assertTrue(waited >= 90 && waited < 4_000, "the wait ended on the driver's word, after " + waited + " ms");
    }

    @Test
    void theWaitEndsAtItsDeadlineWhenTheDriverNeverSays() throws Exception {
        EndpointRemoval r = new EndpointRemoval("endpoint e", releases::incrementAndGet);
        r.holdAddresses();
        r.namespaceGone();
        long t0 = System.nanoTime();
        r.awaitReleased(t0 + 200_000_000L);
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waited >= 190, "waited " + waited + " ms");
        assertFalse(r.released());
        assertEquals(0, releases.get());
    }

    @Test
    void addressesNoDriverHoldsAreReleasedWhenTheNamespaceGoes() throws Exception {
        EndpointRemoval r = new EndpointRemoval("endpoint e", releases::incrementAndGet);
        r.namespaceGone();
        assertTrue(r.released());
        r.awaitReleased(System.nanoTime() + 5_000_000_000L); // returns at once
        assertEquals(1, releases.get());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
