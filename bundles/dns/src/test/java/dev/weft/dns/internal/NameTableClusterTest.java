package dev.weft.dns.internal;

import static dev.weft.dns.internal.AnswererTest.ep;
import static dev.weft.dns.internal.AnswererTest.sid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.NetworkInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.net.IpPrefix;
import dev.weft.spi.ClusterStore;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The table's part in names across hosts: the egress network (predefined) identifies askers but
 * names nothing, other hosts' endpoints resolve on their overlay only, and records from the cluster
 * store parse (this host's own skipped). No sockets, no root.
 */
class NameTableClusterTest {
    static final String OV1 = "n-ov1", OV2 = "n-ov2", EGRESS = "n-gwbridge";
    final NameTable table = new NameTable();

    static NetworkInfo network(String id, String name, String scope, boolean predefined, String subnet, String gateway)
            throws Exception {
        return new NetworkInfo(id, name, "global".equals(scope) ? "overlay" : "bridge", scope, Instant.EPOCH, false,
                false, predefined, true, List.of(new SubnetInfo(IpPrefix.parse(subnet), null,
                InetAddress.getByName(gateway), Map.of())), Map.of(), Map.of(), List.of());
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @BeforeEach
    void world() throws Exception {
        table.addNetwork(network(OV1, "ov1", "global", false, "10.0.1.0/24", "10.0.1.1"));
        table.addNetwork(network(OV2, "ov2", "global", false, "10.0.2.0/24", "10.0.2.1"));
        table.addNetwork(network(EGRESS, "docker_gwbridge", "local", true, "172.18.0.0/16", "172.18.0.1"));
        table.join(ep("a1", "ov1", OV1, "a", "10.0.1.2", null, "a", "alpha"));
        table.join(ep("a0", "docker_gwbridge", EGRESS, "a", "172.18.0.2", null));
        table.join(ep("c2", "ov2", OV2, "c", "10.0.2.2", null, "c"));
        table.join(ep("c0", "docker_gwbridge", EGRESS, "c", "172.18.0.3", null));
        table.putRemote(NameTable.Entry.remote("b1", OV1, "h2", "b", ip("10.0.1.3"), null, List.of("b", "Bee")));
    }

    @Test
    void theAskerIsFoundByItsEgressAddressAtTheEgressGateway() throws Exception {
        NameTable.State s = table.state();
        assertEquals(sid("a"), s.asker(Set.of(OV1, OV2), ip("172.18.0.1"), ip("172.18.0.2")).orElseThrow().sandboxId());
        assertEquals(sid("c"), s.asker(Set.of(OV1), ip("172.18.0.1"), ip("172.18.0.3")).orElseThrow().sandboxId(),
                "any overlay's sandbox asks at the shared address");
        assertTrue(s.asker(Set.of(OV1), ip("172.18.0.1"), ip("10.0.1.2")).isEmpty(),
                "an overlay address never asks at the host (its gateway is not there)");
        assertTrue(s.asker(Set.of(OV1), ip("172.18.0.1"), ip("10.0.1.3")).isEmpty(), "a remote endpoint never asks here");
        assertTrue(s.asker(Set.of(OV1), ip("172.18.0.1"), ip("172.18.0.99")).isEmpty(), "an unknown source: no asker");
    }

    @Test
    void remoteNamesResolveOnTheirOverlayOnlyAndTheEgressNetworkNamesNothing() throws Exception {
        NameTable.State s = table.state();
        assertEquals(ip("10.0.1.3"), s.lookup(sid("a"), "bee").get(0).ipv4(), "a remote alias, case-insensitive");
        assertEquals(ip("10.0.1.3"), s.lookup(sid("a"), "b.ov1").get(0).ipv4());
        assertEquals("b", s.reverse(sid("a"), ip("10.0.1.3")).orElseThrow().sandbox());
        assertEquals("ov1", s.reverse(sid("a"), ip("10.0.1.3")).orElseThrow().network(), "PTR target b.ov1");
        assertTrue(s.lookup(sid("c"), "b").isEmpty(), "c on ov2 does not see b of ov1");
        assertTrue(s.lookup(sid("c"), "alpha").isEmpty(), "c on ov2 does not see a of ov1");
        assertTrue(s.reverse(sid("c"), ip("172.18.0.2")).isEmpty(), "the egress network gives no reverse names");
        assertTrue(s.reverse(sid("a"), ip("172.18.0.3")).isEmpty(), "the egress network gives no reverse names");
    }

    @Test
    void remotesGoWithTheirKeyAndWithAReset() throws Exception {
        table.removeRemote(OV1, "b1");
        assertTrue(table.state().lookup(sid("a"), "b").isEmpty(), "gone with its key");
        table.putRemote(NameTable.Entry.remote("b1", OV1, "h2", "b", ip("10.0.1.3"), null, List.of("b")));
        table.resetRemotes(Map.of(OV2, Map.of("d1", NameTable.Entry.remote("d1", OV2, "h2", "d", ip("10.0.2.9"), null,
                List.of("d")))));
        assertTrue(table.state().lookup(sid("a"), "b").isEmpty(), "a reset without it takes it away");
        assertEquals(ip("10.0.2.9"), table.state().lookup(sid("c"), "d").get(0).ipv4(), "a reset brings the others'");
        // a network that arrives later takes the remote endpoints already known for it
        table.putRemote(NameTable.Entry.remote("e1", "n-ov3", "h2", "e", ip("10.0.3.9"), null, List.of("e")));
        table.addNetwork(network("n-ov3", "ov3", "global", false, "10.0.3.0/24", "10.0.3.1"));
        table.join(ep("a3", "ov3", "n-ov3", "a", "10.0.3.2", null, "a"));
        assertEquals(ip("10.0.3.9"), table.state().lookup(sid("a"), "e.ov3").get(0).ipv4());
    }

    @Test
    void clusterRecordsParseAndThisHostsOwnAreSkipped() {
        String json = "{\"node\":\"h2\",\"vtep\":\"10.214.0.12\",\"mac\":\"02:42:0a:00:01:03\",\"addresses\":[\"10.0.1.3/24\"],"
                + "\"sandbox\":\"b\",\"names\":[\"b\",\"bee\",\"0123456789ab\"]}";
        ClusterStore.KeyValue kv = new ClusterStore.KeyValue("endpoints/" + OV1 + "/b1", json.getBytes(StandardCharsets.UTF_8),
                1, 1, 1, 0);
        NameTable.Entry e = RemoteEndpoints.entry(kv, "h1").orElseThrow();
        assertEquals(OV1, e.networkId());
        assertEquals("b1", e.endpointId());
        assertEquals("b", e.sandbox());
        assertEquals(List.of("b", "bee", "0123456789ab"), e.names());
        assertEquals(Optional.empty(), RemoteEndpoints.entry(kv, "h2"), "this host's own record");
        assertEquals(Optional.empty(), RemoteEndpoints.entry(new ClusterStore.KeyValue("endpoints/" + OV1 + "/b1",
                "{".getBytes(StandardCharsets.UTF_8), 1, 1, 1, 0), "h1"), "a record that does not parse");
    }
}
