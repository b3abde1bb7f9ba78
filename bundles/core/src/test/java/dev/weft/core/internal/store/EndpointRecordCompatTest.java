package dev.weft.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Endpoint records written before gateway priorities (no {@code defaultRoute6}, no {@code gwPriority})
 * read as they meant: {@code defaultRoute} for both families, priority 0; new records keep both.
 * Records without driver options (all written before them) read with none and keep their shape.
 */
class EndpointRecordCompatTest {

    @Test
    void aRecordFromBeforeGatewayPrioritiesGivesBothFamiliesAtPriorityZero() throws IOException {
        Path dir = Files.createTempDirectory("weft-record-test-");
        try {
            Store store = new Store(dir.resolve("state"), dir.resolve("run"));
            String id = "ab".repeat(32);
            Files.writeString(dir.resolve("run/endpoints/" + id + ".json"), "{\"id\": \"" + id + "\", \"network\": \"n\", "
                    + "\"sandbox\": \"s\", \"state\": \"READY\", \"interfaceName\": \"eth0\", \"ipv4\": \"10.1.0.2/24\", "
                    + "\"ipv6\": \"fd00:1::2/64\", \"defaultRoute\": true, \"aliases\": [], \"ports\": []}");
            EndpointRecord old = store.endpoints(p -> { throw new AssertionError(p); }).get(0);
            assertTrue(old.defaultRoute());
            assertTrue(old.defaultRoute6());
            assertEquals(0, old.gwPriority());

            EndpointRecord split = new EndpointRecord(id, "n", "s", State.READY, "eth0", InterfaceAddress.parse("10.1.0.2/24"),
                    InterfaceAddress.parse("fd00:1::2/64"),
                    null, true, List.of(), List.of(), false, -7);
            store.put(split);
            EndpointRecord back = store.endpoints(p -> { throw new AssertionError(p); }).get(0);
            assertTrue(back.defaultRoute());
            assertFalse(back.defaultRoute6());
            assertEquals(-7, back.gwPriority());
            assertEquals(split, back);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void driverOptionsAreKeptInOrderAndARecordWithoutThemHasNoSuchField() throws IOException {
        Path dir = Files.createTempDirectory("weft-record-test-");
        try {
            Store store = new Store(dir.resolve("state"), dir.resolve("run"));
            String id = "cd".repeat(32);
            Map<String, String> options = new LinkedHashMap<>();
            options.put("com.docker.network.endpoint.sysctls", "net.ipv4.conf.IFNAME.log_martians=1");
            options.put("com.docker.network.endpoint.ifname", "front0");
            EndpointRecord with = new EndpointRecord(id, "n", "s", State.READY, "front0",
                    InterfaceAddress.parse("10.1.0.2/24"), null, MacAddress.parse("02:aa:00:00:00:01"), true, List.of(),
                    List.of(), false, 0, options);
            store.put(with);
            EndpointRecord back = store.endpoints(p -> { throw new AssertionError(p); }).get(0);
            assertEquals(with, back);
            assertEquals(List.copyOf(options.keySet()), List.copyOf(back.options().keySet()), "in the order given");

            store.put(new EndpointRecord(id, "n", "s", State.READY, "eth0", InterfaceAddress.parse("10.1.0.2/24"), null,
                    null, true, List.of(), List.of(), false, 0, Map.of()));
            assertFalse(Files.readString(dir.resolve("run/endpoints/" + id + ".json")).contains("driverOptions"),
                    "no field when there are none: the shape of the records before");
            EndpointRecord none = store.endpoints(p -> { throw new AssertionError(p); }).get(0);
            assertEquals(Map.of(), none.options());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
