package dev.weft.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The programs tests run and the Debian package that brings each. A test that needs one that is
 * not installed fails at once with a message naming the package, instead of waiting for traffic
 * that never comes ({@code ip netns exec NS socat …} starts fine and only then fails to exec).
 * {@code ./weft test} installs all of them.
 */
public final class Tools {
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("ip", "iproute2"), Map.entry("ss", "iproute2"), Map.entry("tc", "iproute2"),
            Map.entry("nft", "nftables"), Map.entry("conntrack", "conntrack"), Map.entry("socat", "socat"),
            Map.entry("iperf3", "iperf3"), Map.entry("setpriv", "util-linux"), Map.entry("script", "bsdutils"),
            Map.entry("sysctl", "procps"), Map.entry("ping", "iputils-ping"));
    /** Programs found once: they do not go away during a run. */
    private static final Set<String> FOUND = ConcurrentHashMap.newKeySet();

    private Tools() {
    }

    /** Throws unless {@code program} is on this JVM's PATH (a path with '/' is left to the caller). */
    public static void require(String program) {
        require(program, System.getenv("PATH"));
    }

    /** Whether {@code program} is on this JVM's PATH. */
    public static boolean installed(String program) {
        return onPath(program, System.getenv("PATH"));
    }

    static void require(String program, String path) {
        if (program.contains("/") || FOUND.contains(program) || onPath(program, path)) {
            return;
        }
        String debian = PACKAGES.get(program);
        throw new IllegalStateException("this test needs `" + program + "`, which is not installed (not on PATH "
                + path + ")" + (debian == null ? "" : "; install the Debian package " + debian)
                + " (./weft test installs everything the tests need)");
    }

    private static boolean onPath(String program, String path) {
        if (FOUND.contains(program)) {
            return true;
        }
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                FOUND.add(program);
                return true;
            }
        }
        return false;
    }
}
