package dev.weft.cluster.etcd;

import com.google.gson.JsonObject;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * This host's lease, kept alive every TTL/3 by a daemon thread. Its id is kept under
 * {@code sessions/NODEID} (a key bound to the lease itself), so a restart within the TTL takes the
 * same lease up again. When etcd says the lease is gone (a keepalive answer without TTL: the host
 * was cut off longer than the TTL), a new one is granted, {@link #fresh()} turns true and the
 * {@link #onRenewed} listeners run: leased keys vanished and must be put again.
 */
final class EtcdSession implements ClusterStore.Session {
    static final String SESSIONS = "sessions/";

    private final EtcdClusterStore store;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Thread keeper;
    private volatile long lease;
    private volatile boolean fresh;
    private volatile long grantedTtl;
    private volatile boolean stopped;

    private EtcdSession(EtcdClusterStore store, long lease, long grantedTtl, boolean fresh) {
        this.store = store;
        this.lease = lease;
        this.grantedTtl = grantedTtl;
        this.fresh = fresh;
        this.keeper = store.threads().newThread(this::keepAlive);
    }

    /** Takes up the lease under {@code sessions/NODEID} when it is still alive, else grants a new one. */
    static EtcdSession open(EtcdClusterStore store) {
        String key = SESSIONS + store.nodeId();
        Optional<ClusterStore.KeyValue> recorded = store.get(key);
        if (recorded.isPresent()) {
            try {
                long id = Long.parseLong(recorded.get().text().trim());
                long ttl = keepAliveOnce(store, id);
                if (ttl > 0) {
                    EtcdSession session = new EtcdSession(store, id, ttl, false);
                    session.keeper.start();
                    return session;
                }
            } catch (NumberFormatException e) {
                EtcdClusterStore.log(Level.WARNING, key + " holds " + recorded.get().text() + ", not a lease id: granting a new lease", null);
            }
        }
        long[] granted = grant(store);
        EtcdSession session = new EtcdSession(store, granted[0], granted[1], true);
        session.keeper.start();
        return session;
    }

    @Override
    public long lease() {
        return lease;
    }

    @Override
    public boolean fresh() {
        return fresh;
    }

    /** The TTL etcd granted (etcd may raise a short TTL to its minimum). */
    long grantedTtl() {
        return grantedTtl;
    }

    /** Runs {@code listener} (on the keepalive thread) each time the lease was lost and a new one granted. */
    void onRenewed(Runnable listener) {
        listeners.add(listener);
    }

    void stop() {
        stopped = true;
        keeper.interrupt();
        try {
            keeper.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void keepAlive() {
        while (!stopped) {
            long intervalMs = Math.max(500, TimeUnit.SECONDS.toMillis(grantedTtl) / 3);
            try {
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            }
            if (stopped) {
                return;
            }
            try {
                long ttl = keepAliveOnce(store, lease);
                if (ttl <= 0) {
                    EtcdClusterStore.log(Level.WARNING, "etcd lease " + Long.toHexString(lease) + " of node " + store.nodeId()
                            + " is gone (this host was out of touch longer than its TTL): granting a new one;"
                            + " its leased keys must be put again", null);
                    long[] granted = grant(store);
                    lease = granted[0];
                    grantedTtl = granted[1];
                    fresh = true;
                    for (Runnable listener : listeners) {
                        try {
                            listener.run();
                        } catch (RuntimeException e) {
                            EtcdClusterStore.log(Level.WARNING, "a lease renewal listener failed", e);
                        }
                    }
                }
            } catch (ClusterException e) {
                if (stopped) {
                    return;
                }
                EtcdClusterStore.log(Level.DEBUG, "keepalive of lease " + Long.toHexString(lease) + " failed: " + e.getMessage(), null);
            }
        }
    }

    /** One keepalive; the TTL left, 0 when the lease is gone. */
    static long keepAliveOnce(EtcdClusterStore store, long id) {
        JsonObject request = new JsonObject();
        request.addProperty("ID", Long.toString(id));
        JsonObject answer = store.call("/v3/lease/keepalive", request, false);
        JsonObject result = answer.has("result") ? Json.obj(answer, "result") : answer;
        if (answer.has("error")) {
            JsonObject error = Json.obj(answer, "error");
            String message = error == null ? answer.get("error").toString() : Json.str(error, "message");
            if (message.contains("lease not found")) {
                return 0;
            }
            throw new ClusterException(ClusterException.Reason.UNAVAILABLE, "etcd keepalive: " + message);
        }
        return Json.num(result, "TTL");
    }

    /** Grants a lease of the configured TTL and records it under {@code sessions/NODEID}, bound to itself. */
    private static long[] grant(EtcdClusterStore store) {
        JsonObject request = new JsonObject();
        request.addProperty("TTL", Long.toString(store.leaseTtl().toSeconds()));
        JsonObject answer = store.call("/v3/lease/grant", request, true);
        long id = Json.num(answer, "ID");
        long ttl = Json.num(answer, "TTL");
        if (id == 0) {
            throw new ClusterException(ClusterException.Reason.UNAVAILABLE, "etcd granted no lease: " + Json.str(answer, "error"));
        }
        JsonObject put = new JsonObject();
        put.addProperty("key", Json.b64(store.full(SESSIONS + store.nodeId())));
        put.addProperty("value", Json.b64(Long.toString(id).getBytes(StandardCharsets.UTF_8)));
        put.addProperty("lease", Long.toString(id));
        store.call("/v3/kv/put", put, true);
        return new long[] {id, ttl > 0 ? ttl : store.leaseTtl().toSeconds()};
    }

    @Override
    public String toString() {
        return "lease " + Long.toHexString(lease) + (fresh ? " (fresh)" : " (taken up again)");
    }
}
