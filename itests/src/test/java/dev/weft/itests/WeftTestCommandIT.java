package dev.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./weft test}, the README's test command, on a machine that lacks the tests' tools:
 * a PATH with everything ./weft itself uses but without socat, conntrack, iperf3 and etcd, and
 * stand-ins for apt-get and mvn that write down how they were called (a test must not install
 * packages or start a build inside the build).
 */
class WeftTestCommandIT {
    @TempDir
    Path tmp;

    @Test
    void installsWhatTheTestsNeedThenRunsMavenVerifyAndExitsWithItsStatus() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "./weft test installs packages as root");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path log = tmp.resolve("calls.log");
        for (String program : List.of("bash", "java", "javac", "gcc", "nft", "ip", "setpriv", "script", "ping", "iptables", "podman")) {
            Files.createSymbolicLink(bin.resolve(program), which(program));
        }
        // apt-get "installs" a package by putting its program on the PATH
        executable(bin.resolve("apt-get"), "#!/bin/sh\necho \"apt-get $*\" >> '" + log + "'\n"
                + "for p in \"$@\"; do case $p in etcd-server) p=etcd ;; etcd-client) p=etcdctl ;; esac;"
                + " case $p in socat|conntrack|iperf3|etcd|etcdctl)"
                + " printf '#!/bin/sh\\n' > '" + bin + "'/$p; /bin/chmod 755 '" + bin + "'/$p ;; esac; done\n");
        executable(bin.resolve("mvn"), "#!/bin/sh\necho \"mvn $* (in $PWD)\" >> '" + log + "'\nexit 3\n");

        Path root = Path.of(PrivateInstance.property("weft.script")).toRealPath().getParent();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("weft").toString(), "test", "-pl", "bundles/core", "-Dx=1")
                .directory(tmp.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("WEFT_"));
        env.put("PATH", bin.toString());
        env.put("WEFT_HOME", tmp.resolve("home").toString());

        String first = run(pb);
        assertEquals("apt-get update -qq\napt-get install -y -qq conntrack socat iperf3 etcd-server etcd-client\n"
                + "mvn -B verify -pl bundles/core -Dx=1 (in " + root + ")\n", Files.readString(log), first);
        assertTrue(first.contains("exit 3"), () -> "./weft test exits with Maven's status: " + first);

        Files.delete(log);
        String second = run(pb);
        assertEquals("mvn -B verify -pl bundles/core -Dx=1 (in " + root + ")\n", Files.readString(log),
                "nothing to install the second time: " + second);
    }

    /** Runs it; returns its output followed by "exit N". */
    private static String run(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "./weft test did not end");
        return out + "exit " + p.exitValue();
    }

    private static Path which(String program) throws Exception {
        for (String dir : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toRealPath();
            }
        }
        throw new AssertionError(program + " is not installed: ./weft test installs it (" + System.getenv("PATH") + ")");
    }

    private static void executable(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
