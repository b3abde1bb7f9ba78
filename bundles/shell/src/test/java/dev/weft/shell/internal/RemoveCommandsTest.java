package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.api.WeftException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoveCommandsTest {
    private final FakeController controller = new FakeController();

    private RemoveNetwork removeNetworks(String... names) {
        RemoveNetwork c = new RemoveNetwork.Rm();
        c.controller = controller;
        c.networks = List.of(names);
        return c;
    }

    @Test
    void removesEachAndPrintsItsName() throws Exception {
        assertEquals("a\nb\n", Commands.run(removeNetworks("a", "b")));
        assertEquals(List.of("removeNetwork a", "removeNetwork b"), controller.calls);
    }

    @Test
    void continuesPastAFailureAndFailsAtTheEndWithItsMessage() {
        WeftException.Conflict busy = new WeftException.Conflict("network \"b\" has 2 sandboxes connected: web, db; disconnect them first");
        controller.failOn("b", busy);
        Commands.Failure f = Commands.fail(removeNetworks("a", "b", "c"));
        assertEquals(List.of("removeNetwork a", "removeNetwork b", "removeNetwork c"), controller.calls);
        assertEquals("a\nc\n", f.output());
        assertSame(busy, f.cause(), "a single failure keeps its type");
        assertEquals(busy.getMessage(), f.message());
    }

    @Test
    void severalFailuresAreListedOnOneLine() {
        controller.failOn("a", FakeController.notFound("network \"a\""));
        controller.failOn("c", new WeftException.Conflict("network \"c\" is predefined and cannot be removed"));
        Commands.Failure f = Commands.fail(removeNetworks("a", "b", "c"));
        assertEquals("b\n", f.output());
        assertEquals("2 of 3 networks were not removed: network \"a\" not found; "
                + "network \"c\" is predefined and cannot be removed", f.message());
    }

    @Test
    void forceIgnoresNetworksThatDoNotExist() throws Exception {
        controller.failOn("a", FakeController.notFound("network \"a\""));
        RemoveNetwork c = removeNetworks("a", "b");
        c.force = true;
        assertEquals("b\n", Commands.run(c));
    }

    @Test
    void sandboxRemoveContinuesPastAFailure() {
        controller.failOn("x", FakeController.notFound("sandbox \"x\""));
        RemoveSandbox c = new RemoveSandbox();
        c.controller = controller;
        c.sandboxes = List.of("x", "web");
        Commands.Failure f = Commands.fail(c);
        assertEquals("web\n", f.output());
        assertEquals("sandbox \"x\" not found", f.message());
        assertInstanceOf(WeftException.NotFound.class, f.cause());
        assertEquals(List.of("removeSandbox x", "removeSandbox web"), controller.calls);
    }

    @Test
    void sandboxRemoveForceAsksTheControllerToRemoveSharersToo() throws Exception {
        RemoveSandbox c = new RemoveSandbox.Rm();
        c.controller = controller;
        c.sandboxes = List.of("web");
        c.force = true;
        assertEquals("web\n", Commands.run(c));
        assertEquals(List.of("removeSandbox web --force"), controller.calls);
    }

    @Test
    void prunePrintsRemovedNamesUnderDockersHeading() throws Exception {
        PruneNetworks c = new PruneNetworks();
        c.controller = controller;
        assertEquals("", Commands.run(c));
        controller.pruned = List.of("blue", "red");
        assertEquals("Deleted Networks:\nblue\nred\n", Commands.run(c));
    }
}
