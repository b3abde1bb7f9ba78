package dev.weft.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Requests per second of one Docker Engine API call over a Unix socket, the way a tool that polls
 * the API loads it: {@code C} keep-alive HTTP/1.1 connections, each sending the next request as soon
 * as the last answer is read, for {@code S} seconds after {@code W} seconds of warm-up. Every answer
 * must be a 200 with a whole body (Content-Length or chunked, as Go's server sends large ones), or
 * the run stops with the answer it got. Prints one JSON object: requests, seconds, rps, the body's
 * size and the median and p99 of the per-request latency in ms.
 *
 * <pre>java -cp … dev.weft.bench.DockerApiLoad SOCKET PATH CONNECTIONS SECONDS WARMUP_SECONDS</pre>
 */
public final class DockerApiLoad {
    private DockerApiLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: DockerApiLoad SOCKET PATH CONNECTIONS SECONDS WARMUP_SECONDS");
            System.exit(2);
        }
        Path socket = Path.of(args[0]);
        String path = args[1];
        int connections = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        double warmup = Double.parseDouble(args[4]);
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: weft-bench\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Worker w = new Worker(socket, request, measuring, stop);
            workers.add(w);
            w.start();
        }
        Thread.sleep((long) (warmup * 1000));
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep((long) (seconds * 1000));
        measuring.set(false);
        long t1 = System.nanoTime();
        stop.set(true);
        long total = 0;
        int bodySize = 0;
        List<long[]> all = new ArrayList<>();
        for (Worker w : workers) {
            w.join();
            if (w.failure != null) {
                throw new IllegalStateException("connection failed: " + w.failure.getMessage(), w.failure);
            }
            total += w.count;
            bodySize = Math.max(bodySize, w.bodySize);
            all.add(Arrays.copyOf(w.latencies, w.count));
        }
        long[] lat = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double took = (t1 - t0) / 1e9;
        System.out.printf(Locale.ROOT,
                "{\"connections\": %d, \"requests\": %d, \"seconds\": %.3f, \"rps\": %.1f, \"body_bytes\": %d, "
                        + "\"median_ms\": %.3f, \"p99_ms\": %.3f}%n",
                connections, total, took, total / took, bodySize, pct(lat, 0.5), pct(lat, 0.99));
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static final class Worker extends Thread {
        private final Path socket;
        private final byte[] request;
        private final AtomicBoolean measuring;
        private final AtomicBoolean stop;
        long[] latencies = new long[1 << 16];
        int count;
        int bodySize;
        Exception failure;

        Worker(Path socket, byte[] request, AtomicBoolean measuring, AtomicBoolean stop) {
            super("docker-api-load");
            this.socket = socket;
            this.request = request;
            this.measuring = measuring;
            this.stop = stop;
        }

        @Override
        public void run() {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                OutputStream out = Channels.newOutputStream(ch);
                InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
                while (!stop.get()) {
                    long s = System.nanoTime();
                    out.write(request);
                    out.flush();
                    bodySize = readResponse(in);
                    long e = System.nanoTime();
                    if (measuring.get()) {
                        if (count == latencies.length) {
                            latencies = Arrays.copyOf(latencies, count * 2);
                        }
                        latencies[count++] = e - s;
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }
    }

    /** Reads one response; returns the body's size. Throws unless it is a 200. */
    static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("answer: " + status);
        }
        int length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            if (length < 0) {
                throw new IOException("answer without Content-Length and not chunked");
            }
            skip(in, length);
            return length;
        }
        int total = 0;
        while (true) {
            int size = Integer.parseInt(line(in).split(";", 2)[0].trim(), 16);
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return total;
            }
            skip(in, size);
            total += size;
            line(in);
        }
    }

    private static void skip(InputStream in, int n) throws IOException {
        long left = n;
        while (left > 0) {
            long k = in.skip(left);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in a body");
                }
                k = 1;
            }
            left -= k;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            b.append((char) c);
        }
        throw new IOException("connection closed");
    }
}
