package dev.weft.cluster.etcd;

import com.google.gson.JsonObject;
import dev.weft.spi.ClusterException;
import dev.weft.spi.ClusterException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * etcd's v3 JSON gateway over one {@link HttpClient} (HTTP/1.1), with failover between the
 * members: each call starts at the endpoint that last worked and moves on when one cannot be
 * reached, within one deadline (the request timeout) for the whole call.
 *
 * <p>Every request carries the gRPC metadata {@code hasleader=true} (header
 * {@code Grpc-Metadata-hasleader}, as clientv3's {@code WithRequireLeader}): a member cut off
 * from the leader answers "no leader" at once instead of letting the request hang, and ends
 * watch streams when it loses its leader.
 *
 * <p>All requests are sent from this gateway's own threads (made by the given factory, so a
 * caller can have its sockets opened in another network namespace).
 */
final class Gateway implements AutoCloseable {
    /** A pause between rounds over every endpoint when each failed fast (a leader election, say). */
    private static final long ROUND_PAUSE_MS = 150;

    private final List<URI> endpoints;
    private final Duration timeout;
    private final ExecutorService io;
    private final HttpClient client;
    private final AtomicInteger current = new AtomicInteger();
    private volatile boolean closed;

    Gateway(List<URI> endpoints, Duration timeout, SSLContext ssl, ThreadFactory threads) {
        this.endpoints = List.copyOf(endpoints);
        this.timeout = timeout;
        this.io = Executors.newCachedThreadPool(threads);
        long connectMs = Math.max(200, Math.min(timeout.toMillis(), timeout.toMillis() / this.endpoints.size()));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(connectMs))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(io);
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.client = builder.build();
    }

    List<URI> endpoints() {
        return endpoints;
    }

    Duration timeout() {
        return timeout;
    }

    /** Index of the endpoint that last answered. */
    int current() {
        return current.get();
    }

    /**
     * POSTs {@code body} to {@code path} and returns the answer. A {@code change} that may have
     * reached etcd is never sent twice: its lost answer throws INDETERMINATE.
     */
    JsonObject call(String path, JsonObject body, boolean change) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String payload = body.toString();
        java.util.Map<URI, String> last = new java.util.LinkedHashMap<>();
        int start = current.get();
        int tries = 0;
        while (!closed) {
            int index = (start + tries) % endpoints.size();
            if (tries > 0 && index == start % endpoints.size()) {
                pause(deadline); // a whole round failed fast: wait a little before the next
            }
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0) {
                break;
            }
            tries++;
            URI endpoint = endpoints.get(index);
            HttpRequest request = request(endpoint, path, payload).timeout(Duration.ofMillis(remainingMs)).build();
            HttpResponse<String> response;
            try {
                response = send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), remainingMs);
            } catch (NotSent e) {
                last.put(endpoint, e.getMessage());
                continue;
            } catch (MaybeSent e) {
                last.put(endpoint, e.getMessage());
                if (change) {
                    throw new ClusterException(Reason.INDETERMINATE, "etcd " + path + " at " + endpoint
                            + ": the answer was lost after the request was sent (" + e.getMessage()
                            + "); it may have been applied", e.getCause());
                }
                continue;
            }
            String text = response.body();
            if (response.statusCode() == 200) {
                current.set(index);
                return parseAnswer(endpoint, path, text);
            }
            EtcdError error = EtcdError.of(response.statusCode(), text);
            last.put(endpoint, error.toString());
            if (error.noLeader() || (!change && error.unavailable())) {
                continue; // nothing applied (no leader) or a read: another member may answer
            }
            if (error.unavailable()) {
                throw new ClusterException(Reason.INDETERMINATE, "etcd " + path + " at " + endpoint + ": " + error
                        + "; the change may have been applied");
            }
            throw new ClusterException(Reason.REJECTED, "etcd " + path + " at " + endpoint + " refused the request: " + error);
        }
        if (closed) {
            throw new ClusterException(Reason.UNAVAILABLE, "the etcd client is closed");
        }
        throw new ClusterException(Reason.UNAVAILABLE, "no etcd endpoint of " + endpoints + " answered " + path
                + " within " + timeout.toMillis() + " ms (" + describe(last) + ")");
    }

    /** An open stream (watch): the answer's lines as they come. */
    record Stream(int endpoint, URI uri, InputStream in) implements AutoCloseable {
        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    /**
     * Opens a streaming call (no request timeout; the headers must come within the timeout),
     * starting at the current endpoint, or the one after {@code avoid} when that is the current one.
     */
    Stream stream(String path, JsonObject body, int avoid) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String payload = body.toString();
        java.util.Map<URI, String> last = new java.util.LinkedHashMap<>();
        int start = current.get();
        if (start == avoid) {
            start = (start + 1) % endpoints.size();
        }
        int tries = 0;
        while (!closed) {
            int index = (start + tries) % endpoints.size();
            if (tries > 0 && index == start) {
                pause(deadline);
            }
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0) {
                break;
            }
            tries++;
            URI endpoint = endpoints.get(index);
            HttpResponse<InputStream> response;
            try {
                response = send(request(endpoint, path, payload).build(), HttpResponse.BodyHandlers.ofInputStream(), remainingMs);
            } catch (NotSent | MaybeSent e) {
                last.put(endpoint, e.getMessage());
                continue;
            }
            if (response.statusCode() != 200) {
                String text;
                try (InputStream in = response.body()) {
                    text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    text = e.toString();
                }
                EtcdError error = EtcdError.of(response.statusCode(), text);
                last.put(endpoint, error.toString());
                if (error.unavailable()) {
                    continue;
                }
                throw new ClusterException(Reason.REJECTED, "etcd " + path + " at " + endpoint + " refused the request: " + error);
            }
            return new Stream(index, endpoint, response.body());
        }
        throw new ClusterException(Reason.UNAVAILABLE, "no etcd endpoint of " + endpoints + " answered " + path
                + " within " + timeout.toMillis() + " ms (" + describe(last) + ")");
    }

    /** Moves the current endpoint past {@code index} (its stream broke). */
    void failed(int index) {
        current.compareAndSet(index, (index + 1) % endpoints.size());
    }

    @Override
    public void close() {
        closed = true;
        io.shutdownNow();
    }

    private HttpRequest.Builder request(URI endpoint, String path, String payload) {
        return HttpRequest.newBuilder(endpoint.resolve(path))
                .header("Content-Type", "application/json")
                .header("Grpc-Metadata-hasleader", "true")
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
    }

    /** Sends from one of the gateway's threads (so the socket is opened there) and waits at most {@code waitMs} (+ a little). */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, long waitMs)
            throws NotSent, MaybeSent {
        CompletableFuture<HttpResponse<T>> future;
        try {
            future = CompletableFuture.supplyAsync(() -> client.sendAsync(request, handler), io).thenCompose(f -> f);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new NotSent("the client is closed", e);
        }
        try {
            return future.get(waitMs + 500, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new MaybeSent("no answer within " + waitMs + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new MaybeSent("interrupted", e);
        } catch (ExecutionException | CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof HttpConnectTimeoutException) {
                throw new NotSent("connect timed out", cause);
            }
            if (cause instanceof ConnectException || cause.getCause() instanceof ConnectException) {
                throw new NotSent("cannot connect: " + describe(cause), cause);
            }
            if (cause instanceof java.util.concurrent.RejectedExecutionException) {
                throw new NotSent("the client is closed", cause);
            }
            if (cause instanceof HttpTimeoutException) {
                throw new MaybeSent("no answer within " + waitMs + " ms", cause);
            }
            throw new MaybeSent(describe(cause), cause);
        }
    }

    private void pause(long deadline) {
        long ms = Math.min(ROUND_PAUSE_MS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static JsonObject parseAnswer(URI endpoint, String path, String text) {
        // A streaming RPC called once (keepalive) answers one line {"result":…}; take the first.
        String first = text.strip();
        int newline = first.indexOf('\n');
        if (newline > 0) {
            first = first.substring(0, newline);
        }
        try {
            return Json.parse(first);
        } catch (RuntimeException e) {
            throw new ClusterException(Reason.UNAVAILABLE, "etcd " + path + " at " + endpoint + " answered what is not JSON: "
                    + Json.abbreviate(text), e);
        }
    }

    private static String describe(java.util.Map<URI, String> failures) {
        if (failures.isEmpty()) {
            return "none tried";
        }
        StringBuilder b = new StringBuilder();
        failures.forEach((uri, why) -> b.append(b.length() == 0 ? "" : "; ").append(uri).append(": ").append(why));
        return b.toString();
    }

    static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** The request surely did not reach etcd. */
    static final class NotSent extends Exception {
        private static final long serialVersionUID = 1L;

        NotSent(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The request may have reached etcd; its answer is lost. */
    static final class MaybeSent extends Exception {
        private static final long serialVersionUID = 1L;

        MaybeSent(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An error answer: {@code {"error":…,"code":N,"message":…}} (gRPC status codes). */
    record EtcdError(int status, int code, String message) {
        static EtcdError of(int status, String body) {
            try {
                JsonObject o = Json.parse(body);
                String message = Json.str(o, "message");
                if (message.isEmpty()) {
                    message = Json.str(o, "error");
                }
                return new EtcdError(status, (int) Json.num(o, "code"), message);
            } catch (RuntimeException e) {
                return new EtcdError(status, status == 503 ? 14 : status == 504 ? 4 : 2, Json.abbreviate(body));
            }
        }

        /** No leader: the member proposed nothing. */
        boolean noLeader() {
            return message.toLowerCase(Locale.ROOT).contains("no leader");
        }

        /** The cluster cannot answer now (codes 14 unavailable, 4 deadline exceeded, timeouts, leader changes). */
        boolean unavailable() {
            String m = message.toLowerCase(Locale.ROOT);
            return code == 14 || code == 4 || noLeader() || m.contains("request timed out") || m.contains("leader changed")
                    || status == 502 || status == 503 || status == 504;
        }

        @Override
        public String toString() {
            return "HTTP " + status + ", code " + code + ": " + message;
        }
    }
}
