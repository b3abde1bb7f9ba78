package dev.weft.dockerapi.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Carries Jetty's requests to {@link EngineApi} and its answers back: Jetty's core handler API, no
 * servlets. A blocking handler (Jetty runs it on a pool thread, never a selector's): the controller's
 * requests change the kernel and may take a while. Bodies are read whole (the API's bodies are small
 * JSON objects); a body larger than {@link #MAX_BODY} is refused.
 */
final class EngineHandler extends Handler.Abstract {
    /** Docker's largest network request bodies are a few KiB; this is plenty. */
    static final int MAX_BODY = 1 << 20;

    private final EngineApi api;

    EngineHandler(EngineApi api) {
        this.api = api;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Map<String, List<String>> query = new LinkedHashMap<>();
        Fields fields;
        try {
            fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            write(response, callback, EngineApi.error(400, "malformed query string: " + e.getMessage()));
            return true;
        }
        for (Fields.Field f : fields) {
            query.put(f.getName(), new ArrayList<>(f.getValues()));
        }
        String method = request.getMethod();
        String path = request.getHttpURI().getDecodedPath();
        byte[] body;
        try (java.io.InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(MAX_BODY + 1); // chunked bodies have no length to check first
        }
        if (body.length > MAX_BODY) {
            write(response, callback, EngineApi.error(413, "the request body has more than " + MAX_BODY
                    + " bytes; Docker's network requests are a few KiB"));
            return true;
        }
        write(response, callback, api.handle(method, path, query, new String(body, StandardCharsets.UTF_8)));
        return true;
    }

    private static void write(Response response, Callback callback, ApiResponse answer) {
        response.setStatus(answer.status());
        answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        if (answer.contentType() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        }
        response.getHeaders().put(HttpHeader.SERVER, "Weft");
        if (answer.body().length == 0) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }
}
