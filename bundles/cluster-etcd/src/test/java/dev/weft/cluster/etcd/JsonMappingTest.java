package dev.weft.cluster.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.weft.spi.ClusterStore.Compare;
import dev.weft.spi.ClusterStore.Event;
import dev.weft.spi.ClusterStore.KeyValue;
import dev.weft.spi.ClusterStore.Op;
import dev.weft.spi.ClusterStore.Txn;
import dev.weft.spi.ClusterStore.TxnResult;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gateway's shapes as recorded on etcd 3.4.23 (base64, int64 as strings, default fields left out). */
class JsonMappingTest {
    private static final byte[] PREFIX = "/weft/".getBytes(StandardCharsets.UTF_8);

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keyValueFromStringsAndOmittedFields() {
        JsonObject kv = Json.parse("{\"key\":\"" + b64("/weft/test/a") + "\",\"create_revision\":\"2\",\"mod_revision\":\"3\","
                + "\"version\":\"2\",\"value\":\"" + b64("hello") + "\",\"lease\":\"2568637299663655693\"}");
        KeyValue mapped = Json.keyValue(kv, PREFIX);
        assertEquals(new KeyValue("test/a", "hello".getBytes(StandardCharsets.UTF_8), 2, 3, 2, 2568637299663655693L), mapped);
        KeyValue deleted = Json.keyValue(Json.parse("{\"key\":\"" + b64("/weft/x") + "\",\"mod_revision\":\"9\"}"), PREFIX);
        assertEquals(0, deleted.createRevision(), "left out = 0");
        assertArrayEquals(new byte[0], deleted.value(), "no value = empty");
        assertNull(Json.keyValue(Json.parse("{\"key\":\"" + b64("/other/x") + "\"}"), PREFIX), "outside the prefix");
        assertEquals(7, Json.num(Json.parse("{\"n\":7}"), "n"), "a plain number too");
    }

    @Test
    void prefixEnd() {
        assertEquals("/weft/test0", new String(Json.prefixEnd("/weft/test/".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {'a' + 1}, Json.prefixEnd(new byte[] {'a', (byte) 0xff}));
        assertArrayEquals(new byte[] {0}, Json.prefixEnd(new byte[] {(byte) 0xff}));
    }

    @Test
    void lostTxnHasNoSucceeded() {
        Txn txn = Txn.createIfAbsent("k", "h3".getBytes(StandardCharsets.UTF_8), false);
        JsonObject lost = Json.parse("{\"header\":{\"revision\":\"4\"},\"responses\":[{\"response_range\":{\"header\":{\"revision\":\"4\"},"
                + "\"kvs\":[{\"key\":\"" + b64("/weft/k") + "\",\"create_revision\":\"4\",\"mod_revision\":\"4\",\"version\":\"1\","
                + "\"value\":\"" + b64("h1") + "\"}],\"count\":\"1\"}}]}");
        TxnResult result = EtcdClusterStore.txnResult(txn, lost, PREFIX);
        assertFalse(result.succeeded());
        assertEquals(4, result.revision());
        assertEquals("h1", result.results().get(0).get(0).text());
        JsonObject won = Json.parse("{\"header\":{\"revision\":\"4\"},\"succeeded\":true,\"responses\":[{\"response_put\":{\"header\":{\"revision\":\"4\"}}}]}");
        TxnResult w = EtcdClusterStore.txnResult(txn, won, PREFIX);
        assertTrue(w.succeeded());
        assertEquals(List.of(List.of()), w.results());
        JsonObject emptyRange = Json.parse("{\"header\":{\"revision\":\"5\"},\"responses\":[{\"response_range\":{\"header\":{}}}]}");
        assertEquals(List.of(List.of()), EtcdClusterStore.txnResult(txn, emptyRange, PREFIX).results(), "a GET of nothing");
    }

    @Test
    void txnRequestShape() {
        EtcdClusterStore store = new EtcdClusterStore(EtcdSettings.of("etcd://127.0.0.1:1", "10.0.0.1"));
        try {
            Txn txn = new Txn(List.of(Compare.absent("a"), Compare.modRevision("b", 7), Compare.value("c", new byte[] {1})),
                    List.of(Op.putLeased("a", new byte[] {2}), Op.deletePrefix("d/")), List.of(Op.get("a")));
            JsonObject request = store.txnRequest(txn, 42);
            assertEquals("{\"key\":\"" + b64("/weft/a") + "\",\"result\":\"EQUAL\",\"target\":\"CREATE\",\"create_revision\":\"0\"}",
                    request.getAsJsonArray("compare").get(0).toString());
            assertEquals("7", request.getAsJsonArray("compare").get(1).getAsJsonObject().get("mod_revision").getAsString());
            assertEquals("AQ==", request.getAsJsonArray("compare").get(2).getAsJsonObject().get("value").getAsString());
            JsonObject put = request.getAsJsonArray("success").get(0).getAsJsonObject().getAsJsonObject("request_put");
            assertEquals("42", put.get("lease").getAsString(), "a leased put carries the lease as a string");
            JsonObject del = request.getAsJsonArray("success").get(1).getAsJsonObject().getAsJsonObject("request_delete_range");
            assertEquals(b64("/weft/d0"), del.get("range_end").getAsString());
            assertTrue(del.get("prev_kv").getAsBoolean());
            assertTrue(request.getAsJsonArray("failure").get(0).getAsJsonObject().has("request_range"));
        } finally {
            store.close();
        }
    }

    @Test
    void watchEvents() {
        JsonObject result = Json.parse("{\"result\":{\"header\":{\"revision\":\"9\"},\"events\":["
                + "{\"kv\":{\"key\":\"" + b64("/weft/p/h1") + "\",\"create_revision\":\"7\",\"mod_revision\":\"8\",\"version\":\"2\",\"value\":\"" + b64("v2") + "\"},"
                + "\"prev_kv\":{\"key\":\"" + b64("/weft/p/h1") + "\",\"create_revision\":\"7\",\"mod_revision\":\"7\",\"version\":\"1\",\"value\":\"" + b64("v1") + "\"}},"
                + "{\"type\":\"DELETE\",\"kv\":{\"key\":\"" + b64("/weft/p/h1") + "\",\"mod_revision\":\"9\"},"
                + "\"prev_kv\":{\"key\":\"" + b64("/weft/p/h1") + "\",\"create_revision\":\"7\",\"mod_revision\":\"8\",\"version\":\"2\",\"value\":\"" + b64("v2") + "\"}}]}}");
        List<Event> events = EtcdWatch.events(Json.array(Json.obj(result, "result"), "events"), PREFIX);
        assertEquals(2, events.size());
        assertEquals(Event.Type.PUT, events.get(0).type(), "a PUT has no type field");
        assertEquals("v1", events.get(0).previous().text());
        assertEquals(Event.Type.DELETE, events.get(1).type());
        assertEquals(9, events.get(1).kv().modRevision());
        assertEquals("v2", events.get(1).previous().text(), "what a delete removed comes from prev_kv");
    }

    @Test
    void errorBodies() {
        Gateway.EtcdError noLeader = Gateway.EtcdError.of(503, "{\"error\":\"etcdserver: no leader\",\"message\":\"etcdserver: no leader\",\"code\":14}");
        assertTrue(noLeader.noLeader() && noLeader.unavailable());
        Gateway.EtcdError timedOut = Gateway.EtcdError.of(503, "{\"error\":\"etcdserver: request timed out\",\"code\":14}");
        assertTrue(timedOut.unavailable() && !timedOut.noLeader());
        Gateway.EtcdError invalid = Gateway.EtcdError.of(400, "{\"error\":\"illegal base64 data at input byte 3\",\"message\":\"illegal base64 data at input byte 3\",\"code\":3}");
        assertFalse(invalid.unavailable(), "invalid argument is a rejection");
        assertFalse(Gateway.EtcdError.of(404, "404 page not found").unavailable());
    }
}
