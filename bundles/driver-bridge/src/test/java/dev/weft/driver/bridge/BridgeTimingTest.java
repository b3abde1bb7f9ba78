package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.api.EndpointSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.testkit.KernelTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rough figures for the report, not a benchmark (bench/ compares with the peers) and not asserted:
 * {@code -Dweft.timing=true}. Prints the median and worst of a sandbox setup with one published
 * port (namespace creation included), a connect to a second network, a disconnect and a sandbox
 * removal (user path; veth deletes run in the background).
 */
@ExtendWith(KernelTest.class)
@EnabledIfSystemProperty(named = "weft.timing", matches = "true")
class BridgeTimingTest {

    @Test
    void printTimings() throws Exception {
        int n = 50;
        try (BridgeFixture f = new BridgeFixture()) {
            f.network("one", "10.90.0.0/16", Map.of());
            f.network("two", "10.91.0.0/16", Map.of());
            List<Long> setup = new ArrayList<>(), connect = new ArrayList<>(), disconnect = new ArrayList<>(),
                    remove = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = f.host.namespaceName("t" + i);
                names.add(name);
                f.host.adopt("t" + i);
                long t0 = System.nanoTime();
                f.controller().createSandbox(new SandboxSpec(name, "one",
                        new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse((20000 + i) + ":80"))), null));
                setup.add(System.nanoTime() - t0);
            }
            for (String name : names) {
                long t0 = System.nanoTime();
                f.controller().connect("two", name, EndpointSpec.defaults());
                connect.add(System.nanoTime() - t0);
            }
            for (String name : names) {
                long t0 = System.nanoTime();
                f.controller().disconnect("two", name, false);
                disconnect.add(System.nanoTime() - t0);
            }
            for (String name : names) {
                long t0 = System.nanoTime();
                f.controller().removeSandbox(name);
                remove.add(System.nanoTime() - t0);
            }
            f.driver.drain();
            System.out.println("bridge driver timings over " + n + " sandboxes (ms, median / max): setup+port "
                    + fmt(setup) + ", connect " + fmt(connect) + ", disconnect " + fmt(disconnect) + ", remove sandbox "
                    + fmt(remove) + "; first 10 setup median " + fmt(setup.subList(0, 10)) + ", last 10 "
                    + fmt(setup.subList(n - 10, n)));
            assertEquals(0, f.controller().sandboxes().size());
        }
    }

    private static String fmt(List<Long> nanos) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        return String.format("%.2f / %.2f", s.get(s.size() / 2) / 1e6, s.get(s.size() - 1) / 1e6);
    }
}
