package dev.weft.dns.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.net.InterfaceAddress;
import dev.weft.spi.ClusterStore;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The names of the other hosts' endpoints on global networks: follows the cluster store's
 * {@code endpoints/NETWORK/ENDPOINT} keys (core's {@code Cluster} publishes every endpoint of a
 * global network there, bound to its host's lease: node, VTEP, MAC, addresses, sandbox, names) and
 * keeps them in the {@link NameTable}. Records of this host ({@link ClusterStore#nodeId()}) are
 * skipped: this host's endpoints come from the controller's events. A deleted key (the endpoint
 * left, or its host's lease lapsed) takes its names away.
 *
 * <p>The store may come and go ({@code DriverContext.cluster()} is empty until the cluster store's
 * service is there). It is checked at every network event that may concern it ({@link #check()})
 * and, so that a store that arrives or leaves without any event is seen too, once a second on a
 * daemon thread (a volatile read; nothing is asked of the store). A new store gets a new watch (its
 * reset replaces everything); a store gone takes every remote name with it: nothing tells any
 * more when they go.
 */
public final class RemoteEndpoints implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RemoteEndpoints.class.getName());
    /** Core's key prefix of published endpoints ({@code ClusterKeys.ENDPOINTS}). */
    static final String PREFIX = "endpoints/";

    private final Supplier<Optional<ClusterStore>> stores;
    private final NameTable table;
    private final ScheduledExecutorService poll;
    private ClusterStore store;
    private ClusterStore.Watch watch;
    private boolean closed;

    public RemoteEndpoints(Supplier<Optional<ClusterStore>> stores, NameTable table) {
        this.stores = stores;
        this.table = table;
        this.poll = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-dns-cluster");
            t.setDaemon(true);
            return t;
        });
        poll.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Follows the store the context has now: starts a watch for a new one, drops what a gone one
     * gave. Watches are opened and closed outside this object's lock, which their callbacks take.
     */
    public void check() {
        ClusterStore now;
        try {
            now = stores.get().orElse(null);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cannot tell the cluster store", e);
            return;
        }
        ClusterStore.Watch old;
        synchronized (this) {
            if (closed || now == store) {
                return;
            }
            old = watch;
            watch = null;
            if (store != null) {
                table.resetRemotes(Map.of());
            }
            store = now;
        }
        closeQuietly(old);
        if (now == null) {
            return;
        }
        ClusterStore.Watch opened;
        try {
            opened = now.watch(PREFIX, new Follower(now));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot follow the cluster's endpoints: " + e.getMessage()
                    + "; names of other hosts' sandboxes are not served yet (trying again)", e);
            synchronized (this) {
                if (store == now) {
                    store = null; // the next check tries again
                }
            }
            return;
        }
        synchronized (this) {
            if (store == now && !closed) {
                watch = opened;
                LOG.fine("following the cluster's endpoints for names (node " + now.nodeId() + ")");
                return;
            }
        }
        closeQuietly(opened);
    }

    private static void closeQuietly(ClusterStore.Watch w) {
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing the endpoints watch", e);
            }
        }
    }

    private synchronized boolean current(ClusterStore s) {
        return !closed && store == s;
    }

    /** Delivers one store's watch into the table, as long as that store is the one followed. */
    private final class Follower implements ClusterStore.Watcher {
        private final ClusterStore s;

        Follower(ClusterStore s) {
            this.s = s;
        }

        @Override
        public void reset(ClusterStore.Range current) {
            Map<String, Map<String, NameTable.Entry>> all = new HashMap<>();
            for (ClusterStore.KeyValue kv : current.kvs()) {
                entry(kv, s.nodeId()).ifPresent(e -> all.computeIfAbsent(e.networkId(), k -> new LinkedHashMap<>())
                        .put(e.endpointId(), e));
            }
            synchronized (RemoteEndpoints.this) {
                if (current(s)) {
                    table.resetRemotes(all);
                }
            }
        }

        @Override
        public void events(List<ClusterStore.Event> events) {
            synchronized (RemoteEndpoints.this) {
                if (!current(s)) {
                    return;
                }
                for (ClusterStore.Event ev : events) {
                    if (ev.type() == ClusterStore.Event.Type.PUT) {
                        Optional<NameTable.Entry> e = entry(ev.kv(), s.nodeId());
                        if (e.isPresent()) {
                            table.putRemote(e.get());
                        } else {
                            // this host's own, or unreadable: not a remote name (any more)
                            String[] ids = ids(ev.kv().key());
                            if (ids != null) {
                                table.removeRemote(ids[0], ids[1]);
                            }
                        }
                    } else {
                        String[] ids = ids(ev.kv().key());
                        if (ids != null) {
                            table.removeRemote(ids[0], ids[1]);
                        }
                    }
                }
            }
        }
    }

    /** {network id, endpoint id} of a key {@code endpoints/NET/EP}, or null. */
    static String[] ids(String key) {
        if (!key.startsWith(PREFIX)) {
            return null;
        }
        String rest = key.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        return new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    /** The remote endpoint a record stands for; empty for this host's own and for what does not parse. */
    static Optional<NameTable.Entry> entry(ClusterStore.KeyValue kv, String thisNode) {
        String[] ids = ids(kv.key());
        if (ids == null) {
            return Optional.empty();
        }
        try {
            JsonObject o = JsonParser.parseString(kv.text()).getAsJsonObject();
            String node = o.get("node").getAsString();
            if (node.equals(thisNode)) {
                return Optional.empty();
            }
            InetAddress v4 = null;
            InetAddress v6 = null;
            JsonArray addresses = o.has("addresses") ? o.getAsJsonArray("addresses") : new JsonArray();
            for (JsonElement a : addresses) {
                InetAddress ip = InterfaceAddress.parse(a.getAsString()).address();
                if (ip instanceof Inet4Address) {
                    v4 = v4 == null ? ip : v4;
                } else {
                    v6 = v6 == null ? ip : v6;
                }
            }
            List<String> names = new ArrayList<>();
            if (o.has("names") && o.get("names").isJsonArray()) {
                o.getAsJsonArray("names").forEach(n -> names.add(n.getAsString()));
            }
            String sandbox = o.has("sandbox") ? o.get("sandbox").getAsString() : "";
            return Optional.of(NameTable.Entry.remote(ids[1], ids[0], node, sandbox, v4, v6, names));
        } catch (RuntimeException e) {
            LOG.warning("cluster endpoint record " + kv.key() + " does not parse (" + e.getMessage()
                    + "); its names are not served");
            return Optional.empty();
        }
    }

    /** Stops following the store; the remote names go. */
    @Override
    public void close() {
        ClusterStore.Watch old;
        synchronized (this) {
            closed = true;
            old = watch;
            watch = null;
            store = null;
            table.resetRemotes(Map.of());
        }
        closeQuietly(old);
        poll.shutdownNow();
    }
}
