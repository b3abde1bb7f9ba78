package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.KernelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code docker network create, ls, inspect, rm} against Weft. */
@ExtendWith(KernelTest.class)
class NetworkCommandsKernelTest extends DockerCliFixture.PerTest {

    @Test
    void createListInspectRemove() {
        String id = f.ok("network", "create", "--subnet", "10.61.0.0/24", "--gateway", "10.61.0.1", "blue").strip();
        assertEquals(64, id.length(), id);
        String ls = f.ok("network", "ls");
        assertTrue(ls.contains(id.substring(0, 12) + "   blue      bridge    local"), ls);
        System.out.println(ls);
        System.out.println(f.ok("network", "inspect", "blue"));
        assertEquals("blue\n", f.ok("network", "rm", "blue"));
    }
}
