package dev.weft.core.internal;

import dev.weft.api.SandboxInfo;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.Store;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.linux.Link;
import dev.weft.linux.NftFamily;
import dev.weft.net.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./weft purge}: removes the kernel objects one instance made, with the runtime stopped:
 * the namespaces of its sandboxes (from its records in the run directory) and their resolv.conf
 * directories, the links carrying its ownership mark ({@code weft:<instance>:…}) in its host
 * namespace, and its nf_tables tables there. Touches nothing it did not mark as its own. The run
 * and state directories themselves are left to the caller ({@code ./weft}, which refuses to remove
 * paths like {@code /run}); reading the records may create empty record directories in them.
 *
 * <pre>java -cp core.jar:linux.jar:jna.jar:gson.jar dev.weft.core.internal.Purge [FILE | KEY=VALUE]...</pre>
 *
 * Each argument is either a properties file in the format of {@code etc/dev.weft.cfg} or one
 * {@code KEY=VALUE} with a {@link CoreConfig} key; later arguments win. Values may use Karaf's
 * {@code $[prop:NAME]} (a system property: {@code ./weft} passes the instance's {@code weft.*}
 * settings as {@code -Dweft.…=…}) and {@code $[env:NAME]}. Keys not given take core's defaults.
 *
 * <p>Harmless when nothing is left; a host namespace that no longer exists has nothing left in it.
 * Exit status 0 when everything found was removed, 1 when something could not be, 2 for bad
 * arguments.
 */
public final class Purge {
    /** The keys Purge reads, with core's defaults ({@link CoreConfig}). */
    static final Map<String, String> DEFAULTS = defaults();
    private static final Set<String> CONFIG_KEYS = Set.of("instance", "stateDir", "runDir", "netnsDir", "etcNetnsDir",
            "resolvConf", "hostNamespace", "nftTable", "linkPrefix", "defaultPools", "ipv6Pool",
            "firewallMode", "defaultMtu");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\[(prop|env):([^\\]]+)]");

    private final Map<String, String> settings;
    private final PrintStream out;
    private final PrintStream err;
    private int removed;
    private int failed;

    private Purge(Map<String, String> settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        Map<String, String> settings;
        try {
            settings = settings(List.of(args), System::getProperty, System::getenv);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("weft purge: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(settings, System.out, System.err));
    }

    /** Removes what the instance described by {@code settings} made; returns the exit status. */
    static int run(Map<String, String> settings, PrintStream out, PrintStream err) {
        return new Purge(settings, out, err).purge();
    }

    /**
     * The settings from the arguments (files and KEY=VALUE, later ones win) over the defaults,
     * with {@code $[prop:NAME]} and {@code $[env:NAME]} replaced.
     */
    static Map<String, String> settings(List<String> args, UnaryOperator<String> properties,
                                        UnaryOperator<String> environment) throws IOException {
        Map<String, String> raw = new LinkedHashMap<>(DEFAULTS);
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0 && !Files.isRegularFile(Path.of(arg))) {
                String key = arg.substring(0, eq).trim();
                if (!CONFIG_KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown setting \"" + key + "\" in \"" + arg + "\": known are "
                            + String.join(", ", CONFIG_KEYS.stream().sorted().toList()));
                }
                raw.put(key, arg.substring(eq + 1));
            } else if (Files.isRegularFile(Path.of(arg))) {
                Properties file = new Properties();
                try (InputStream in = Files.newInputStream(Path.of(arg))) {
                    file.load(in);
                }
                file.stringPropertyNames().forEach(k -> raw.put(k, file.getProperty(k)));
            } else {
                throw new IllegalArgumentException("\"" + arg + "\" is neither KEY=VALUE nor a readable file");
            }
        }
        Map<String, String> resolved = new LinkedHashMap<>();
        raw.forEach((k, v) -> resolved.put(k, interpolate(k, v, properties, environment)));
        return resolved;
    }

    private static String interpolate(String key, String value, UnaryOperator<String> properties,
                                      UnaryOperator<String> environment) {
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(2);
            String v = m.group(1).equals("prop") ? properties.apply(name) : environment.apply(name);
            if (v == null) {
                throw new IllegalArgumentException(key + " = " + value + ": " + (m.group(1).equals("prop")
                        ? "system property " : "environment variable ") + name + " is not set");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString().trim();
    }

    private int purge() {
        String instance = get("instance");
        Path netnsDir = Path.of(get("netnsDir"));
        String hostNs = get("hostNamespace");
        Path hostPath = hostNs.isEmpty() ? null : Path.of(hostNs);
        boolean hostThere = hostPath == null || Files.exists(hostPath);
        if (!hostThere) {
            out.println("host namespace " + hostNs + " is gone, and with it whatever the instance made there");
        }
        // Without its host namespace the kernel layer still reaches the named sandbox namespaces;
        // then it stands on this process's namespace, where nothing is removed.
        Kernel kernel;
        try {
            kernel = Kernel.open(new KernelConfig(hostThere ? hostPath : null, netnsDir, null));
        } catch (RuntimeException e) {
            err.println("weft purge: cannot open host namespace " + hostNs + ": " + e.getMessage());
            return 1;
        }
        try (kernel) {
            removeSandboxes(kernel);
            removeSegments(kernel, instance, get("linkPrefix"));
            releaseNamespaceDirectory(kernel);
            if (hostThere) {
                removeLinks(kernel, "weft:" + instance + ":");
                removeTables(kernel, get("nftTable"));
                removeTables(kernel, get("nftTable") + "_dns"); // the name server's guard (bundle dev.weft.dns)
                removeTables(kernel, get("nftTable") + "_overlay"); // the overlay driver's VXLAN guard
            }
        }
        if (failed > 0) {
            err.println("weft purge: " + failed + " object(s) of instance " + instance + " could not be removed");
            return 1;
        }
        out.println(removed == 0 ? "nothing of instance " + instance + " left in the kernel"
                : "removed " + removed + " kernel object(s) of instance " + instance);
        return 0;
    }

    /**
     * Namespaces of the sandboxes Weft created (never adopted ones) and the second names sharers
     * gave them ({@code --network container:NAME}), recognised by inode; their
     * resolv.conf directories; then the /etc/netns directory itself if that left it empty (core
     * creates it for the first sandbox; empty, it means nothing to anyone).
     */
    private void removeSandboxes(Kernel kernel) {
        Path runDir = Path.of(get("runDir"));
        Path etcNetns = Path.of(get("etcNetnsDir"));
        if (!Files.isDirectory(runDir.resolve("sandboxes"))) {
            return;
        }
        removeSandboxes(kernel, runDir, etcNetns);
        try {
            if (Files.isDirectory(etcNetns) && isEmpty(etcNetns)) {
                Files.delete(etcNetns);
                out.println("removed " + etcNetns + " (empty)");
            }
        } catch (DirectoryNotEmptyException e) {
            // another tool put a namespace's files there meanwhile: it is theirs now
        } catch (IOException e) {
            err.println("cannot remove " + etcNetns + ": " + e.getMessage()); // harmless: it is empty
        }
    }

    /**
     * A namespace directory of the instance's own ({@code weft.netns.dir}, not {@code /run/netns}) is a
     * bind mount onto itself since its first sandbox: once empty, it is unmounted, so nothing of the
     * instance stays mounted.
     */
    private void releaseNamespaceDirectory(Kernel kernel) {
        try {
            if (kernel.namespaces().releaseDirectory()) {
                out.println("unmounted " + kernel.namespaces().directory() + " (empty)");
            }
        } catch (RuntimeException e) {
            failed++;
            err.println("cannot unmount " + kernel.namespaces().directory() + ": " + e.getMessage());
        }
    }

    /**
     * The overlay driver's per-network namespaces ({@code <linkPrefix>ov-<id>}, bundle driver-overlay):
     * this instance's when their bridge or vxlan device carries its mark, or when they hold nothing
     * but the loopback (a creation cut short). The vxlan device goes first, so its VNI is free in the
     * host at once; the sandboxes' veth ends go with the namespace.
     */
    private void removeSegments(Kernel kernel, String instance, String linkPrefix) {
        String mark = "weft:" + instance + ":";
        for (NetNamespace ns : kernel.namespaces().list()) {
            if (ns.name() == null || !ns.name().startsWith(linkPrefix + "ov-")) {
                continue;
            }
            try {
                boolean ours = kernel.inNamespace(ns, rt -> {
                    List<dev.weft.linux.Link> links = rt.links();
                    boolean marked = links.stream().anyMatch(l -> l.alias() != null && l.alias().startsWith(mark));
                    boolean bare = links.stream().allMatch(l -> l.name().equals("lo"));
                    if (marked || bare) {
                        rt.deleteLinkIfExists("vxlan0");
                    }
                    return marked || bare;
                });
                if (ours) {
                    kernel.namespaces().delete(ns.name());
                    out.println("removed overlay namespace " + ns.name());
                    removed++;
                }
            } catch (RuntimeException e) {
                err.println("cannot remove overlay namespace " + ns.name() + ": " + e.getMessage());
                failed++;
            }
        }
    }

    private void removeSandboxes(Kernel kernel, Path runDir, Path etcNetns) {
        for (SandboxRecord s : new Store(Path.of(get("stateDir")), runDir).sandboxes(err::println)) {
            try {
                // a sharer's second name of another's namespace goes the same way: by name, if it is that namespace
                if (s.mode() == SandboxInfo.Mode.CREATED || s.mode() == SandboxInfo.Mode.SHARED) {
                    Optional<NetNamespace> ns = kernel.namespaces().get(s.name());
                    // inode 0: the record of a namespace being made when the runtime died
                    if (ns.isPresent() && (s.inode() == 0 || ns.get().inode() == s.inode())) {
                        kernel.namespaces().delete(s.name());
                        out.println("removed namespace " + s.name());
                        removed++;
                    }
                    if (Files.exists(etcNetns.resolve(s.name()))) {
                        deleteTree(etcNetns.resolve(s.name()));
                        out.println("removed " + etcNetns.resolve(s.name()));
                    }
                }
            } catch (RuntimeException | IOException e) {
                err.println("cannot remove sandbox " + s.name() + ": " + e.getMessage());
                failed++;
            }
        }
    }

    private void removeLinks(Kernel kernel, String mark) {
        for (Link l : kernel.host().links()) {
            if (l.alias() == null || !l.alias().startsWith(mark)) {
                continue;
            }
            try {
                if (kernel.host().deleteLinkIfExists(l.name())) { // a veth's peer may have taken it along
                    out.println("removed link " + l.name());
                    removed++;
                }
            } catch (RuntimeException e) {
                err.println("cannot remove link " + l.name() + ": " + e.getMessage());
                failed++;
            }
        }
    }

    private void removeTables(Kernel kernel, String table) {
        for (NftFamily f : new NftFamily[] {NftFamily.INET, NftFamily.BRIDGE}) {
            try {
                if (kernel.nftables().exists(f, table)) {
                    kernel.nftables().deleteTable(f, table);
                    out.println("removed nftables table " + f.keyword() + " " + table);
                    removed++;
                }
            } catch (RuntimeException e) {
                err.println("cannot remove nftables table " + f.keyword() + " " + table + ": " + e.getMessage());
                failed++;
            }
        }
    }

    private String get(String key) {
        return settings.getOrDefault(key, DEFAULTS.getOrDefault(key, ""));
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("instance", "default");
        d.put("stateDir", "/var/lib/weft");
        d.put("runDir", "/run/weft");
        d.put("netnsDir", "/run/netns");
        d.put("etcNetnsDir", "/etc/netns");
        d.put("hostNamespace", "");
        d.put("nftTable", "weft");
        return Collections.unmodifiableMap(d); // ordered: the first bad setting reported is always the same
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
