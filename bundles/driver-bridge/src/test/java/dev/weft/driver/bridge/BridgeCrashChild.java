package dev.weft.driver.bridge;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.core.internal.Standalone;
import dev.weft.net.IpPrefix;
import dev.weft.spi.DriverContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The runtime of a crash test with the real bridge driver, in a JVM of its own started with
 * {@code -Dweft.test.crash-at=POINT}: creates network "blue" (SUBNET) and, as its first sandbox,
 * NAME publishing PORT; the JVM halts at the crash point, as kill -9 would.
 * Arguments: host namespace path, directory, SUBNET, NAME, PORT (Docker syntax).
 */
public final class BridgeCrashChild {
    private BridgeCrashChild() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[1]);
        Standalone runtime = Standalone.builder().hostNamespace(Path.of(args[0])).directories(dir)
                .resolvConf(dir.resolve("resolv.conf")).build();
        BridgeDriver driver = new BridgeDriver(BridgeFixture.context(runtime, DriverContext.FirewallMode.NFTABLES),
                runtime.kernel());
        runtime.addDriver(BridgeDriver.NAME, "dev.weft.driver-bridge", "0.1.0", driver);
        runtime.controller().createNetwork(new NetworkSpec("blue", BridgeDriver.NAME,
                List.of(SubnetSpec.of(IpPrefix.parse(args[2]))), false, false, Map.of(), Map.of()));
        runtime.controller().createSandbox(new SandboxSpec(args[3], "blue",
                new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse(args[4]))), null));
        System.exit(3); // the crash point was not reached
    }
}
