package dev.weft.testkit;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A throwaway "host" namespace ({@code wt-<8 hex>}) standing in for the machine, with its
 * sandboxes, bridges and outside namespaces. {@link #close()} removes all of it, also when the
 * test failed or the world was only half built; a JVM shutdown hook closes hosts a test forgot.
 */
public final class TestHost extends TestNamespace implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TestHost.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHORT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    /** Hosts not yet closed, for the shutdown hook. */
    private static final Set<TestHost> OPEN = ConcurrentHashMap.newKeySet();
    /** Ids of every host this JVM made, so {@link Leaks} can tell its worlds from concurrent runs'. */
    private static final Set<String> IDS_MADE_HERE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestHost::closeForgottenHosts, "testkit-cleanup"));
    }

    private final String id;
    private final Map<String, TestSandbox> sandboxes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicInteger vethCounter = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TestHost(String id) {
        super("wt-" + id);
        this.id = id;
    }

    /** Makes a fresh host namespace with lo up. */
    public static TestHost create() {
        TestHost host = new TestHost(freshId());
        IDS_MADE_HERE.add(host.id);
        OPEN.add(host);
        try {
            host.createNamespace();
        } catch (RuntimeException | Error e) {
            host.closeAfterFailure(e);
            throw e;
        }
        return host;
    }

    /** The 8 hex digits in this host's namespace names. */
    public String id() {
        return id;
    }

    /** A new sandbox namespace {@code wt-<id>-<shortName>} with lo up and no other interface yet. */
    public TestSandbox sandbox(String shortName) {
        return newNamespace(shortName);
    }

    /**
     * The name a namespace for {@code shortName} gets under /run/netns: {@code wt-<id>-<shortName>}.
     * Code under test creates a namespace by this name, then the test {@link #adopt}s it.
     */
    public String namespaceName(String shortName) {
        return name() + "-" + shortName;
    }

    /**
     * Takes charge of the namespace {@link #namespaceName}(shortName) that the code under test
     * created: traffic helpers work in it, and {@link #close()} releases its sockets and deletes it
     * if it is still there.
     */
    public TestSandbox adopt(String shortName) {
        if (!SHORT_NAME.matcher(shortName).matches()) {
            throw new IllegalArgumentException("bad short name '" + shortName
                    + "': use 1 to 32 letters, digits, '_', '.' or '-'");
        }
        TestSandbox sandbox = new TestSandbox(this, shortName, namespaceName(shortName));
        synchronized (sandboxes) {
            if (sandboxes.putIfAbsent(shortName, sandbox) != null) {
                throw new IllegalArgumentException(name() + " already has a namespace named '" + shortName + "'");
            }
        }
        return sandbox;
    }

    /** Creates a bridge here with the given addresses (e.g. "10.1.0.1/24" and "fd00:1::1/64") and sets it up. */
    public TestBridge bridge(String name, String cidr, String... moreCidrs) {
        requireLinkName(name);
        ip("link", "add", name, "type", "bridge");
        claimInterfaceName(name);
        List<String> cidrs = new ArrayList<>();
        cidrs.add(cidr);
        cidrs.addAll(List.of(moreCidrs));
        for (String address : cidrs) {
            addAddress(name, address);
        }
        ip("link", "set", name, "up");
        return new TestBridge(this, name, cidrs);
    }

    /**
     * Another machine on the host's LAN: a namespace linked to the host by a veth pair, the host
     * end addressed {@code hostCidr}, the outside end (its eth0) {@code outsideCidr}. It gets no
     * routes beyond its subnet; add them with {@code outside.ip("route", …)} when a test needs them.
     */
    public TestSandbox outside(String shortName, String hostCidr, String outsideCidr) {
        TestSandbox outside = newNamespace(shortName);
        link(nextVethName(shortName), hostCidr, outside, outside.nextInterfaceName(), outsideCidr);
        return outside;
    }

    /** Sandboxes and outside namespaces made so far, in creation order. */
    public List<TestSandbox> sandboxes() {
        synchronized (sandboxes) {
            return List.copyOf(sandboxes.values());
        }
    }

    /**
     * Kills processes and closes sockets handed out in any of this host's namespaces, deletes
     * the sandbox namespaces, then the host namespace (the kernel destroys their links). Keeps
     * going past failures and reports them all at the end.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        OPEN.remove(this);
        List<TestNamespace> namespaces = new ArrayList<>(sandboxes());
        Collections.reverse(namespaces);
        namespaces.add(this);
        List<Throwable> failures = new ArrayList<>();
        for (TestNamespace namespace : namespaces) {
            namespace.releaseResources(failures);
        }
        for (TestNamespace namespace : namespaces) {
            namespace.delete(failures);
        }
        if (!failures.isEmpty()) {
            failures.forEach(f -> LOG.log(Level.WARNING, "cleanup of " + name() + ": " + f.getMessage(), f));
            IllegalStateException summary = new IllegalStateException("could not remove everything of " + name() + ": "
                    + failures.stream().map(Throwable::getMessage).collect(Collectors.joining("; ")));
            failures.forEach(summary::addSuppressed);
            throw summary;
        }
    }

    /** A host-side veth name, unique in this host and at most 15 characters: {@code v<n>-<shortName>}. */
    String nextVethName(String shortName) {
        String candidate = "v" + vethCounter.getAndIncrement() + "-" + shortName;
        return candidate.length() <= 15 ? candidate : candidate.substring(0, 15);
    }

    /** Counts a world id made by another kit class (e.g. {@link EtcdCluster}) as this JVM's, for {@link Leaks}. */
    static void registerWorld(String worldId) {
        IDS_MADE_HERE.add(worldId);
    }

    static boolean madeHere(String hostId) {
        return IDS_MADE_HERE.contains(hostId);
    }

    private TestSandbox newNamespace(String shortName) {
        if (!SHORT_NAME.matcher(shortName).matches()) {
            throw new IllegalArgumentException("bad short name '" + shortName
                    + "': use 1 to 32 letters, digits, '_', '.' or '-'");
        }
        TestSandbox sandbox = new TestSandbox(this, shortName, name() + "-" + shortName);
        synchronized (sandboxes) {
            if (sandboxes.putIfAbsent(shortName, sandbox) != null) {
                throw new IllegalArgumentException(name() + " already has a namespace named '" + shortName + "'");
            }
        }
        // Registered before creation: if creation fails half way, close() still removes what exists.
        sandbox.createNamespace();
        return sandbox;
    }

    private void closeAfterFailure(Throwable cause) {
        try {
            close();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static String freshId() {
        while (true) {
            byte[] bytes = new byte[4];
            RANDOM.nextBytes(bytes);
            String id = HexFormat.of().formatHex(bytes);
            if (!Files.exists(Path.of("/run/netns", "wt-" + id))) {
                return id;
            }
        }
    }

    private static void closeForgottenHosts() {
        for (TestHost host : List.copyOf(OPEN)) {
            try {
                LOG.log(Level.WARNING, "closing " + host.name() + ", which a test left open");
                host.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cleanup of " + host.name() + " failed at exit", e);
            }
        }
    }
}
