package dev.weft.shell.internal;

import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.PortBinding;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Canned views for the command tests. */
final class Fixtures {
    private Fixtures() {}

    static final String NET_ID = "0123456789abcdef".repeat(4);
    static final String SANDBOX_ID = "fedcba9876543210".repeat(4);
    static final String ENDPOINT_ID = "1111222233334444".repeat(4);

    static EndpointInfo endpoint() {
        return new EndpointInfo(ENDPOINT_ID, "blue", NET_ID, "web", SANDBOX_ID, "eth0",
                MacAddress.parse("02:42:0a:01:00:02"), InterfaceAddress.parse("10.1.0.2/24"),
                InterfaceAddress.parse("fd00:1::2/64"), List.of("www"),
                List.of(new PortBinding("tcp", null, 8080, 80), new PortBinding("udp", IpAddresses.parse("127.0.0.1"), 5353, 53)),
                10, true, false, Map.of("com.docker.network.endpoint.ifname", "web0"));
    }

    /** Dual stack: an IPv4 subnet with range, gateway and an aux address, an IPv6 subnet with gateway only. */
    static NetworkInfo blue() {
        return new NetworkInfo(NET_ID, "blue", "bridge", "local", FakeController.CREATED, true, false, false, true,
                List.of(new SubnetInfo(IpPrefix.parse("10.1.0.0/24"), IpPrefix.parse("10.1.0.128/25"),
                                IpAddresses.parse("10.1.0.1"), Map.of("router", IpAddresses.parse("10.1.0.254"))),
                        new SubnetInfo(IpPrefix.parse("fd00:1::/64"), null, IpAddresses.parse("fd00:1::1"), Map.of())),
                Map.of("com.docker.network.bridge.name", "br-blue", "mtu", "1500"), Map.of("team", "<net>=ok"),
                List.of(endpoint()));
    }

    static NetworkInfo network(String id, String name, String driver, boolean available) {
        return new NetworkInfo(id, name, driver, "local", FakeController.CREATED, false, false, false, available,
                List.of(), Map.of(), Map.of(), List.of());
    }

    static SandboxInfo web() {
        return new SandboxInfo(SANDBOX_ID, "web", Path.of("/run/netns/web"), SandboxInfo.Mode.CREATED,
                FakeController.CREATED, List.of(endpoint()));
    }

    static SandboxInfo sandbox(String id, String name) {
        return new SandboxInfo(id, name, Path.of("/run/netns/" + name), SandboxInfo.Mode.CREATED,
                FakeController.CREATED, List.of());
    }
}
