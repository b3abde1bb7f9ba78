package dev.weft.spi;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The store that the hosts of a cluster share (global scope): networks, their subnets and
 * addresses, VNIs and which host has which endpoint. Designed from etcd's v3 semantics, and
 * implemented on etcd by the bundle {@code cluster-etcd}: every change has a revision, one
 * transaction compares and changes several keys at once, keys may be bound to this host's lease,
 * and a watch delivers every change after a revision.
 *
 * <p>Only global-scope work touches it: local networks keep their records in files and never wait
 * for the store. The service is registered only when the instance has a cluster configured
 * ({@code weft.cluster.store}, {@code weft.cluster.advertise}); its absence means "no cluster".
 *
 * <h2>Keys</h2>
 * Keys are paths relative to the instance's cluster prefix ({@code weft.cluster.prefix}, so several
 * Weft clusters can share one etcd), such as {@code networks/ID}; the store adds the prefix and
 * never returns it. Values are bytes (JSON by convention).
 *
 * <h2>Failures</h2>
 * Every call is bounded by the configured request timeout and fails over between the configured
 * endpoints. A call that cannot be answered throws {@link ClusterException} with
 * {@link ClusterException.Reason#UNAVAILABLE}. A change whose answer was lost after it was sent
 * (timeout, connection reset) throws with {@link ClusterException.Reason#INDETERMINATE}: it may have
 * been applied. A caller that retries a create-if-absent reads the key to learn whether it was its
 * own, so nothing leaks or doubles; values that are claims therefore carry the claimer's identity.
 */
@ProviderType
public interface ClusterStore {

    /** This host's id in the cluster: stable across restarts ({@code weft.cluster.node}, default its advertise address). */
    String nodeId();

    /** This host's underlay address ({@code weft.cluster.advertise}): where other hosts' tunnels end, its VTEP. */
    InetAddress advertise();

    /** How long this host's leased keys outlive it ({@code weft.cluster.ttl}, default 10 s). */
    Duration leaseTtl();

    /**
     * This host's lease: kept alive by the store while the runtime runs. It is the lease this host
     * had before a restart when the store still has it (found in {@code sessions/NODEID}), so a restart
     * within the TTL changes nothing the others see; otherwise a new one. Keys put with
     * {@link Op#putLeased} are bound to it and vanish for everyone when this host is gone longer
     * than {@link #leaseTtl()}.
     *
     * @throws ClusterException when the store is unreachable
     */
    Session session();

    /** The key's current value, or empty. */
    Optional<KeyValue> get(String key);

    /** Every key under {@code prefix} (keys that start with it), in key order, with the revision of the read. */
    Range range(String prefix);

    /** Puts a value (not leased) and returns the revision of the change. */
    long put(String key, byte[] value);

    /** Deletes a key and returns what it held, or empty when there was none. */
    Optional<KeyValue> delete(String key);

    /** Compares, then applies {@link Txn#success} if every comparison holds, else {@link Txn#failure}: atomically. */
    TxnResult txn(Txn txn);

    /**
     * Follows every key under {@code prefix}: {@link Watcher#reset} first with the current state,
     * then {@link Watcher#events} for each change after it, in revision order, nothing missed and
     * nothing twice. When the stream breaks it resumes after the last revision delivered, from
     * another endpoint if need be; when that revision was compacted meanwhile, {@code reset} is
     * called again with the whole current state. While the store is unreachable nothing is
     * delivered and {@link Watcher#unavailable} is called once. Callbacks run on one thread per
     * watch, never concurrently for one watch.
     */
    Watch watch(String prefix, Watcher watcher);

    /** One key as stored. */
    record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {
        public KeyValue {
            Objects.requireNonNull(key, "key");
            value = value == null ? new byte[0] : value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        /** The value as UTF-8 text. */
        public String text() {
            return new String(value, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyValue k && key.equals(k.key) && Arrays.equals(value, k.value)
                    && createRevision == k.createRevision && modRevision == k.modRevision && version == k.version
                    && lease == k.lease;
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Long.hashCode(modRevision);
        }

        @Override
        public String toString() {
            return key + "@" + modRevision + "=" + text();
        }
    }

    /** Keys under a prefix and the store's revision when they were read. */
    record Range(List<KeyValue> kvs, long revision) {
        public Range {
            kvs = List.copyOf(kvs);
        }
    }

    /** A comparison of a transaction (etcd's {@code Compare}, always EQUAL). */
    record Compare(String key, Target target, long number, byte[] bytes) {
        public enum Target { CREATE, MOD, VERSION, VALUE }

        public Compare {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(target, "target");
            bytes = bytes == null ? null : bytes.clone();
        }

        /** The key does not exist (create revision 0). */
        public static Compare absent(String key) {
            return new Compare(key, Target.CREATE, 0, null);
        }

        /** The key was last changed at {@code revision} (0: it does not exist). */
        public static Compare modRevision(String key, long revision) {
            return new Compare(key, Target.MOD, revision, null);
        }

        /** The key holds exactly {@code value}. */
        public static Compare value(String key, byte[] value) {
            return new Compare(key, Target.VALUE, 0, value);
        }

        @Override
        public byte[] bytes() {
            return bytes == null ? null : bytes.clone();
        }
    }

    /** An operation of a transaction. */
    record Op(Kind kind, String key, byte[] value, boolean leased, boolean prefix) {
        public enum Kind { PUT, DELETE, GET }

        public Op {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
            value = value == null ? null : value.clone();
        }

        public static Op put(String key, byte[] value) {
            return new Op(Kind.PUT, key, value, false, false);
        }

        /** A put bound to this host's {@link #session()} lease. */
        public static Op putLeased(String key, byte[] value) {
            return new Op(Kind.PUT, key, value, true, false);
        }

        public static Op delete(String key) {
            return new Op(Kind.DELETE, key, null, false, false);
        }

        /** Deletes every key under {@code prefix}. */
        public static Op deletePrefix(String prefix) {
            return new Op(Kind.DELETE, prefix, null, false, true);
        }

        public static Op get(String key) {
            return new Op(Kind.GET, key, null, false, false);
        }

        @Override
        public byte[] value() {
            return value == null ? null : value.clone();
        }
    }

    /** Compare, then one branch or the other, atomically. */
    record Txn(List<Compare> compares, List<Op> success, List<Op> failure) {
        public Txn {
            compares = List.copyOf(compares);
            success = List.copyOf(success);
            failure = List.copyOf(failure);
        }

        /** Creates {@code key} if absent; on failure, reads what is there. */
        public static Txn createIfAbsent(String key, byte[] value, boolean leased) {
            return new Txn(List.of(Compare.absent(key)),
                    List.of(leased ? Op.putLeased(key, value) : Op.put(key, value)), List.of(Op.get(key)));
        }
    }

    /**
     * A transaction's outcome: whether the comparisons held, the revision after it, and per
     * operation of the branch taken what it returned (a GET: the key, or nothing; a DELETE: what
     * it deleted; a PUT: nothing).
     */
    record TxnResult(boolean succeeded, long revision, List<List<KeyValue>> results) {
        public TxnResult {
            results = results.stream().map(List::copyOf).toList();
        }
    }

    /** A change seen by a watch: a put (with what it replaced, if anything) or a delete (with what was deleted). */
    record Event(Type type, KeyValue kv, KeyValue previous) {
        public enum Type { PUT, DELETE }
    }

    /** What a {@link #watch} delivers to. */
    interface Watcher {
        /** The whole current state under the prefix (first, and again after a compaction or a long outage). */
        void reset(Range current);

        /** Changes after the state last delivered, in revision order. */
        void events(List<Event> events);

        /** The store cannot be reached; the watch keeps trying and calls {@link #reset} or {@link #events} when it can. */
        default void unavailable(ClusterException cause) {
        }
    }

    /** A running watch; {@link #close} ends it. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** This host's lease in the store. */
    interface Session {
        /** The lease id. */
        long lease();

        /** True when this lease was granted by this runtime (none from before its restart was still alive): leased keys must be put again. */
        boolean fresh();
    }
}
