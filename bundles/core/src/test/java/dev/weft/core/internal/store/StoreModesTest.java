package dev.weft.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.api.SandboxInfo;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.testkit.OtherUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may read Weft's records, proven by trying as user nobody (setpriv, so root only): records
 * and their directories are root's alone, the run directory Weft makes can be passed through but
 * not listed, and records an earlier version left readable are narrowed when the store opens.
 */
class StoreModesTest {
    @TempDir
    Path tmp;
    private Path state;
    private Path run;

    @BeforeEach
    void walkable() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "setpriv needs root");
        // JUnit makes the temporary directory 0700: open it so that only the store's modes stop nobody.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        state = tmp.resolve("state");
        run = tmp.resolve("run");
    }

    @Test
    void recordsAreReadableByRootOnly() throws IOException {
        Store store = new Store(state, run);
        store.put(network("n1"));
        store.put(sandbox("s1"));
        store.put(endpoint("e1"));

        for (Path dir : List.of(state, run, state.resolve("networks"), run.resolve("sandboxes"), run.resolve("endpoints"))) {
            OtherUser.assertDenied("ls", dir.toString());
        }
        for (Path record : List.of(state.resolve("networks/n1.json"), run.resolve("sandboxes/s1.json"),
                run.resolve("endpoints/e1.json"))) {
            OtherUser.assertDenied("cat", record.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(record)));
        }
        // The run directory can be passed through (a socket of the user's group may live there one day).
        OtherUser.assertAllowed("stat", run.resolve("sandboxes").toString());
        OtherUser.assertDenied("stat", state.resolve("networks").toString());
        assertEquals(1, store.sandboxes(problem -> { }).size(), "root still reads them");
    }

    @Test
    void recordsAnEarlierVersionLeftReadableAreNarrowedWhenTheStoreOpens() throws IOException {
        Path sandboxes = Files.createDirectories(run.resolve("sandboxes"));
        Path networks = Files.createDirectories(state.resolve("networks"));
        for (Path dir : List.of(state, run, sandboxes, networks)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path old = Files.writeString(sandboxes.resolve("s0.json"), "{}");
        Path oldNetwork = Files.writeString(networks.resolve("n0.json"), "{}");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(oldNetwork, PosixFilePermissions.fromString("rw-r--r--"));
        OtherUser.assertAllowed("cat", old.toString());        // the starting point: readable by all

        new Store(state, run);

        OtherUser.assertDenied("cat", old.toString());
        OtherUser.assertDenied("cat", oldNetwork.toString());
        OtherUser.assertDenied("ls", sandboxes.toString());
        OtherUser.assertDenied("ls", networks.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(old)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(run)),
                "a directory Weft did not make now keeps its mode");
    }

    private static NetworkRecord network(String id) {
        return new NetworkRecord(id, "blue", "bridge", "dev.weft.driver-bridge", State.READY, Instant.EPOCH, false, false,
                false, List.of(), Map.of(), Map.of(), null, false, null);
    }

    private static SandboxRecord sandbox(String id) {
        return new SandboxRecord(id, "web", Path.of("/run/netns/web"), 1, 2, SandboxInfo.Mode.CREATED, State.READY,
                Instant.EPOCH, List.of("e1"), null);
    }

    private static EndpointRecord endpoint(String id) {
        return new EndpointRecord(id, "n1", "s1", State.READY, "eth0", InterfaceAddress.parse("10.1.0.2/24"), null,
                MacAddress.parse("02:42:0a:01:00:02"), true, List.of(), List.of());
    }
}
