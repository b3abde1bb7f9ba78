package dev.weft.cluster.etcd;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterException.Reason;
import dev.weft.spi.ClusterStore;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ClusterStore} on etcd's v3 JSON gateway. Keys are sent as prefix + key and come back
 * without the prefix. Created by {@link EtcdComponent} from the instance's settings, or directly
 * by tests.
 */
final class EtcdClusterStore implements ClusterStore, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EtcdClusterStore.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final EtcdSettings settings;
    private final byte[] prefix;
    private final Gateway gateway;
    private final ThreadFactory threads;
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    private EtcdSession session;
    private volatile boolean closed;

    /** A store whose threads are plain daemon threads. */
    EtcdClusterStore(EtcdSettings settings) {
        this(settings, null);
    }

    /**
     * A store whose every thread (HTTP requests, watches, keepalive) comes from {@code threads}:
     * the sockets are opened on them, e.g. in another network namespace. Null: plain daemon threads.
     */
    EtcdClusterStore(EtcdSettings settings, ThreadFactory threads) {
        this.settings = settings;
        this.prefix = settings.prefix().getBytes(StandardCharsets.UTF_8);
        ThreadFactory base = threads != null ? threads : Executors.defaultThreadFactory();
        this.threads = r -> {
            Thread t = base.newThread(r);
            t.setDaemon(true);
            t.setName("weft-etcd-" + THREADS.incrementAndGet());
            return t;
        };
        this.gateway = new Gateway(settings.endpoints(), settings.timeout(),
                settings.tls() ? PemTls.sslContext(settings.tlsCert(), settings.tlsKey(), settings.tlsCa()) : null, this.threads);
    }

    EtcdSettings settings() {
        return settings;
    }

    Gateway gateway() {
        return gateway;
    }

    ThreadFactory threads() {
        return threads;
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public InetAddress advertise() {
        return settings.advertise();
    }

    @Override
    public Duration leaseTtl() {
        return settings.ttl();
    }

    @Override
    public synchronized EtcdSession session() {
        checkOpen();
        if (session == null) {
            session = EtcdSession.open(this);
        }
        return session;
    }

    @Override
    public Optional<KeyValue> get(String key) {
        JsonObject request = new JsonObject();
        request.addProperty("key", Json.b64(full(key)));
        JsonObject answer = call("/v3/kv/range", request, false);
        return Json.keyValues(Json.array(answer, "kvs"), prefix).stream().findFirst();
    }

    @Override
    public Range range(String keyPrefix) {
        byte[] start = full(keyPrefix);
        JsonObject request = new JsonObject();
        request.addProperty("key", Json.b64(start));
        request.addProperty("range_end", Json.b64(Json.prefixEnd(start)));
        JsonObject answer = call("/v3/kv/range", request, false);
        return new Range(Json.keyValues(Json.array(answer, "kvs"), prefix), Json.revision(answer));
    }

    @Override
    public long put(String key, byte[] value) {
        JsonObject request = new JsonObject();
        request.addProperty("key", Json.b64(full(key)));
        request.addProperty("value", Json.b64(value));
        return Json.revision(call("/v3/kv/put", request, true));
    }

    @Override
    public Optional<KeyValue> delete(String key) {
        JsonObject request = new JsonObject();
        request.addProperty("key", Json.b64(full(key)));
        request.addProperty("prev_kv", true);
        JsonObject answer = call("/v3/kv/deleterange", request, true);
        return Json.keyValues(Json.array(answer, "prev_kvs"), prefix).stream().findFirst();
    }

    @Override
    public TxnResult txn(Txn txn) {
        boolean leased = txn.success().stream().anyMatch(Op::leased) || txn.failure().stream().anyMatch(Op::leased);
        long lease = leased ? session().lease() : 0;
        JsonObject request = txnRequest(txn, lease);
        JsonObject answer = call("/v3/kv/txn", request, true);
        return txnResult(txn, answer, prefix);
    }

    /** The gateway's TxnRequest for {@code txn} ({@code lease} for leased puts). */
    JsonObject txnRequest(Txn txn, long lease) {
        JsonObject request = new JsonObject();
        JsonArray compares = new JsonArray();
        for (Compare c : txn.compares()) {
            JsonObject o = new JsonObject();
            o.addProperty("key", Json.b64(full(c.key())));
            o.addProperty("result", "EQUAL");
            o.addProperty("target", c.target().name());
            switch (c.target()) {
                case CREATE -> o.addProperty("create_revision", Long.toString(c.number()));
                case MOD -> o.addProperty("mod_revision", Long.toString(c.number()));
                case VERSION -> o.addProperty("version", Long.toString(c.number()));
                case VALUE -> o.addProperty("value", Json.b64(c.bytes() == null ? new byte[0] : c.bytes()));
            }
            compares.add(o);
        }
        request.add("compare", compares);
        request.add("success", ops(txn.success(), lease));
        request.add("failure", ops(txn.failure(), lease));
        return request;
    }

    private JsonArray ops(List<Op> ops, long lease) {
        JsonArray array = new JsonArray();
        for (Op op : ops) {
            JsonObject inner = new JsonObject();
            byte[] key = full(op.key());
            inner.addProperty("key", Json.b64(key));
            JsonObject wrapper = new JsonObject();
            switch (op.kind()) {
                case PUT -> {
                    inner.addProperty("value", Json.b64(op.value() == null ? new byte[0] : op.value()));
                    if (op.leased()) {
                        inner.addProperty("lease", Long.toString(lease));
                    }
                    wrapper.add("request_put", inner);
                }
                case DELETE -> {
                    if (op.prefix()) {
                        inner.addProperty("range_end", Json.b64(Json.prefixEnd(key)));
                    }
                    inner.addProperty("prev_kv", true);
                    wrapper.add("request_delete_range", inner);
                }
                case GET -> {
                    if (op.prefix()) {
                        inner.addProperty("range_end", Json.b64(Json.prefixEnd(key)));
                    }
                    wrapper.add("request_range", inner);
                }
            }
            array.add(wrapper);
        }
        return array;
    }

    /** The outcome of a TxnResponse: a lost txn has no {@code succeeded} at all. */
    static TxnResult txnResult(Txn txn, JsonObject answer, byte[] prefix) {
        boolean succeeded = Json.bool(answer, "succeeded");
        List<Op> branch = succeeded ? txn.success() : txn.failure();
        List<JsonObject> responses = Json.array(answer, "responses");
        List<List<KeyValue>> results = new ArrayList<>();
        for (int i = 0; i < branch.size(); i++) {
            JsonObject response = i < responses.size() ? responses.get(i) : new JsonObject();
            results.add(switch (branch.get(i).kind()) {
                case PUT -> List.of();
                case DELETE -> Json.keyValues(Json.array(Json.obj(response, "response_delete_range"), "prev_kvs"), prefix);
                case GET -> Json.keyValues(Json.array(Json.obj(response, "response_range"), "kvs"), prefix);
            });
        }
        return new TxnResult(succeeded, Json.revision(answer), results);
    }

    @Override
    public Watch watch(String keyPrefix, Watcher watcher) {
        checkOpen();
        EtcdWatch watch = new EtcdWatch(this, keyPrefix, watcher);
        watches.add(watch);
        watch.start();
        return watch;
    }

    void forget(EtcdWatch watch) {
        watches.remove(watch);
    }

    /** Stops the keepalive (the lease is left to expire, or to be taken up again by a restart within its TTL), the watches and the client. */
    @Override
    public void close() {
        closed = true;
        EtcdSession s;
        synchronized (this) {
            s = session;
        }
        if (s != null) {
            s.stop();
        }
        for (EtcdWatch watch : List.copyOf(watches)) {
            watch.close();
        }
        gateway.close();
    }

    boolean closed() {
        return closed;
    }

    JsonObject call(String path, JsonObject body, boolean change) {
        checkOpen();
        return gateway.call(path, body, change);
    }

    /** The key with the cluster prefix, as bytes. */
    byte[] full(String key) {
        return (settings.prefix() + key).getBytes(StandardCharsets.UTF_8);
    }

    byte[] prefixBytes() {
        return prefix.clone();
    }

    private void checkOpen() {
        if (closed) {
            throw new ClusterException(Reason.UNAVAILABLE, "the cluster store for " + settings.endpoints() + " is closed");
        }
    }

    static void log(System.Logger.Level level, String message, Throwable t) {
        LOG.log(level, message, t);
    }

    @Override
    public String toString() {
        return "etcd " + settings.endpoints() + " prefix " + settings.prefix() + " node " + settings.nodeId();
    }
}
