package dev.weft.api.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sandbox as Docker's container: moby v28.2.2's field names and order (api/types/container, api/types/network). */
class ContainerShapesTest {
    static final Instant CREATED = Instant.parse("2026-12-08T10:00:00.5Z");
    static final String NET = "n".repeat(64);

    static final NetworkInfo BLUE = new NetworkInfo(NET, "blue", "bridge", "local", CREATED, true, false, false, true,
            List.of(new SubnetInfo(IpPrefix.parse("10.1.0.0/24"), null, IpAddresses.parse("10.1.0.1"), Map.of()),
                    new SubnetInfo(IpPrefix.parse("fd00:1::/64"), null, IpAddresses.parse("fd00:1::1"), Map.of())),
            Map.of(), Map.of(), List.of());

    static final SandboxInfo WEB = new SandboxInfo("s".repeat(64), "web", Path.of("/run/netns/web"), SandboxInfo.Mode.CREATED,
            CREATED, List.of(new EndpointInfo("e".repeat(64), "blue", NET, "web", "s".repeat(64), "eth0",
                    MacAddress.parse("02:42:0a:01:00:02"), InterfaceAddress.parse("10.1.0.2/24"),
                    InterfaceAddress.parse("fd00:1::2/64"), List.of("www"), List.of(new PortBinding("tcp", null, 8080, 80)),
                    5, true, true, Map.of(), List.of("web", "www"))));

    @Test
    void endpointSettingsAreMobysInItsOrder() {
        Map<String, Object> e = ContainerShapes.endpointSettings(WEB.endpoints().get(0), BLUE);
        assertEquals(List.of("IPAMConfig", "Links", "Aliases", "MacAddress", "DriverOpts", "GwPriority", "NetworkID",
                "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address",
                "GlobalIPv6PrefixLen", "DNSNames"), new ArrayList<>(e.keySet()));
        assertEquals("10.1.0.1", e.get("Gateway"));
        assertEquals("10.1.0.2", e.get("IPAddress"));
        assertEquals(24, e.get("IPPrefixLen"));
        assertEquals("fd00:1::1", e.get("IPv6Gateway"));
        assertEquals("fd00:1::2", e.get("GlobalIPv6Address"));
        assertEquals(64, e.get("GlobalIPv6PrefixLen"));
        assertEquals(5, e.get("GwPriority"));
        assertEquals(List.of("www"), e.get("Aliases"));
        assertNull(e.get("DriverOpts"), "Go's nil map");
        assertEquals(List.of("web", "www"), e.get("DNSNames"));
    }

    @Test
    void inspectHasTheContainerFieldsToolsLookUp() {
        Map<String, Object> c = ContainerShapes.inspect(WEB, id -> id.equals(NET) ? BLUE : null);
        assertEquals(List.of("Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath", "HostsPath",
                "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel", "ProcessLabel", "AppArmorProfile",
                "ExecIDs", "HostConfig", "GraphDriver", "Mounts", "Config", "NetworkSettings"), new ArrayList<>(c.keySet()));
        assertEquals("/web", c.get("Name"));
        assertEquals("2026-12-08T10:00:00.500Z", c.get("Created"));
        assertEquals("running", ((Map<?, ?>) c.get("State")).get("Status"));
        assertEquals("blue", ((Map<?, ?>) c.get("HostConfig")).get("NetworkMode"));
        Map<?, ?> settings = (Map<?, ?>) c.get("NetworkSettings");
        assertEquals(List.of("Bridge", "SandboxID", "SandboxKey", "Ports", "HairpinMode", "LinkLocalIPv6Address",
                "LinkLocalIPv6PrefixLen", "SecondaryIPAddresses", "SecondaryIPv6Addresses", "EndpointID", "Gateway",
                "GlobalIPv6Address", "GlobalIPv6PrefixLen", "IPAddress", "IPPrefixLen", "IPv6Gateway", "MacAddress",
                "Networks"), new ArrayList<>(settings.keySet()));
        assertEquals("/run/netns/web", settings.get("SandboxKey"));
        assertEquals("", settings.get("IPAddress"), "the top-level address fields come from the default bridge only");
        assertEquals(Map.of("80/tcp", List.of(Map.of("HostIp", "0.0.0.0", "HostPort", "8080"))), settings.get("Ports"));
        assertEquals(List.of("blue"), new ArrayList<>(((Map<?, ?>) settings.get("Networks")).keySet()));
    }

    @Test
    void summaryIsDockerPsShape() {
        Map<String, Object> s = ContainerShapes.summary(WEB, id -> BLUE, CREATED.plus(Duration.ofMinutes(5)));
        assertEquals(List.of("Id", "Names", "Image", "ImageID", "Command", "Created", "Ports", "Labels", "State", "Status",
                "HostConfig", "NetworkSettings", "Mounts"), new ArrayList<>(s.keySet()));
        assertEquals(List.of("/web"), s.get("Names"));
        assertEquals(CREATED.getEpochSecond(), s.get("Created"));
        assertEquals("Up 5 minutes", s.get("Status"));
        assertEquals(List.of(Map.of("IP", "0.0.0.0", "PrivatePort", 80, "PublicPort", 8080, "Type", "tcp")), s.get("Ports"));
    }

    @Test
    void humanDurationAsDockers() {
        assertEquals("Less than a second", ContainerShapes.humanDuration(Duration.ZERO));
        assertEquals("45 seconds", ContainerShapes.humanDuration(Duration.ofSeconds(45)));
        assertEquals("About a minute", ContainerShapes.humanDuration(Duration.ofSeconds(90)));
        assertEquals("About an hour", ContainerShapes.humanDuration(Duration.ofMinutes(70)));
        assertEquals("3 hours", ContainerShapes.humanDuration(Duration.ofHours(3)));
        assertEquals("3 days", ContainerShapes.humanDuration(Duration.ofDays(3)));
    }
}
