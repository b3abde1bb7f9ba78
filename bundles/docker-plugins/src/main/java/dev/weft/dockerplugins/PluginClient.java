package dev.weft.dockerplugins;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Docker's plugin protocol as a client: {@code POST /CALL} with a JSON body and the header
 * {@code Accept: application/vnd.docker.plugins.v1.2+json}, a JSON answer, {@code {"Err": "..."}} on
 * a refusal. One per plugin, on Jetty's HTTP/1.1 client: over the plugin's Unix socket
 * ({@link ClientConnector#forUnixDomain}), or over tcp from the instance's host namespace (its
 * threads come from {@code hostThreads}, and every request is sent from one of them, so the socket
 * is opened there). Every call has a timeout (Docker's plugin client: 30 s).
 */
final class PluginClient implements AutoCloseable {
    /** Docker's {@code plugins.VersionMimetype}. */
    static final String MIME = "application/vnd.docker.plugins.v1.2+json";

    private final PluginAddress address;
    private final Duration timeout;
    private final HttpClient http;
    private final String base;
    /** For tcp: requests are sent from a thread in the host namespace. Null for Unix sockets. */
    private final ExecutorService hostSender;

    PluginClient(PluginAddress address, Duration timeout, ThreadFactory hostThreads) {
        this.address = address;
        this.timeout = timeout;
        ClientConnector connector = address.isUnix() ? ClientConnector.forUnixDomain(address.socket())
                : new ClientConnector();
        QueuedThreadPool pool = new QueuedThreadPool(8, 1, 60_000, -1, null, null,
                address.isUnix() ? null : hostThreads);
        pool.setName("docker-plugin-" + address.name());
        pool.setDaemon(true);
        connector.setExecutor(pool);
        this.http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(pool);
        http.setUserAgentField(null);
        http.setFollowRedirects(false);
        http.setConnectTimeout(timeout.toMillis());
        // Docker's plugins answer on "/"-rooted paths whatever the host; a Unix socket has none.
        this.base = address.isUnix() ? "http://plugin" : "http://" + address.host() + ":" + address.port();
        this.hostSender = address.isUnix() ? null : Executors.newCachedThreadPool(hostThreads);
        try {
            http.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("plugin \"" + address.name() + "\": cannot start its HTTP client: " + e, e);
        }
    }

    String name() {
        return address.name();
    }

    PluginAddress address() {
        return address;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Calls {@code method} (e.g. {@code NetworkDriver.CreateNetwork}) with {@code body} and returns
     * the answer, an object without an {@code Err}.
     *
     * @throws PluginCallException naming the plugin, the call and what went wrong
     */
    JsonObject call(String method, JsonObject body) {
        return call(method, body, timeout);
    }

    /**
     * As {@link #call(String, JsonObject)}, waiting at most {@code bound} for the answer (a query that
     * must be prompt, shorter than the plugin's timeout).
     */
    JsonObject call(String method, JsonObject body, Duration bound) {
        String text = send(method, body == null ? "{}" : body.toString(), bound);
        JsonElement e;
        try {
            e = JsonParser.parseString(text);
        } catch (RuntimeException x) {
            throw failure(PluginCallException.Kind.GARBAGE, method, "answered with something that is not JSON: "
                    + excerpt(text), null, x);
        }
        if (!e.isJsonObject()) {
            throw failure(PluginCallException.Kind.GARBAGE, method, "answered " + excerpt(text)
                    + " where a JSON object was expected", null, null);
        }
        JsonObject o = e.getAsJsonObject();
        String err = Json.string(o, "Err");
        if (err != null && !err.isEmpty()) {
            throw failure(PluginCallException.Kind.REFUSED, method, "refused: " + err, err, null);
        }
        return o;
    }

    /**
     * As {@link #call(String, JsonObject)}, reading the answer with {@code reader}; an answer of
     * another shape is a {@link PluginCallException.Kind#GARBAGE} failure naming the member.
     */
    <T> T call(String method, JsonObject body, java.util.function.Function<JsonObject, T> reader) {
        JsonObject o = call(method, body);
        try {
            return reader.apply(o);
        } catch (Json.Shape e) {
            throw failure(PluginCallException.Kind.GARBAGE, method, "answered " + excerpt(o.toString()) + ": "
                    + e.getMessage(), null, e);
        }
    }

    private String send(String method, String json, Duration bound) {
        try {
            ContentResponse r = hostSender == null ? request(method, json, bound)
                    : hostSender.submit(() -> request(method, json, bound)).get();
            String body = r.getContentAsString();
            if (r.getStatus() != 200) {
                String err = errOf(body);
                if (err != null) {
                    throw failure(PluginCallException.Kind.REFUSED, method, "refused (HTTP " + r.getStatus() + "): "
                            + err, err, null);
                }
                throw failure(PluginCallException.Kind.HTTP_STATUS, method, "answered HTTP " + r.getStatus()
                        + (body.isBlank() ? "" : ": " + excerpt(body)), null, null);
            }
            return body;
        } catch (ExecutionException e) {
            throw transport(method, e.getCause() != null ? e.getCause() : e, bound);
        } catch (TimeoutException e) {
            throw transport(method, e, bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(PluginCallException.Kind.UNREACHABLE, method, "was interrupted", null, e);
        }
    }

    private ContentResponse request(String method, String json, Duration bound)
            throws InterruptedException, TimeoutException, ExecutionException {
        return http.newRequest(base + "/" + method).method(HttpMethod.POST)
                .headers(h -> h.put(HttpHeader.ACCEPT, MIME))
                .body(new StringRequestContent(MIME, json, StandardCharsets.UTF_8))
                .timeout(bound.toMillis(), TimeUnit.MILLISECONDS)
                .idleTimeout(bound.toMillis(), TimeUnit.MILLISECONDS)
                .send();
    }

    private PluginCallException transport(String method, Throwable t, Duration bound) {
        if (t instanceof PluginCallException p) {
            return p;
        }
        if (t instanceof ExecutionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return failure(PluginCallException.Kind.TIMEOUT, method, "did not answer within " + seconds(bound)
                    + (bound.equals(timeout) ? " (setting docker.plugins.timeout)"
                            : " (this query's bound; docker.plugins.timeout is " + seconds(timeout) + ")"),
                    null, t);
        }
        if (t instanceof ConnectException || t instanceof ClosedChannelException
                || t instanceof java.nio.file.NoSuchFileException || t instanceof java.io.IOException) {
            return failure(PluginCallException.Kind.UNREACHABLE, method, "cannot be reached at " + address.url() + ": "
                    + describe(t), null, t);
        }
        return failure(PluginCallException.Kind.UNREACHABLE, method, "failed at " + address.url() + ": " + describe(t),
                null, t);
    }

    private PluginCallException failure(PluginCallException.Kind kind, String method, String what, String err,
                                        Throwable cause) {
        return new PluginCallException(kind, "Docker plugin \"" + address.name() + "\": " + method + " " + what, err,
                cause);
    }

    private static String errOf(String body) {
        try {
            JsonElement e = JsonParser.parseString(body);
            return e.isJsonObject() ? Json.string(e.getAsJsonObject(), "Err") : null;
        } catch (RuntimeException x) {
            return null;
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }

    /** At most 200 characters of an answer, on one line, quoted. */
    static String excerpt(String text) {
        String one = text.replaceAll("\\s+", " ").strip();
        return "\"" + (one.length() > 200 ? one.substring(0, 200) + "…" : one) + "\"";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception ignored) {
            // closing: nothing more to do with it
        }
        if (hostSender != null) {
            hostSender.shutdownNow();
        }
    }
}
