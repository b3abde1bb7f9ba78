package dev.weft.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS load generator of {@code bench/run-dns.sh}: plain UDP sockets opened by a thread that
 * entered a sandbox namespace ({@link DnsTarget.Entry}: the test kit's, or {@link NsThread}), the whole client loop
 * running on that thread; queries built and answers parsed with dnsjava's codec. Nothing here
 * knows which server it talks to: the same code measures aardvark-dns and Weft.
 *
 * <ul>
 *   <li>{@link #latency}: one client, sequential, one query in flight; WARMUP unmeasured first.
 *       Each answer is parsed (after the clock stopped) and must hold the expected address.</li>
 *   <li>{@link #throughput}: closed loop, several client sandboxes each with INFLIGHT queries
 *       outstanding on one socket (a new query as soon as an answer comes); answers counted in a
 *       window after a warm-up; every answer's header checked (response, NOERROR, ≥ 1 answer,
 *       the id of an outstanding query), every 256th parsed in full and its address checked.</li>
 *   <li>{@link Poller}: create→resolvable and remove→gone. A thread parked in a sandbox's
 *       namespace with its socket open is handed the name when the command returns, and queries
 *       at once, again and again (no pause: the next query when an answer did not resolve, or when
 *       none came within 10 ms) until an answer to any of the round's queries holds the new address
 *       (or, for gone, no longer does); the gap is 0 when that is the answer to the first query.</li>
 * </ul>
 */
final class DnsLoad {
    static final int PORT = 53;

    private DnsLoad() {
    }

    /** A recursion-desired query for {@code name} (absolute) of {@code type}, as a stub resolver sends it. */
    static byte[] query(String name, int type) {
        try {
            Name n = Name.fromString(name.endsWith(".") ? name : name + ".");
            return Message.newQuery(Record.newRecord(n, type, DClass.IN)).toWire();
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad name " + name, e);
        }
    }

    static void setId(byte[] q, int id) {
        q[0] = (byte) (id >> 8);
        q[1] = (byte) id;
    }

    static int id(byte[] a) {
        return ((a[0] & 0xff) << 8) | (a[1] & 0xff);
    }

    /** Header check without parsing: a response, NOERROR, at least one answer record. */
    static boolean headerOk(byte[] a, int length) {
        return length >= 12 && (a[2] & 0x80) != 0 && (a[3] & 0x0f) == Rcode.NOERROR && (((a[6] & 0xff) << 8) | (a[7] & 0xff)) > 0;
    }

    /** The A records of an answer, or null when it does not parse. */
    static List<InetAddress> addresses(byte[] a, int length) {
        try {
            Message m = new Message(java.util.Arrays.copyOf(a, length));
            List<InetAddress> out = new ArrayList<>();
            for (Record r : m.getSection(Section.ANSWER)) {
                if (r instanceof ARecord ar) {
                    out.add(ar.getAddress());
                }
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    /** The answer records as dig prints them (name, TTL, class, type, data), for the report. */
    static String answerSection(byte[] a, int length) {
        try {
            Message m = new Message(java.util.Arrays.copyOf(a, length));
            List<String> out = new ArrayList<>();
            for (Record r : m.getSection(Section.ANSWER)) {
                out.add(r.toString().replace('\t', ' '));
            }
            return out.toString();
        } catch (IOException e) {
            return "unparsable";
        }
    }

    static int rcode(byte[] a, int length) {
        return length >= 4 ? a[3] & 0x0f : -1;
    }

    /** What one sequential client saw: round trips of good answers, and what went wrong. */
    static final class Latency {
        final String name;
        final InetAddress expect;
        final Samples ok = new Samples();
        int warmup;
        int requested;
        int timeouts;
        int refused;
        int wrong;
        String first = "";

        Latency(String name, InetAddress expect) {
            this.name = name;
            this.expect = expect;
        }

        /** Adds another block's figures (the blocks of one target, measured in turn with another's). */
        Latency add(Latency o) {
            for (long v : o.raw()) {
                record(v);
            }
            warmup += o.warmup;
            requested += o.requested;
            timeouts += o.timeouts;
            refused += o.refused;
            wrong += o.wrong;
            first = first.isEmpty() ? o.first : first;
            return this;
        }

        private long[] raw = new long[256];
        private int rawN;

        private long[] raw() {
            return java.util.Arrays.copyOf(raw, rawN);
        }

        void record(long nanos) {
            ok.add(nanos);
            if (rawN == raw.length) {
                raw = java.util.Arrays.copyOf(raw, rawN * 2);
            }
            raw[rawN++] = nanos;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("expect", expect.getHostAddress());
            m.put("warmup", warmup);
            m.put("requested", requested);
            m.put("first_answer", first);
            m.put("ms", ok.json());
            m.put("timeouts_1s", timeouts);
            m.put("refused", refused);
            m.put("wrong_answers", wrong);
            return m;
        }
    }

    /** One client, one query at a time: the round trips, after {@code warmup} unmeasured queries. */
    static Latency latency(DnsTarget.Entry ns, InetAddress server, String name, InetAddress expect, int warmup, int n) {
        try {
            return (Latency) ns.call(() -> latencyInside(server, name, expect, warmup, n));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Latency latencyInside(InetAddress server, String name, InetAddress expect, int warmup, int n)
            throws Exception {
        Latency l = new Latency(name, expect);
        l.warmup = warmup;
        l.requested = n;
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(server, PORT);
            s.setSoTimeout(1000);
            byte[] q = query(name, Type.A);
            byte[] buf = new byte[4096];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            DatagramPacket out = new DatagramPacket(q, q.length);
            int id = ThreadLocalRandom.current().nextInt(65536);
            long[] times = new long[n];
            int good = 0;
            for (int i = -warmup; i < n; i++) {
                id = (id + 1) & 0xffff;
                setId(q, id);
                long t0 = System.nanoTime();
                s.send(out);
                long t1;
                try {
                    do {
                        in.setLength(buf.length);
                        s.receive(in);
                    } while (in.getLength() < 2 || id(buf) != id);
                    t1 = System.nanoTime();
                } catch (SocketTimeoutException e) {
                    l.timeouts++;
                    continue;
                } catch (PortUnreachableException e) {
                    l.refused++;
                    Thread.sleep(1);
                    continue;
                }
                List<InetAddress> got = addresses(buf, in.getLength());
                boolean ok = rcode(buf, in.getLength()) == Rcode.NOERROR && got != null && got.contains(expect);
                if (l.first.isEmpty()) {
                    l.first = rcodeName(buf, in.getLength()) + " " + answerSection(buf, in.getLength());
                }
                if (!ok) {
                    l.wrong++;
                } else if (i >= 0) {
                    times[good++] = t1 - t0;
                }
            }
            for (int k = 0; k < good; k++) {
                l.record(times[k]);
            }
        }
        return l;
    }

    static String rcodeName(byte[] a, int length) {
        int r = rcode(a, length);
        return r < 0 ? "short" : Rcode.string(r);
    }

    /** What one closed-loop client counted. */
    private static final class Client {
        long answered;
        long wrong;
        long timeouts;
        long refused;
        long stale;
        long parsedBad;
        long[] latency = new long[1 << 16];
        int n;

        void add(long nanos) {
            if (n == latency.length) {
                latency = java.util.Arrays.copyOf(latency, n * 2);
            }
            latency[n++] = nanos;
        }
    }

    /**
     * Closed loop: every namespace in {@code clients} runs one client with {@code inflight} queries
     * outstanding; answers received within [start + warmup, start + warmup + seconds) are counted.
     */
    static Map<String, Object> throughput(List<DnsTarget.Entry> clients, InetAddress server, String name,
            InetAddress expect, int inflight, double warmupSeconds, double seconds) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(clients.size());
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Client> results = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int index = 0;
        for (DnsTarget.Entry ns : clients) {
            Client c = new Client();
            results.add(c);
            Thread t = new Thread(() -> {
                try {
                    ns.call(() -> {
                        runClient(c, server, name, expect, inflight, ready, go, window);
                        return null;
                    });
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                }
            }, "dns-client " + index++);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        ready.await();
        long now = System.nanoTime();
        window[0] = now + (long) (warmupSeconds * 1e9);
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a DNS client failed: " + failure.get(), failure.get());
        }
        long answered = 0, wrong = 0, timeouts = 0, refused = 0, stale = 0, parsedBad = 0;
        Samples all = new Samples();
        for (Client c : results) {
            answered += c.answered;
            wrong += c.wrong;
            timeouts += c.timeouts;
            refused += c.refused;
            stale += c.stale;
            parsedBad += c.parsedBad;
            for (int i = 0; i < c.n; i++) {
                all.add(c.latency[i]);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clients", clients.size());
        m.put("inflight_per_client", inflight);
        m.put("seconds", seconds);
        m.put("answered", answered);
        m.put("qps", Math.round(answered / seconds));
        m.put("latency_under_load_ms", all.json());
        m.put("wrong_answers", wrong);
        m.put("timeouts_200ms", timeouts);
        m.put("refused", refused);
        m.put("stale", stale);
        m.put("sampled_parse_failures", parsedBad);
        return m;
    }

    private static void runClient(Client c, InetAddress server, String name, InetAddress expect, int inflight,
            CountDownLatch ready, CountDownLatch go, long[] window) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(server, PORT);
            s.setSoTimeout(200);
            s.setReceiveBufferSize(1 << 20);
            byte[][] q = new byte[inflight][];
            int[] slotId = new int[inflight];
            long[] sentAt = new long[inflight];
            short[] owner = new short[65536];
            for (int k = 0; k < inflight; k++) {
                q[k] = query(name, Type.A);
                slotId[k] = -1;
            }
            byte[] buf = new byte[4096];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            int[] next = {ThreadLocalRandom.current().nextInt(65536)};
            ready.countDown();
            go.await();
            long end = window[1];
            long start = window[0];
            for (int k = 0; k < inflight; k++) {
                send(s, q, k, slotId, sentAt, owner, next);
            }
            long seen = 0;
            while (true) {
                try {
                    in.setLength(buf.length);
                    s.receive(in);
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() >= end) {
                        break;
                    }
                    c.timeouts++;
                    for (int k = 0; k < inflight; k++) {
                        send(s, q, k, slotId, sentAt, owner, next);
                    }
                    continue;
                } catch (PortUnreachableException e) {
                    if (System.nanoTime() >= end) {
                        break;
                    }
                    c.refused++;
                    Thread.sleep(1);
                    for (int k = 0; k < inflight; k++) {
                        send(s, q, k, slotId, sentAt, owner, next);
                    }
                    continue;
                }
                long t = System.nanoTime();
                int len = in.getLength();
                int id = len >= 2 ? id(buf) : -1;
                int slot = id < 0 ? -1 : owner[id] - 1;
                if (slot < 0 || slotId[slot] != id) {
                    c.stale++;
                    continue;
                }
                boolean ok = headerOk(buf, len);
                if (ok && (seen++ & 255) == 0) {
                    List<InetAddress> got = addresses(buf, len);
                    if (got == null || !got.contains(expect)) {
                        c.parsedBad++;
                        ok = false;
                    }
                }
                if (t >= start && t < end) {
                    if (ok) {
                        c.answered++;
                        c.add(t - sentAt[slot]);
                    } else {
                        c.wrong++;
                    }
                }
                if (t >= end) {
                    break;
                }
                send(s, q, slot, slotId, sentAt, owner, next);
            }
        }
    }

    private static void send(DatagramSocket s, byte[][] q, int slot, int[] slotId, long[] sentAt, short[] owner,
            int[] next) throws IOException {
        if (slotId[slot] >= 0) {
            owner[slotId[slot]] = 0;
        }
        int id;
        do {
            id = next[0]++ & 0xffff;
        } while (owner[id] != 0);
        slotId[slot] = id;
        owner[id] = (short) (slot + 1);
        setId(q[slot], id);
        sentAt[slot] = System.nanoTime();
        s.send(new DatagramPacket(q[slot], q[slot].length));
    }

    /** What one create→resolvable (or remove→gone) round saw after the command returned. */
    record Round(boolean first, long gapNanos, long answerNanos, int queries, int nxdomain, int noAnswer, int timeouts,
            int refused, int late, boolean reached) {
    }

    /**
     * A client parked in one sandbox's namespace with its socket open, handed names to poll for.
     * {@link #awaitResolvable} and {@link #awaitGone} take the instant the command returned.
     */
    static final class Poller implements AutoCloseable {
        private record Job(String name, InetAddress address, boolean resolve, long returned) {
        }

        private static final Job STOP = new Job("", null, false, 0);
        private final BlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
        private final BlockingQueue<Object> results = new LinkedBlockingQueue<>();
        private final Thread thread;
        private final long limitNanos;

        Poller(DnsTarget.Entry ns, InetAddress server, long limitMs) {
            this.limitNanos = limitMs * 1_000_000L;
            thread = new Thread(() -> {
                try {
                    ns.call(() -> {
                        loop(server);
                        return null;
                    });
                } catch (Throwable t) {
                    results.add(t);
                }
            }, "dns-poller");
            thread.setDaemon(true);
            thread.start();
        }

        /** Call right after the create command returned (pass the instant it did); a null address: any A record. */
        Round awaitResolvable(String name, InetAddress address, long returned) throws Exception {
            jobs.add(new Job(name, address, true, returned));
            return take();
        }

        Round awaitGone(String name, InetAddress address, long returned) throws Exception {
            jobs.add(new Job(name, address, false, returned));
            return take();
        }

        private Round take() throws Exception {
            Object r = results.poll(limitNanos / 1_000_000L + 30_000, TimeUnit.MILLISECONDS);
            if (r instanceof Round round) {
                return round;
            }
            throw new IllegalStateException("the DNS poller failed: " + r, r instanceof Throwable t ? t : null);
        }

        private void loop(InetAddress server) throws Exception {
            try (DatagramSocket s = new DatagramSocket()) {
                s.connect(server, PORT);
                s.setSoTimeout(10);
                byte[] buf = new byte[4096];
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                int id = ThreadLocalRandom.current().nextInt(65536);
                while (true) {
                    Job job = jobs.take();
                    if (job == STOP) {
                        return;
                    }
                    byte[] q = query(job.name, Type.A);
                    DatagramPacket out = new DatagramPacket(q, q.length);
                    int queries = 0, nx = 0, noAnswer = 0, timeouts = 0, refused = 0, late = 0;
                    long deadline = job.returned + limitNanos;
                    // this round's queries: id -> (index from 1, send time); an answer to any of them counts,
                    // also one later than the 10 ms after which the next query went out
                    Map<Integer, long[]> sent = new java.util.HashMap<>();
                    Round round = null;
                    boolean sendNext = true;
                    while (round == null) {
                        long now = System.nanoTime();
                        if (now > deadline) {
                            round = new Round(false, now - job.returned, now - job.returned, queries, nx, noAnswer, timeouts,
                                    refused, late, false);
                            break;
                        }
                        if (sendNext) {
                            id = (id + 1) & 0xffff;
                            setId(q, id);
                            queries++;
                            sent.put(id, new long[] {queries, System.nanoTime()});
                            s.send(out);
                            sendNext = false;
                        }
                        try {
                            in.setLength(buf.length);
                            s.receive(in);
                        } catch (SocketTimeoutException e) {
                            timeouts++;
                            sendNext = true;
                            continue;
                        } catch (PortUnreachableException e) {
                            refused++;
                            sendNext = true;
                            continue;
                        }
                        long got = System.nanoTime();
                        long[] which = in.getLength() < 2 ? null : sent.remove(id(buf));
                        if (which == null) {
                            continue; // an answer to an earlier round's query
                        }
                        boolean latest = which[0] == queries;
                        if (!latest) {
                            late++;
                        }
                        int rcode = rcode(buf, in.getLength());
                        List<InetAddress> addresses = addresses(buf, in.getLength());
                        boolean has = rcode == Rcode.NOERROR && addresses != null
                                && (job.address == null ? !addresses.isEmpty() : addresses.contains(job.address));
                        if (has == job.resolve) {
                            boolean first = which[0] == 1;
                            round = new Round(first, first ? 0 : which[1] - job.returned, got - job.returned, queries, nx,
                                    noAnswer, timeouts, refused, late, true);
                        } else {
                            if (rcode == Rcode.NXDOMAIN) {
                                nx++;
                            } else {
                                noAnswer++;
                            }
                            sendNext = latest;
                        }
                    }
                    results.add(round);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            jobs.add(STOP);
            thread.join(5000);
        }
    }

    /** Summary of rounds: how many resolved on the first query, the gap and the answer time. */
    static Map<String, Object> rounds(List<Round> rounds, String what) {
        Samples gap = new Samples(), answer = new Samples();
        int first = 0, reached = 0, queries = 0, nx = 0, noAnswer = 0, timeouts = 0, refused = 0, late = 0, maxQueries = 0;
        for (Round r : rounds) {
            if (r.reached()) {
                reached++;
                gap.add(r.gapNanos());
                answer.add(r.answerNanos());
            }
            if (r.first()) {
                first++;
            }
            queries += r.queries();
            maxQueries = Math.max(maxQueries, r.queries());
            nx += r.nxdomain();
            noAnswer += r.noAnswer();
            timeouts += r.timeouts();
            refused += r.refused();
            late += r.late();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("what", what);
        m.put("rounds", rounds.size());
        m.put("first_query_ok", first);
        m.put("reached", reached);
        m.put("gap_ms", gap.json());
        m.put("answer_ms", answer.json());
        m.put("queries", queries);
        m.put("max_queries_in_a_round", maxQueries);
        m.put("nxdomain", nx);
        m.put("noerror_without_the_address", noAnswer);
        m.put("timeouts_10ms", timeouts);
        m.put("refused", refused);
        m.put("answers_after_10ms", late);
        List<Double> gaps = new ArrayList<>();
        rounds.forEach(r -> gaps.add(Samples.ms(r.gapNanos())));
        m.put("gaps_ms_each", gaps);
        return m;
    }
}
