package dev.weft.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.PortBinding;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.core.internal.store.NetworkRecord.IpamRecord;
import dev.weft.core.internal.store.NetworkRecord.SubnetRecord;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.PoolId;
import dev.weft.spi.SandboxMode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records' files across versions, without root: records hold typed values, the files the same
 * text as before they did. Records written by earlier versions (hand-written here in the shapes
 * those versions wrote, the first one's included) load into typed values, and a record is written
 * back as exactly the text the previous version wrote, so a running installation's state and
 * runtime directories are read by this version and an older one can still read what this one writes.
 */
class StoreFormatTest {
    @TempDir
    Path tmp;
    private Path state;
    private Path run;
    private final List<String> problems = new ArrayList<>();

    /** A dual-stack network as the previous version wrote it: an ip-range, an aux address, a link-local gateway. */
    static final String NETWORK = """
            {
              "id": "f03b683dce63a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a",
              "name": "blue",
              "driver": "bridge",
              "driverBundle": "dev.weft.driver-bridge",
              "state": "READY",
              "created": "2025-01-02T03:04:05.123456789Z",
              "ipv6": true,
              "internal": false,
              "predefined": false,
              "subnets": [
                {
                  "pool": "local/10.1.0.0/24/10.1.0.128/25",
                  "subnet": "10.1.0.0/24",
                  "ipRange": "10.1.0.128/25",
                  "gateway": "10.1.0.1",
                  "aux": {
                    "router": "10.1.0.2"
                  }
                },
                {
                  "pool": "local/fd42:1:2::/64",
                  "subnet": "fd42:1:2::/64",
                  "gateway": "fe80::1",
                  "aux": {}
                }
              ],
              "options": {
                "com.docker.network.bridge.name": "br-blue"
              },
              "labels": {},
              "mode": "OWN_NAMESPACE",
              "sandboxDefault": false,
              "ipam": {
                "driver": "default",
                "bundle": "dev.weft.core",
                "options": {}
              }
            }""";

    /** Its endpoint with published ports, one on every address, one on [::1], as this version writes it (gw-priority). */
    static final String ENDPOINT = """
            {
              "id": "0efefbe43a6390dc3053514bacf7fff9d049134a6d395c372d93e360dcdaf446",
              "network": "f03b683dce63a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a",
              "sandbox": "5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d",
              "state": "READY",
              "interfaceName": "eth0",
              "ipv4": "10.1.0.130/24",
              "ipv6": "fd42:1:2::2/64",
              "mac": "02:42:0a:01:00:82",
              "defaultRoute": true,
              "aliases": [
                "web"
              ],
              "ports": [
                {
                  "protocol": "tcp",
                  "hostPort": 8080,
                  "containerPort": 80
                },
                {
                  "protocol": "udp",
                  "hostIp": "::1",
                  "hostPort": 5353,
                  "containerPort": 53
                }
              ],
              "defaultRoute6": false,
              "gwPriority": -3
            }""";

    /** The same endpoint as versions before gateway priorities wrote it: one flag for both families. */
    static final String ENDPOINT_BEFORE_GW_PRIORITY = ENDPOINT.replace(
            ",\n  \"defaultRoute6\": false,\n  \"gwPriority\": -3\n}", "\n}");

    /** Its sandbox. */
    static final String SANDBOX = """
            {
              "id": "5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d",
              "name": "web",
              "namespace": "/run/netns/web",
              "device": 4,
              "inode": 4026532301,
              "mode": "CREATED",
              "state": "READY",
              "created": "2025-01-02T03:04:06Z",
              "endpoints": [
                "0efefbe43a6390dc3053514bacf7fff9d049134a6d395c372d93e360dcdaf446"
              ]
            }""";

    /** A network of the first version: no sandbox mode, no default mark, no IPAM driver. */
    static final String FIRST_NETWORK = """
            {
              "id": "3d2c8a8bfd95a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607182930",
              "name": "red",
              "driver": "bridge",
              "driverBundle": "dev.weft.driver-bridge",
              "state": "READY",
              "created": "2024-06-01T00:00:00Z",
              "ipv6": false,
              "internal": true,
              "predefined": false,
              "subnets": [
                {
                  "pool": "local/172.17.0.0/24",
                  "subnet": "172.17.0.0/24",
                  "gateway": "172.17.0.1",
                  "aux": {}
                }
              ],
              "options": {},
              "labels": {
                "team": "a"
              }
            }""";

    /** An endpoint of the first version: a field since dropped (hostInterface), no MAC, no ports. */
    static final String FIRST_ENDPOINT = """
            {
              "id": "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0",
              "network": "3d2c8a8bfd95a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607182930",
              "sandbox": "5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d",
              "state": "CREATING",
              "interfaceName": "eth1",
              "ipv4": "172.17.0.2/24",
              "hostInterface": "wv1a2b3c4d",
              "defaultRoute": false,
              "aliases": [],
              "ports": []
            }""";

    @BeforeEach
    void directories() throws IOException {
        state = tmp.resolve("state");
        run = tmp.resolve("run");
        Files.createDirectories(state.resolve("networks"));
        Files.createDirectories(run.resolve("endpoints"));
        Files.createDirectories(run.resolve("sandboxes"));
    }

    private Store storeWith(Map<String, String> networks, Map<String, String> endpoints, Map<String, String> sandboxes)
            throws IOException {
        for (var e : networks.entrySet()) {
            Files.writeString(state.resolve("networks/" + e.getKey() + ".json"), e.getValue());
        }
        for (var e : endpoints.entrySet()) {
            Files.writeString(run.resolve("endpoints/" + e.getKey() + ".json"), e.getValue());
        }
        for (var e : sandboxes.entrySet()) {
            Files.writeString(run.resolve("sandboxes/" + e.getKey() + ".json"), e.getValue());
        }
        return new Store(state, run);
    }

    private static InetAddress ip(String text) {
        return IpAddresses.parse(text);
    }

    @Test
    void recordsOfThePreviousVersionLoadAsTypedValues() throws IOException {
        Store store = storeWith(Map.of("n", NETWORK), Map.of("e", ENDPOINT_BEFORE_GW_PRIORITY), Map.of("s", SANDBOX));
        NetworkRecord n = store.networks(problems::add).get(0);
        EndpointRecord e = store.endpoints(problems::add).get(0);
        SandboxRecord s = store.sandboxes(problems::add).get(0);
        assertEquals(List.of(), problems);

        assertEquals(List.of(
                new SubnetRecord(new PoolId("local/10.1.0.0/24/10.1.0.128/25"), IpPrefix.parse("10.1.0.0/24"),
                        IpPrefix.parse("10.1.0.128/25"), ip("10.1.0.1"), Map.of("router", ip("10.1.0.2"))),
                new SubnetRecord(new PoolId("local/fd42:1:2::/64"), IpPrefix.parse("fd42:1:2::/64"), null,
                        ip("fe80::1"), Map.of())), n.subnets());
        assertEquals(Instant.parse("2025-01-02T03:04:05.123456789Z"), n.created());
        assertEquals(IpamRecord.DEFAULT, n.ipam());

        assertEquals(InterfaceAddress.parse("10.1.0.130/24"), e.ipv4());
        assertEquals(InterfaceAddress.parse("fd42:1:2::2/64"), e.ipv6());
        assertEquals(MacAddress.parse("02:42:0a:01:00:82"), e.mac());
        assertEquals(List.of(new PortBinding("tcp", null, 8080, 80), new PortBinding("udp", ip("::1"), 5353, 53)),
                e.ports());

        assertEquals(Path.of("/run/netns/web"), s.namespace());
        assertEquals(4026532301L, s.netns().inode());
        assertEquals("web", s.config().namespace().name());

        // what drivers are told, from the typed values
        NetworkConfig config = n.config();
        assertEquals(List.of(new SubnetInfo(IpPrefix.parse("10.1.0.0/24"), IpPrefix.parse("10.1.0.128/25"),
                        ip("10.1.0.1"), Map.of("router", ip("10.1.0.2"))),
                new SubnetInfo(IpPrefix.parse("fd42:1:2::/64"), null, ip("fe80::1"), Map.of())), config.subnets());
        assertEquals(List.of("blue", "default"), List.of(config.name(), config.ipamDriver()));
        assertEquals(new EndpointConfig(e.id(), "eth0", e.ipv4(), e.ipv6(), ip("10.1.0.1"), ip("fe80::1"), true,
                e.mac(), List.of("web")), e.config(n));
    }

    @Test
    void recordsOfTheFirstVersionLoad() throws IOException {
        Store store = storeWith(Map.of("n", FIRST_NETWORK), Map.of("e", FIRST_ENDPOINT), Map.of());
        NetworkRecord n = store.networks(problems::add).get(0);
        EndpointRecord e = store.endpoints(problems::add).get(0);
        assertEquals(List.of(), problems);

        assertEquals(SandboxMode.OWN_NAMESPACE, n.mode(), "no mode recorded: its own namespace");
        assertEquals(IpamRecord.DEFAULT, n.ipam(), "no IPAM driver recorded: the default one");
        assertEquals(ip("172.17.0.1"), n.gateway(true));
        assertNull(n.gateway(false));
        assertEquals(new PoolId("local/172.17.0.0/24"), n.subnetOf(ip("172.17.0.9")).orElseThrow().pool());

        assertEquals(InterfaceAddress.parse("172.17.0.2/24"), e.ipv4());
        assertNull(e.ipv6());
        assertNull(e.mac());
        assertEquals(List.of(), e.ports());
        assertEquals(new EndpointConfig(e.id(), "eth1", e.ipv4(), null, ip("172.17.0.1"), null, false, null, List.of()),
                e.config(n));
    }

    @Test
    void aRecordIsWrittenBackAsTheTextThePreviousVersionWrote() throws IOException {
        Store store = storeWith(Map.of("n", NETWORK), Map.of("e", ENDPOINT), Map.of("s", SANDBOX));
        NetworkRecord n = store.networks(problems::add).get(0);
        EndpointRecord e = store.endpoints(problems::add).get(0);
        SandboxRecord s = store.sandboxes(problems::add).get(0);
        store.put(n);
        store.put(e);
        store.put(s);
        assertEquals(NETWORK, Files.readString(state.resolve("networks/" + n.id() + ".json")));
        assertEquals(ENDPOINT, Files.readString(run.resolve("endpoints/" + e.id() + ".json")));
        assertEquals(SANDBOX, Files.readString(run.resolve("sandboxes/" + s.id() + ".json")));
    }

    @Test
    void aRecordFromBeforeGatewayPrioritiesKeepsEveryFieldAndGainsTheTwoNewOnes() throws IOException {
        assertTrue(ENDPOINT_BEFORE_GW_PRIORITY.endsWith("]\n}") && !ENDPOINT_BEFORE_GW_PRIORITY.contains("gwPriority"),
                ENDPOINT_BEFORE_GW_PRIORITY);
        Store store = storeWith(Map.of("n", NETWORK), Map.of("e", ENDPOINT_BEFORE_GW_PRIORITY), Map.of());
        EndpointRecord e = store.endpoints(problems::add).get(0);
        assertEquals(List.of(), problems);
        assertTrue(e.defaultRoute() && e.defaultRoute6(), "one flag meant both families");
        assertEquals(0, e.gwPriority());
        store.put(e);
        assertEquals(ENDPOINT.replace("\"defaultRoute6\": false", "\"defaultRoute6\": true").replace("-3", "0"),
                Files.readString(run.resolve("endpoints/" + e.id() + ".json")));
    }

    @Test
    void networksWithoutTheIpv4FieldHaveIpv4AndOnlyAnIpv6OnlyNetworkWritesIt() throws IOException {
        Store store = storeWith(Map.of("n", NETWORK, "first", FIRST_NETWORK), Map.of(), Map.of());
        for (NetworkRecord n : store.networks(problems::add)) {
            assertTrue(n.hasIpv4(), n.name() + ": records before IPv6-only networks all have IPv4");
            assertTrue(n.config().ipv4());
        }
        NetworkRecord six = store.networks(problems::add).stream().filter(n -> n.name().equals("blue")).findFirst()
                .orElseThrow().withIpv4(false);
        Files.delete(state.resolve("networks/n.json")); // the store names its files by id
        store.put(six);
        String text = Files.readString(state.resolve("networks/" + six.id() + ".json"));
        assertEquals(NETWORK.replace("\n  }\n}", "\n  },\n  \"ipv4\": false\n}"), text);
        NetworkRecord back = store.networks(problems::add).stream().filter(n -> n.name().equals("blue")).findFirst()
                .orElseThrow();
        assertEquals(six, back);
        assertFalse(back.hasIpv4());
        assertFalse(back.config().ipv4());
        store.put(back.withIpv4(true));
        assertEquals(NETWORK, Files.readString(state.resolve("networks/" + six.id() + ".json")),
                "with IPv4 again, the text earlier versions wrote");
        assertEquals(List.of(), problems);
    }

    @Test
    void aValueThatDoesNotParseMakesItsRecordUnreadableNotTheOthers() throws IOException {
        Store store = storeWith(Map.of("n", NETWORK, "bad", NETWORK.replace("\"10.1.0.0/24\"", "\"10.1.0.5/24\"")),
                Map.of("e", ENDPOINT, "bad", ENDPOINT.replace("02:42:0a:01:00:82", "02:42:zz")), Map.of());
        assertEquals(1, store.networks(problems::add).size());
        assertEquals(1, store.endpoints(problems::add).size());
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("networks/bad.json") && problems.get(0).contains("10.1.0.5/24")
                && problems.get(0).contains("$.subnets[0].subnet"), problems.get(0));
        assertTrue(problems.get(1).contains("endpoints/bad.json") && problems.get(1).contains("02:42:zz"),
                problems.get(1));
    }

    @Test
    void aNewRecordIsWrittenWithItsValuesAsText() throws IOException {
        Store store = new Store(state, run);
        store.put(new SandboxRecord("s1", "web", Path.of("/proc/42/ns/net"), 4, 7, SandboxInfo.Mode.ADOPTED,
                State.READY, Instant.EPOCH, List.of(), null));
        store.put(new EndpointRecord("e1", "n1", "s1", State.READY, null, null, InterfaceAddress.parse("fd42::2/64"),
                null, false, List.of(), List.of(new PortBinding("tcp", ip("127.0.0.1"), 80, 8080))));
        String sandbox = Files.readString(run.resolve("sandboxes/s1.json"));
        String endpoint = Files.readString(run.resolve("endpoints/e1.json"));
        assertTrue(sandbox.contains("\"namespace\": \"/proc/42/ns/net\""), sandbox);
        assertTrue(endpoint.contains("\"ipv6\": \"fd42::2/64\"") && !endpoint.contains("\"ipv4\"")
                && endpoint.contains("\"hostIp\": \"127.0.0.1\""), endpoint);
    }
}
