package dev.weft.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The machine state a test must leave as it found it: named namespaces (/run/netns), links and
 * nft tables in the machine's own namespace (the one this JVM runs in), nsfs mounts, and any
 * directories the caller names (recursively). Take a snapshot before the test and assert after it.
 *
 * <p>A test judges only what it made: other test runs, a Weft instance or Docker may share the
 * machine and change it while a test runs. So:
 * <ul>
 *   <li>namespaces in /run/netns and nsfs mounts count only when named after a test-kit world of
 *       this JVM ({@code wt-<8 hex>…} with an id {@link TestHost} made here; a mount outside
 *       /run/netns counts when a directory on its path is so named, so a test that keeps
 *       namespaces in a private directory names it after its world). Sandboxes of a running
 *       Weft ("web", "demo"), other JVMs' worlds and namespaces people make are theirs;
 *   <li>links in the machine's namespace count unless they carry the ownership mark of a Weft
 *       instance ({@code alias weft:<instance>:…}) whose name holds no world id of this JVM: a
 *       running Weft's bridge and veths are its own;
 *   <li>nf_tables tables in the machine's namespace and files under the named directories count.
 * </ul>
 */
public final class Leaks {
    /** The kernel deletes a destroyed namespace's links asynchronously: give it time before failing. */
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Path NETNS_DIR = Path.of("/run/netns");
    private static final Pattern TESTKIT_NAME = Pattern.compile("wt-([0-9a-f]{8})(-.*)?");
    /** A world id anywhere in a name, e.g. the instance name {@code it1a2b3c4d} of a private Weft. */
    private static final Pattern WORLD_ID = Pattern.compile("[0-9a-f]{8}");
    /** The ownership mark Weft puts on the links it creates: {@code alias weft:<instance>:<id>}. */
    private static final Pattern WEFT_MARK = Pattern.compile("\\\\\\s+alias weft:([^:\\s]*):");

    private final List<Path> extraDirs;
    private final Set<String> entries;

    private Leaks(List<Path> extraDirs, Set<String> entries) {
        this.extraDirs = extraDirs;
        this.entries = entries;
    }

    /** Captures the current state, plus every file and directory under {@code extraDirs}. */
    public static Leaks snapshot(Path... extraDirs) {
        List<Path> dirs = List.copyOf(Arrays.asList(extraDirs));
        return new Leaks(dirs, capture(dirs));
    }

    /** Throws an AssertionError naming everything that appeared since {@code before}. */
    public static void assertNothingLeft(Leaks before) {
        before.assertUnchanged();
    }

    /** Entries such as "netns wt-1a2b3c4d-a", "link veth12", "nft table inet weft", "file /tmp/x/state.json". */
    public Set<String> entries() {
        return Set.copyOf(entries);
    }

    /** Throws unless nothing appeared since this snapshot, retrying for a couple of seconds first. */
    public void assertUnchanged() {
        Set<String> appeared = appeared();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!appeared.isEmpty() && System.nanoTime() < deadline && Sleep.briefly()) {
            appeared = appeared();
        }
        if (!appeared.isEmpty()) {
            throw new AssertionError("left behind: " + String.join("; ", appeared));
        }
    }

    /** What is there now and was not in this snapshot, of what this run can have made (see above). */
    public Set<String> appeared() {
        Set<String> now = capture(extraDirs);
        now.removeAll(entries);
        now.removeIf(entry -> !madeByThisRun(entry));
        return now;
    }

    @Override
    public String toString() {
        return "Leaks" + entries;
    }

    private static Set<String> capture(List<Path> extraDirs) {
        Set<String> entries = new TreeSet<>();
        namedNamespaces().forEach(name -> entries.add("netns " + name));
        rootLinks().forEach(name -> entries.add("link " + name));
        nftTables().forEach(table -> entries.add("nft " + table));
        nsfsMounts().forEach(mount -> entries.add("nsfs mount " + mount));
        for (Path dir : extraDirs) {
            filesUnder(dir).forEach(file -> entries.add("file " + file));
        }
        return entries;
    }

    private static List<String> namedNamespaces() {
        if (!Files.isDirectory(NETNS_DIR)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(NETNS_DIR)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + NETNS_DIR, e);
        }
    }

    /** Link names in this JVM's namespace, "veth0@if3" reported as "veth0", other Weft instances' left out. */
    private static List<String> rootLinks() {
        return linksOfThisRun(Commands.runOrThrow(List.of("ip", "-o", "link", "show")));
    }

    /**
     * The link names in {@code ip -o link show} output, without the links marked as another Weft
     * instance's ({@code alias weft:<instance>:…} with no world id of this JVM in the instance name).
     */
    static List<String> linksOfThisRun(String ipOneLineOutput) {
        return ipOneLineOutput.lines()
                .filter(line -> {
                    Matcher mark = WEFT_MARK.matcher(line);
                    return !mark.find() || holdsWorldIdMadeHere(mark.group(1));
                })
                .map(line -> line.split(": ", 3))
                .filter(parts -> parts.length >= 2)
                .map(parts -> parts[1].replaceFirst("@.*", ""))
                .toList();
    }

    /** "table inet filter" lines; none when nft is missing (then both snapshots agree). */
    private static List<String> nftTables() {
        if (!Tools.installed("nft")) {
            return List.of();
        }
        CommandResult result;
        try {
            result = Commands.run(List.of("nft", "list", "tables"));
        } catch (UncheckedIOException e) {
            return List.of();
        }
        return result.succeeded() ? result.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of();
    }

    /** Mount points of nsfs mounts (bind-mounted namespaces, like /run/netns/NAME). */
    private static List<String> nsfsMounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> {
                        // Fields: id parent major:minor root mountpoint ... " - " fstype source options
                        int separator = line.indexOf(" - ");
                        if (separator < 0 || !line.substring(separator + 3).startsWith("nsfs ")) {
                            return null;
                        }
                        String[] fields = line.substring(0, separator).split(" ");
                        return fields.length > 4 ? fields[4] : null;
                    })
                    .filter(mount -> mount != null)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    private static List<String> filesUnder(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> !p.equals(dir)).map(Path::toString).collect(Collectors.toList());
        } catch (IOException | UncheckedIOException e) {
            // A file vanished while walking: take what is there now on the next attempt.
            return List.of("(could not list " + dir + ": " + e.getMessage() + ")");
        }
    }

    /** Whether an entry that appeared is one this JVM's tests can have made (see the class comment). */
    static boolean madeByThisRun(String entry) {
        if (entry.startsWith("netns ")) {
            return isWorldMadeHere(entry.substring("netns ".length()));
        }
        if (entry.startsWith("nsfs mount ")) {
            Path mount = Path.of(entry.substring("nsfs mount ".length()));
            for (Path part : mount) {
                if (isWorldMadeHere(part.toString())) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    private static boolean isWorldMadeHere(String name) {
        Matcher matcher = TESTKIT_NAME.matcher(name);
        return matcher.matches() && TestHost.madeHere(matcher.group(1));
    }

    private static boolean holdsWorldIdMadeHere(String name) {
        for (int i = 0; i + 8 <= name.length(); i++) {
            String candidate = name.substring(i, i + 8);
            if (WORLD_ID.matcher(candidate).matches() && TestHost.madeHere(candidate)) {
                return true;
            }
        }
        return false;
    }
}
