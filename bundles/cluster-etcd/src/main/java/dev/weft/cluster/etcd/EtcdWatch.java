package dev.weft.cluster.etcd;

import com.google.gson.JsonObject;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterException.Reason;
import dev.weft.spi.ClusterStore.Event;
import dev.weft.spi.ClusterStore.KeyValue;
import dev.weft.spi.ClusterStore.Range;
import dev.weft.spi.ClusterStore.Watch;
import dev.weft.spi.ClusterStore.Watcher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One watch: a thread that reads the prefix ({@link Watcher#reset}), then follows
 * {@code POST /v3/watch} from the revision after it and delivers each answer's events. A broken
 * stream is opened again (on another member if need be) from the revision after the last one
 * delivered; a compacted revision means a fresh read and {@code reset}.
 */
final class EtcdWatch implements Watch {
    private static final long MAX_BACKOFF_MS = 2000;
    /** A stream that lived this long was a working one: its end is a new outage, not the same one. */
    private static final long HEALTHY_NANOS = 2_000_000_000L;

    private final EtcdClusterStore store;
    private final String prefix;
    private final Watcher watcher;
    private final byte[] prefixBytes;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Gateway.Stream stream;
    /** The last revision delivered (events or reset); -1 before the first reset. */
    private long revision = -1;
    /** Whether {@link Watcher#unavailable} was called for the outage going on. */
    private boolean reported;
    /** Streams in a row that ended soon after they were opened. */
    private int quickEnds;

    EtcdWatch(EtcdClusterStore store, String prefix, Watcher watcher) {
        this.store = store;
        this.prefix = prefix;
        this.watcher = watcher;
        this.prefixBytes = store.prefixBytes();
        this.thread = store.threads().newThread(this::run);
    }

    void start() {
        thread.start();
    }

    /** The endpoint index of the open stream, or -1 (tests). */
    int streamEndpoint() {
        Gateway.Stream s = stream;
        return s == null ? -1 : s.endpoint();
    }

    /** The last revision delivered (tests). */
    long revision() {
        return revision;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Gateway.Stream s = stream;
        if (s != null) {
            s.close();
        }
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.forget(this);
    }

    private void run() {
        long backoff = 100;
        int avoid = -1;
        while (!closed && !store.closed()) {
            try {
                if (revision < 0) {
                    Range current = store.range(prefix);
                    revision = current.revision();
                    deliver(() -> watcher.reset(current));
                    reported = false;
                }
                Gateway.Stream s = store.gateway().stream("/v3/watch", createRequest(revision + 1), avoid);
                stream = s;
                if (closed) {
                    s.close();
                    return;
                }
                avoid = -1;
                long openedAt = System.nanoTime();
                String ended = follow(s);
                if (closed) {
                    return;
                }
                if (ended != null) {
                    // The member ended the stream (it died, lost its leader, or the connection broke): go elsewhere.
                    avoid = s.endpoint();
                    store.gateway().failed(s.endpoint());
                    EtcdClusterStore.log(Level.DEBUG, "watch " + prefix + " at " + s.uri() + " ended (" + ended
                            + "): resuming after revision " + revision, null);
                    if (System.nanoTime() - openedAt < HEALTHY_NANOS) {
                        // Ended as soon as it was opened: the store may not really be there (a member without leader).
                        if (++quickEnds >= 3) {
                            throw new ClusterException(Reason.UNAVAILABLE, "watch " + prefix + " at " + s.uri() + " ended: " + ended);
                        }
                        sleep(200);
                    } else {
                        quickEnds = 0;
                    }
                    backoff = 100;
                } else {
                    backoff = 100; // compacted: reset at once
                }
            } catch (ClusterException e) {
                if (closed) {
                    return;
                }
                if (!reported) {
                    reported = true;
                    deliver(() -> watcher.unavailable(e));
                }
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                EtcdClusterStore.log(Level.WARNING, "watch " + prefix + ": " + e, e);
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            } finally {
                stream = null;
            }
        }
    }

    /** Reads the stream until it ends; null when the watch must start over with a reset (compaction), else why it ended. */
    private String follow(Gateway.Stream s) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(s.in(), StandardCharsets.UTF_8))) {
            String line;
            while (!closed && (line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject message = Json.parse(line);
                if (message.has("error")) {
                    JsonObject error = Json.obj(message, "error");
                    return "error " + (error == null ? message.get("error").toString() : Json.str(error, "message"));
                }
                JsonObject result = Json.obj(message, "result");
                if (result == null) {
                    continue;
                }
                long compacted = Json.num(result, "compact_revision");
                if (compacted > 0) {
                    EtcdClusterStore.log(Level.INFO, "watch " + prefix + ": revision " + (revision + 1)
                            + " was compacted (now " + compacted + "): reading everything again", null);
                    revision = -1;
                    return null;
                }
                if (Json.bool(result, "created") && reported) {
                    confirmRecovered();
                }
                if (Json.bool(result, "canceled")) {
                    return "canceled: " + Json.str(result, "cancel_reason");
                }
                List<JsonObject> raw = Json.array(result, "events");
                if (raw.isEmpty()) {
                    if (!Json.bool(result, "created")) {
                        // A progress notice: everything up to its revision was delivered.
                        revision = Math.max(revision, Json.revision(result));
                        reported = false;
                    }
                    continue;
                }
                List<dev.weft.spi.ClusterStore.Event> events = events(raw, prefixBytes);
                long last = revision;
                for (JsonObject e : raw) {
                    last = Math.max(last, Json.num(Json.obj(e, "kv"), "mod_revision"));
                }
                List<Event> delivered = new ArrayList<>();
                for (Event e : events) {
                    if (e.kv().modRevision() > revision) {
                        delivered.add(e); // never twice, whatever a member sends again
                    }
                }
                revision = last;
                reported = false; // whatever outage there was is over
                quickEnds = 0;
                if (!delivered.isEmpty()) {
                    deliver(() -> watcher.events(List.copyOf(delivered)));
                }
            }
            return closed ? "closed" : "end of stream";
        } catch (IOException e) {
            return Gateway.describe(e);
        } catch (RuntimeException e) {
            if (closed) {
                return "closed";
            }
            throw new ClusterException(Reason.UNAVAILABLE, "watch " + prefix + " at " + s.uri() + ": " + e.getMessage(), e);
        }
    }

    /**
     * After an outage, a stream that opens is not proof that the store works again (a member may
     * accept it before it notices it has no leader): a linearizable read is. When it succeeds the
     * outage is over, and the next one is reported again.
     */
    private void confirmRecovered() {
        byte[] key = store.full(prefix);
        JsonObject probe = new JsonObject();
        probe.addProperty("key", Json.b64(key));
        probe.addProperty("range_end", Json.b64(Json.prefixEnd(key)));
        probe.addProperty("limit", "1");
        probe.addProperty("keys_only", true);
        try {
            store.call("/v3/kv/range", probe, false);
            reported = false;
            quickEnds = 0;
        } catch (ClusterException e) {
            // still out: the stream will end and be opened again
        }
    }

    /** The events of a watch answer (a PUT has no "type"; a DELETE's kv holds only key and mod_revision). */
    static List<Event> events(List<JsonObject> raw, byte[] prefix) {
        List<Event> events = new ArrayList<>(raw.size());
        for (JsonObject e : raw) {
            KeyValue kv = Json.keyValue(Json.obj(e, "kv"), prefix);
            if (kv == null) {
                continue;
            }
            JsonObject prevJson = Json.obj(e, "prev_kv");
            KeyValue previous = prevJson == null ? null : Json.keyValue(prevJson, prefix);
            Event.Type type = "DELETE".equals(Json.str(e, "type")) ? Event.Type.DELETE : Event.Type.PUT;
            events.add(new Event(type, kv, previous));
        }
        return events;
    }

    private JsonObject createRequest(long startRevision) {
        byte[] key = store.full(prefix);
        JsonObject create = new JsonObject();
        create.addProperty("key", Json.b64(key));
        create.addProperty("range_end", Json.b64(Json.prefixEnd(key)));
        create.addProperty("start_revision", Long.toString(startRevision));
        create.addProperty("prev_kv", true);
        create.addProperty("progress_notify", true);
        JsonObject request = new JsonObject();
        request.add("create_request", create);
        return request;
    }

    private void deliver(Runnable callback) {
        if (closed) {
            return;
        }
        try {
            callback.run();
        } catch (RuntimeException e) {
            EtcdClusterStore.log(Level.WARNING, "a watcher of " + prefix + " failed", e);
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // closed
        }
    }
}
