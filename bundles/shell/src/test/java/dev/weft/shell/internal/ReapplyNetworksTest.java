package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.api.WeftException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReapplyNetworksTest {
    private final FakeController controller = new FakeController();

    private ReapplyNetworks command() {
        ReapplyNetworks c = new ReapplyNetworks();
        c.controller = controller;
        return c;
    }

    @Test
    void printsOneLinePerDriverThatReapplied() throws Exception {
        controller.reapplied = List.of("bridge", "macvlan");
        assertEquals("reapplied: bridge\nreapplied: macvlan\n", Commands.run(command()));
        assertEquals(List.of("reapply"), controller.calls);
    }

    @Test
    void printsNothingWhenNoDriverCanReapply() throws Exception {
        assertEquals("", Commands.run(command()));
    }

    @Test
    void aDriverFailureIsOneLineWithTheControllersMessage() {
        WeftException.Failed failed = new WeftException.Failed(
                "driver \"bridge\" of dev.weft.driver-bridge could not reapply its state: EPERM", null);
        controller.failOn("reapply", failed);
        Commands.Failure f = Commands.fail(command());
        assertSame(failed, f.cause());
        assertEquals("", f.output());
    }
}
