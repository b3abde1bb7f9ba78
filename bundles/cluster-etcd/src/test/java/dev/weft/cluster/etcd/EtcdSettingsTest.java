package dev.weft.cluster.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EtcdSettingsTest {
    private static Optional<EtcdSettings> parse(Map<String, String> values) {
        return EtcdSettings.parse(key -> Optional.ofNullable(values.get(key)));
    }

    @Test
    void noStoreMeansNoCluster() {
        assertTrue(parse(Map.of()).isEmpty());
        assertTrue(parse(Map.of("cluster.store", "  ", "cluster.advertise", "bad")).isEmpty(), "an empty store is no cluster");
    }

    @Test
    void defaultsAndEndpoints() {
        EtcdSettings s = parse(Map.of("cluster.store", "etcd://10.0.0.1:2379, 10.0.0.2:22379,http://[fd00::3]:2379",
                "cluster.advertise", "10.0.0.11")).orElseThrow();
        assertEquals(List.of(URI.create("http://10.0.0.1:2379"), URI.create("http://10.0.0.2:22379"), URI.create("http://[fd00::3]:2379")),
                s.endpoints());
        assertEquals("/weft/", s.prefix());
        assertEquals("10.0.0.11", s.nodeId(), "node id defaults to the advertise address");
        assertEquals(Duration.ofSeconds(10), s.ttl());
        assertEquals(Duration.ofMillis(3000), s.timeout());
        assertEquals(false, s.tls());
    }

    @Test
    void everySetting() {
        EtcdSettings s = parse(Map.of("cluster.store", "etcds://e1:2379,e2", "cluster.advertise", "fd00::11",
                "cluster.prefix", "prod", "cluster.node", "alpha", "cluster.ttl", "20", "cluster.timeout", "500",
                "cluster.tls.cert", "/c.pem", "cluster.tls.key", "/k.pem", "cluster.tls.ca", "/ca.pem")).orElseThrow();
        assertEquals(List.of(URI.create("https://e1:2379"), URI.create("https://e2:2379")), s.endpoints());
        assertTrue(s.tls());
        assertEquals("/prod/", s.prefix(), "normalised to start and end with /");
        assertEquals("alpha", s.nodeId());
        assertEquals(Duration.ofSeconds(20), s.ttl());
        assertEquals(Duration.ofMillis(500), s.timeout());
        assertEquals("/ca.pem", s.tlsCa().toString());
    }

    @Test
    void weftPrefixedKeysToo() {
        EtcdSettings s = parse(Map.of("weft.cluster.store", "etcd://e1:2379", "weft.cluster.advertise", "10.1.2.3")).orElseThrow();
        assertEquals("10.1.2.3", s.advertise().getHostAddress());
    }

    @Test
    void badStoreNamesTheValue() {
        for (String bad : List.of("zk://h:1", "h:2379", "etcd://h:2379/path", "etcd://h:2379,,h2", "etcd://h:notaport")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> parse(Map.of("cluster.store", bad, "cluster.advertise", "10.0.0.1")), bad);
            assertTrue(e.getMessage().contains("cluster.store = " + bad) && e.getMessage().contains("etcd://HOST:PORT"),
                    "the message names the value and what is accepted: " + e.getMessage());
        }
    }

    @Test
    void badAdvertiseNamesTheValue() {
        for (String bad : List.of("host.example", "10.0.0.256", "0.0.0.0", "::", "224.0.0.1", "fd00::zz")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> parse(Map.of("cluster.store", "etcd://h:2379", "cluster.advertise", bad)), bad);
            assertTrue(e.getMessage().contains("cluster.advertise = " + bad) && e.getMessage().contains("IPv4 like"),
                    "the message names the value and what is accepted: " + e.getMessage());
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("cluster.store", "etcd://h:2379")));
        assertTrue(missing.getMessage().contains("cluster.advertise is not set"), missing.getMessage());
    }

    @Test
    void badNumbersAndTlsHalves() {
        IllegalArgumentException ttl = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("cluster.store", "etcd://h", "cluster.advertise", "10.0.0.1", "cluster.ttl", "0")));
        assertTrue(ttl.getMessage().contains("cluster.ttl = 0"), ttl.getMessage());
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("cluster.store", "etcd://h", "cluster.advertise", "10.0.0.1", "cluster.timeout", "3s")));
        assertTrue(timeout.getMessage().contains("cluster.timeout = 3s"), timeout.getMessage());
        IllegalArgumentException tls = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("cluster.store", "etcds://h", "cluster.advertise", "10.0.0.1", "cluster.tls.cert", "/c")));
        assertTrue(tls.getMessage().contains("cluster.tls.key"), tls.getMessage());
    }
}
