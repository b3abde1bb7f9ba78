package dev.weft.bench;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.net.IpAddresses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Weft's DNS server in a JVM of its own, as aardvark-dns is a process of its own and as
 * {@code ./weft} runs Weft: the same {@link DnsWeft} world (runtime, bridge driver, DNS server,
 * stand-in upstream), started by {@link DnsBench} as a child process ({@link #main}) and driven
 * over its standard input and output, one command a line:
 * {@code create} → {@code ok NAME ADDRESS RETURNED_NANOS}, {@code remove NAME} → {@code ok
 * RETURNED_NANOS}, {@code describe} → one JSON line, {@code quit} → it closes everything and exits
 * (also when its input ends: the parent went away). The return instants are the child's
 * {@code System.nanoTime()} right after {@code createSandbox}/{@code removeSandbox} returned: CLOCK_MONOTONIC,
 * the same clock in both processes, so the parent's polling starts from the real return. The
 * parent enters the child's sandbox namespaces ({@code /run/netns/NAME}) with
 * threads of its own ({@link NsThread}); the load generator thus runs in another JVM than the server.
 */
final class DnsWeftProcess implements DnsTarget {
    static final String LABEL = "weft-own-jvm";
    private final Process child;
    private final BufferedReader in;
    private final PrintWriter out;
    private final Kernel kernel;
    private final String hostNamespace;
    private final InetAddress gateway;
    private final List<Member> members = new ArrayList<>();
    private long returned;

    private DnsWeftProcess(Process child, BufferedReader in, PrintWriter out, Kernel kernel, String hostNamespace,
            InetAddress gateway) {
        this.child = child;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.hostNamespace = hostNamespace;
        this.gateway = gateway;
    }

    /** Starts the child with this JVM's class path; returns once it serves (its first line). */
    static DnsWeftProcess start(Path work) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), DnsWeftProcess.class.getName(),
                work.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
        try {
            String[] ready = expect(in, "ready");
            Kernel kernel = Kernel.open(KernelConfig.defaults());
            return new DnsWeftProcess(p, in, out, kernel, ready[1], IpAddresses.parse(ready[2]));
        } catch (Exception | Error e) {
            out.close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroy();
            }
            throw e;
        }
    }

    private static String[] expect(BufferedReader in, String word) throws IOException {
        String line = in.readLine();
        if (line == null || !line.startsWith(word + " ") && !line.equals(word)) {
            throw new IllegalStateException("Weft's DNS process said " + line + " (expected " + word + ")");
        }
        return line.split(" ");
    }

    @Override
    public String label() {
        return LABEL;
    }

    @Override
    public String hostNamespace() {
        return hostNamespace;
    }

    @Override
    public InetAddress server() {
        return gateway;
    }

    @Override
    public List<Member> members() {
        return members;
    }

    @Override
    public void populate(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            members.add(create(i));
        }
    }

    @Override
    public Member create(int round) throws Exception {
        out.println("create");
        String[] ok = expect(in, "ok");
        returned = Long.parseLong(ok[3]);
        String name = ok[1];
        Path path = kernel.namespaces().directory().resolve(name);
        if (!java.nio.file.Files.exists(path)) {
            throw new IllegalStateException("no namespace " + name + " in " + kernel.namespaces().directory());
        }
        return new Member(name, IpAddresses.parse(ok[2]), NsThread.entry(path));
    }

    @Override
    public void remove(Member m) throws Exception {
        out.println("remove " + m.name());
        returned = Long.parseLong(expect(in, "ok")[1]);
    }

    @Override
    public long returnedNanos() {
        return returned;
    }

    @Override
    public Map<String, Object> describe() {
        out.println("describe");
        try {
            String line = in.readLine();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("process", "a JVM of its own (pid " + child.pid() + "), the load generator in the bench's");
            m.putAll(new com.google.gson.GsonBuilder().setObjectToNumberStrategy(com.google.gson.ToNumberPolicy.LONG_OR_DOUBLE)
                    .create().fromJson(line, new TypeToken<Map<String, Object>>() { }.getType()));
            return m;
        } catch (Exception e) {
            return Map.of("describe", "failed: " + e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            out.println("quit");
            out.close();
        } finally {
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroy();
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
            kernel.close();
        }
        if (child.exitValue() != 0) {
            throw new IllegalStateException("Weft's DNS process exited with " + child.exitValue());
        }
    }

    /** The child: {@code DnsWeftProcess WORKDIR}. */
    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        PrintStream reply = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing else may write on the command channel
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int status = 0;
        DnsWeft weft = (DnsWeft) DnsWeft.open(Path.of(args[0]));
        try {
            reply.println("ready " + weft.hostNamespace() + " " + IpAddresses.format(weft.server()));
            Map<String, Member> made = new LinkedHashMap<>();
            String line;
            while ((line = commands.readLine()) != null && !line.equals("quit")) {
                if (line.equals("create")) {
                    Member m = weft.create(made.size());
                    long t = weft.returnedNanos();
                    made.put(m.name(), m);
                    reply.println("ok " + m.name() + " " + IpAddresses.format(m.address()) + " " + t);
                } else if (line.startsWith("remove ")) {
                    Member m = made.remove(line.substring(7));
                    weft.remove(m);
                    reply.println("ok " + weft.returnedNanos());
                } else if (line.equals("describe")) {
                    reply.println(new Gson().toJson(weft.describe()));
                } else {
                    reply.println("error unknown command " + line);
                }
            }
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        } finally {
            try {
                weft.close();
            } catch (Exception e) {
                e.printStackTrace();
                status = 1;
            }
        }
        System.exit(status);
    }
}
