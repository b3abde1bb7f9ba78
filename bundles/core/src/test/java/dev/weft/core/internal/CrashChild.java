package dev.weft.core.internal;

import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.net.IpPrefix;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The runtime of a crash test, in a JVM of its own started with {@code -Dweft.test.crash-at=POINT}:
 * creates network "blue" and a sandbox on it; the JVM halts at the crash point.
 * Arguments: host namespace path, directory, etc-netns, resolv.conf, sandbox name.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) {
        ControllerFixture.Started st = ControllerFixture.startOn(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
                Path.of(args[3]));
        st.controller().createNetwork(new NetworkSpec("blue", "testbridge",
                List.of(SubnetSpec.of(IpPrefix.parse("10.81.0.0/24"))), false, false, Map.of(), Map.of()));
        st.controller().createSandbox(SandboxSpec.of(args[4], "blue"));
        System.exit(3); // the crash point was not reached
    }
}
