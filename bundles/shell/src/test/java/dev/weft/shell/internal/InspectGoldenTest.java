package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.api.DnsSettings;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxLink;
import dev.weft.api.SubnetStatus;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code network:inspect} and {@code sandbox:inspect} byte for byte as they were when the shapes
 * lived in the shell (the files in {@code golden/} were written by that code), now that the API
 * bundle's {@code dev.weft.api.docker} builds them: every field, its order, indentation, escaping,
 * a saturated count, Weft's {@code Status}, {@code Available} and {@code Remarks}.
 */
class InspectGoldenTest {
    private final FakeController controller = new FakeController();

    @Test
    void networkInspectIsUnchanged() throws Exception {
        NetworkInfo blue = Fixtures.blue().withIpamStatus(Map.of(IpPrefix.parse("10.1.0.0/24"),
                new SubnetStatus(BigInteger.valueOf(4), BigInteger.valueOf(120)), IpPrefix.parse("fd00:1::/64"),
                new SubnetStatus(BigInteger.valueOf(3), BigInteger.ONE.shiftLeft(64)))).withRemarks(Map.of("x", "y"));
        controller.networks.add(blue);
        controller.networks.add(Fixtures.network("a".repeat(64), "plain", "null", false));
        InspectNetwork n = new InspectNetwork();
        n.controller = controller;
        n.networks = List.of("blue", "plain");
        assertEquals(golden("network.json"), Commands.run(n));
    }

    @Test
    void sandboxInspectIsUnchanged() throws Exception {
        SandboxInfo web = Fixtures.web();
        controller.sandboxes.add(new SandboxInfo(web.id(), web.name(), web.namespace(), web.mode(), web.created(),
                web.endpoints(), "blue", List.of("x", "y"), "webhost", new DnsSettings(
                        List.of(IpAddresses.parse("10.0.0.53")), List.of("example.com"), List.of("ndots:2")),
                List.of(SandboxLink.parse("db:data"))));
        controller.resolverFiles.put("web", Map.of("resolv.conf", "nameserver 10.0.0.53\nsearch example.com\n",
                "hosts", "127.0.0.1 localhost\n"));
        controller.sandboxes.add(Fixtures.sandbox("b".repeat(64), "other"));
        InspectSandbox s = new InspectSandbox();
        s.controller = controller;
        s.sandboxes = List.of("web", "other");
        assertEquals(golden("sandbox.json"), Commands.run(s));
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = InspectGoldenTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
