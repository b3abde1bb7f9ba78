package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import dev.weft.spi.NoInterfaceDriver;
import dev.weft.spi.Reapplicable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code Controller.reapply()}: reaches every registered driver that is {@link Reapplicable}, and only those. */
class ControllerReapplyTest extends ControllerFixture.PerTest {
    /** A driver with nothing but the capability: counts its calls, fails when told to. */
    static final class Counting extends NoInterfaceDriver implements Reapplicable {
        final AtomicInteger calls = new AtomicInteger();
        volatile RuntimeException failure;

        Counting(String name) {
            super(name, name + "-net", dev.weft.spi.SandboxMode.NO_INTERFACE);
        }

        @Override
        public void reapply() {
            calls.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
        }
    }

    @Test
    void reachesReapplicableDriversOnlyAndNamesThem() {
        assertEquals(List.of(), f.controller.reapply(), "null, host and the test bridge cannot reapply");
        Counting one = new Counting("one");
        Counting two = new Counting("two");
        f.drivers.add("one", "test.one", "1.0.0", one, "one");
        f.drivers.add("two", "test.two", "1.0.0", two, "two");
        assertEquals(List.of("one", "two"), f.controller.reapply());
        assertEquals(List.of("one", "two"), f.controller.reapply(), "a second call is the same");
        assertEquals(2, one.calls.get());
        assertEquals(2, two.calls.get());

        f.drivers.remove("one");
        assertEquals(List.of("two"), f.controller.reapply(), "a driver that left is not called");
        assertEquals(2, one.calls.get());
    }

    @Test
    void aFailingDriverIsNamedAndTheOthersStillRun() {
        Counting bad = new Counting("bad");
        Counting good = new Counting("good");
        bad.failure = new IllegalStateException("cannot write table inet weft: EPERM");
        f.drivers.add("bad", "test.bad", "1.0.0", bad, "bad");
        f.drivers.add("good", "test.good", "1.0.0", good, "good");
        WeftException.Failed e = assertThrows(WeftException.Failed.class, f.controller::reapply);
        assertEquals("driver \"bad\" of test.bad could not reapply its state: cannot write table inet weft: EPERM"
                + " (reapplied: good)", e.getMessage());
        assertSame(bad.failure, e.getCause());
        assertEquals(1, good.calls.get());
        assertTrue(f.drivers.available("bad", "test.bad"), "a failure does not unregister the driver");
    }
}
