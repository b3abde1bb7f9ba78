package dev.weft.core.internal;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.net.IpPrefix;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The runtime of {@link GatewayPriorityCrashTest}, in a JVM of its own started with
 * {@code -Dweft.test.crash-at=default-route-taken}: a sandbox on network "blue", then connected to
 * "green" with a higher gw-priority; the JVM halts once blue's default route is taken out, before
 * green joins. Arguments: host namespace path, directory, etc-netns, resolv.conf, sandbox name.
 */
public final class GatewayCrashChild {
    private GatewayCrashChild() {}

    public static void main(String[] args) {
        ControllerFixture.Started st = ControllerFixture.startOn(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
                Path.of(args[3]));
        for (String[] n : new String[][] {{"blue", "10.82.1.0/24"}, {"green", "10.82.2.0/24"}}) {
            st.controller().createNetwork(new NetworkSpec(n[0], "testbridge", List.of(SubnetSpec.of(IpPrefix.parse(n[1]))),
                    false, false, Map.of(), Map.of()));
        }
        st.controller().createSandbox(SandboxSpec.of(args[4], "blue"));
        st.controller().connect("green", args[4], EndpointSpec.defaults().withGwPriority(1));
        System.exit(3); // the crash point was not reached
    }
}
