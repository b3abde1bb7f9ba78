package dev.weft.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void everyStepRunsAndNothingIsThrownWhenNothingFailed() {
        List<String> ran = new ArrayList<>();
        Failures f = new Failures();
        f.run(() -> ran.add("a"));
        f.run(() -> ran.add("b"));
        f.throwIfAny("teardown");
        assertEquals(List.of("a", "b"), ran);
        assertTrue(f.isEmpty());
        assertNull(f.first());
    }

    @Test
    void aSingleFailureIsThrownAsItWasAfterTheOtherStepsRan() {
        List<String> ran = new ArrayList<>();
        WeftException.Conflict busy = new WeftException.Conflict("network \"b\" has endpoints");
        Failures f = new Failures();
        f.run(() -> ran.add("a"));
        f.run(() -> {
            throw busy;
        });
        f.run(() -> ran.add("c"));
        assertSame(busy, assertThrows(WeftException.Conflict.class, () -> f.throwIfAny("remove")));
        assertEquals(List.of("a", "c"), ran, "the step after the failure still ran");
    }

    @Test
    void severalFailuresBecomeOneNamingEach() {
        IllegalStateException first = new IllegalStateException("cannot delete link wfv1: EBUSY");
        WeftException.NotFound second = new WeftException.NotFound("table inet weft: ENOENT");
        Failures f = new Failures();
        f.run(() -> {
            throw first;
        });
        f.add(second);
        WeftException all = assertThrows(WeftException.class, () -> f.throwIfAny("endpoint 1a2b on \"blue\": leave failed"));
        assertEquals("endpoint 1a2b on \"blue\": leave failed: cannot delete link wfv1: EBUSY; table inet weft: ENOENT",
                all.getMessage());
        assertSame(first, all.getCause());
        assertArrayEquals(new Throwable[] {second}, all.getSuppressed());
        assertEquals(List.of(first, second), f.all());
    }

    @Test
    void firstCarriesTheOthersSuppressed() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b");
        Failures f = new Failures();
        f.add(a);
        f.add(b);
        assertSame(a, f.first());
        assertArrayEquals(new Throwable[] {b}, a.getSuppressed());
        assertEquals("a; b", f.messages());
    }
}
