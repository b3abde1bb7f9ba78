package dev.weft.testkit;

import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterStore;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory {@link ClusterStore} with etcd's semantics, for tests without etcd: one revision
 * counter for the whole data set (one step per write or per transaction that writes), create and
 * mod revisions and versions per key, atomic transactions, leases (one per node, whose keys vanish
 * when it expires: {@link #expireSession()}), and watches delivering a reset then every change
 * after it in revision order, each watch on a thread of its own.
 *
 * <p>Several hosts of one cluster are several views over one {@link Data}:
 * <pre>
 * MemoryClusterStore.Data data = new MemoryClusterStore.Data();
 * ClusterStore h1 = new MemoryClusterStore(data, "h1", InetAddress.getByName("10.214.0.11"));
 * ClusterStore h2 = new MemoryClusterStore(data, "h2", InetAddress.getByName("10.214.0.12"));
 * </pre>
 * A second view with the same node id plays that host after a restart: it finds the node's lease
 * if it is still alive ({@link Session#fresh()} false). Failures are played with
 * {@link Data#unavailable(boolean)} and {@link Data#indeterminateNext(boolean)}; a compaction that
 * makes every watch start again from a reset with {@link Data#resetWatches()}.
 */
public final class MemoryClusterStore implements ClusterStore {
    private final Data data;
    private final String nodeId;
    private final InetAddress advertise;
    private final Duration ttl;
    /** The lease this view granted itself, or 0: a lease found from before is not fresh. */
    private long grantedHere;

    public MemoryClusterStore(Data data, String nodeId, InetAddress advertise) {
        this(data, nodeId, advertise, Duration.ofSeconds(10));
    }

    public MemoryClusterStore(Data data, String nodeId, InetAddress advertise, Duration leaseTtl) {
        this.data = Objects.requireNonNull(data, "data");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.advertise = Objects.requireNonNull(advertise, "advertise");
        this.ttl = Objects.requireNonNull(leaseTtl, "leaseTtl");
    }

    /** The data set every view of this cluster shares: keys, revision, leases, watches. */
    public static final class Data {
        private final TreeMap<String, KeyValue> kvs = new TreeMap<>();
        private final Map<String, Long> leaseOfNode = new HashMap<>();
        private final List<WatchImpl> watches = new CopyOnWriteArrayList<>();
        private long revision = 1; // etcd starts at 1
        private long nextLease = 0x1000;
        private boolean unavailable;
        private Boolean indeterminateNext;

        /** The current revision. */
        public synchronized long revision() {
            return revision;
        }

        /** Every key, as stored (for assertions). */
        public synchronized Map<String, KeyValue> snapshot() {
            return new TreeMap<>(kvs);
        }

        /** While true, every call throws {@link ClusterException.Reason#UNAVAILABLE} and watches hear {@code unavailable}. */
        public void unavailable(boolean value) {
            synchronized (this) {
                unavailable = value;
            }
            if (value) {
                for (WatchImpl w : watches) {
                    w.queue.add(new Delivery(null, null, true));
                }
            } else {
                resetWatches();
            }
        }

        /**
         * The next change (put, delete, transaction) throws {@link ClusterException.Reason#INDETERMINATE}
         * after being applied ({@code applied} true) or not: an answer lost on the way back.
         */
        public synchronized void indeterminateNext(boolean applied) {
            indeterminateNext = applied;
        }

        /** Every watch gets a {@code reset} with the current state, as after a compaction. */
        public synchronized void resetWatches() {
            for (WatchImpl w : watches) {
                w.queue.add(new Delivery(range(w.prefix), null, false));
            }
        }

        private void checkAvailable() {
            if (unavailable) {
                throw new ClusterException(ClusterException.Reason.UNAVAILABLE, "memory cluster store: unavailable (test)");
            }
        }

        private Range range(String prefix) {
            List<KeyValue> out = new ArrayList<>(kvs.tailMap(prefix, true).values().stream()
                    .takeWhile(kv -> kv.key().startsWith(prefix)).toList());
            return new Range(out, revision);
        }

        /** Applies a write under the lock, then plays a lost answer if asked. */
        private <T> T write(java.util.function.Supplier<T> change) {
            Boolean lost;
            T result;
            synchronized (this) {
                checkAvailable();
                lost = indeterminateNext;
                indeterminateNext = null;
                if (lost != null && !lost) {
                    throw indeterminate();
                }
                result = change.get();
            }
            if (lost != null) {
                throw indeterminate();
            }
            return result;
        }

        private static ClusterException indeterminate() {
            return new ClusterException(ClusterException.Reason.INDETERMINATE,
                    "memory cluster store: the answer was lost (test)");
        }

        private boolean holds(Compare c) {
            KeyValue kv = kvs.get(c.key());
            return switch (c.target()) {
                case CREATE -> (kv == null ? 0 : kv.createRevision()) == c.number();
                case MOD -> (kv == null ? 0 : kv.modRevision()) == c.number();
                case VERSION -> (kv == null ? 0 : kv.version()) == c.number();
                case VALUE -> kv != null && Arrays.equals(kv.value(), c.bytes());
            };
        }

        /** Applies ops at {@code rev} (the revision the txn makes if it writes); collects events. */
        private List<List<KeyValue>> apply(List<Op> ops, long rev, long lease, List<Event> events) {
            List<List<KeyValue>> results = new ArrayList<>();
            for (Op op : ops) {
                switch (op.kind()) {
                    case GET -> results.add(kvs.containsKey(op.key()) ? List.of(kvs.get(op.key())) : List.of());
                    case PUT -> {
                        KeyValue old = kvs.get(op.key());
                        KeyValue kv = new KeyValue(op.key(), op.value(), old == null ? rev : old.createRevision(), rev,
                                old == null ? 1 : old.version() + 1, op.leased() ? lease : 0);
                        kvs.put(op.key(), kv);
                        events.add(new Event(Event.Type.PUT, kv, old));
                        results.add(List.of());
                    }
                    case DELETE -> {
                        List<String> keys = op.prefix() ? range(op.key()).kvs().stream().map(KeyValue::key).toList()
                                : kvs.containsKey(op.key()) ? List.of(op.key()) : List.of();
                        List<KeyValue> deleted = new ArrayList<>();
                        for (String k : keys) {
                            KeyValue old = kvs.remove(k);
                            deleted.add(old);
                            events.add(new Event(Event.Type.DELETE, new KeyValue(k, null, 0, rev, 0, 0), old));
                        }
                        results.add(deleted);
                    }
                }
            }
            return results;
        }

        /** Runs a transaction under the lock. */
        private TxnResult txn(Txn txn, long lease) {
            boolean ok = txn.compares().stream().allMatch(this::holds);
            List<Op> ops = ok ? txn.success() : txn.failure();
            List<Event> events = new ArrayList<>();
            List<List<KeyValue>> results = apply(ops, revision + 1, lease, events);
            if (!events.isEmpty()) {
                revision++;
                publish(events);
            }
            return new TxnResult(ok, revision, results);
        }

        private void publish(List<Event> events) {
            for (WatchImpl w : watches) {
                List<Event> mine = events.stream().filter(e -> e.kv().key().startsWith(w.prefix)).toList();
                if (!mine.isEmpty()) {
                    w.queue.add(new Delivery(null, mine, false));
                }
            }
        }

        private long lease(String node, boolean grant) {
            Long l = leaseOfNode.get(node);
            if (l == null && grant) {
                l = nextLease++;
                leaseOfNode.put(node, l);
            }
            return l == null ? 0 : l;
        }

        private void expire(String node) {
            Long lease = leaseOfNode.remove(node);
            if (lease == null) {
                return;
            }
            List<Op> deletes = kvs.values().stream().filter(kv -> kv.lease() == lease).map(kv -> Op.delete(kv.key()))
                    .toList();
            if (!deletes.isEmpty()) {
                txn(new Txn(List.of(), deletes, List.of()), 0);
            }
        }
    }

    private record Delivery(Range reset, List<Event> events, boolean unavailable) {}

    private final class WatchImpl implements Watch {
        final String prefix;
        final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
        final Thread thread;
        volatile boolean closed;

        WatchImpl(String prefix, Watcher watcher) {
            this.prefix = prefix;
            this.thread = new Thread(() -> deliver(watcher), "memory-cluster-watch " + nodeId + " " + prefix);
            this.thread.setDaemon(true);
        }

        private void deliver(Watcher watcher) {
            while (!closed) {
                Delivery d;
                try {
                    d = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (d == null || closed) {
                    continue;
                }
                if (d.unavailable()) {
                    watcher.unavailable(new ClusterException(ClusterException.Reason.UNAVAILABLE,
                            "memory cluster store: unavailable (test)"));
                } else if (d.reset() != null) {
                    watcher.reset(d.reset());
                } else {
                    watcher.events(d.events());
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            data.watches.remove(this);
            thread.interrupt();
        }
    }

    /** Lets this node's lease lapse, as when the host is gone longer than the TTL: its leased keys vanish. */
    public void expireSession() {
        synchronized (data) {
            data.expire(nodeId);
            grantedHere = 0;
        }
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public InetAddress advertise() {
        return advertise;
    }

    @Override
    public Duration leaseTtl() {
        return ttl;
    }

    @Override
    public Session session() {
        synchronized (data) {
            data.checkAvailable();
            long existing = data.lease(nodeId, false);
            long lease = data.lease(nodeId, true);
            if (existing == 0) {
                grantedHere = lease;
            }
            boolean fresh = grantedHere == lease;
            return new Session() {
                @Override
                public long lease() {
                    return lease;
                }

                @Override
                public boolean fresh() {
                    return fresh;
                }
            };
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        synchronized (data) {
            data.checkAvailable();
            return Optional.ofNullable(data.kvs.get(key));
        }
    }

    @Override
    public Range range(String prefix) {
        synchronized (data) {
            data.checkAvailable();
            return data.range(prefix);
        }
    }

    @Override
    public long put(String key, byte[] value) {
        return txn(new Txn(List.of(), List.of(Op.put(key, value)), List.of())).revision();
    }

    @Override
    public Optional<KeyValue> delete(String key) {
        List<KeyValue> deleted = txn(new Txn(List.of(), List.of(Op.delete(key)), List.of())).results().get(0);
        return deleted.stream().findFirst();
    }

    @Override
    public TxnResult txn(Txn txn) {
        boolean leased = txn.success().stream().anyMatch(Op::leased) || txn.failure().stream().anyMatch(Op::leased);
        long lease = leased ? session().lease() : 0;
        return data.write(() -> data.txn(txn, lease));
    }

    @Override
    public Watch watch(String prefix, Watcher watcher) {
        WatchImpl w = new WatchImpl(prefix, watcher);
        synchronized (data) {
            data.checkAvailable();
            w.queue.add(new Delivery(data.range(prefix), null, false));
            data.watches.add(w);
        }
        w.thread.start();
        return w;
    }
}
