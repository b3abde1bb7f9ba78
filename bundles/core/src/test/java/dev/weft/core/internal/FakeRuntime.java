package dev.weft.core.internal;

import dev.weft.core.internal.ipam.DefaultIpam;
import dev.weft.core.internal.ipam.DefaultPool;
import dev.weft.core.internal.ipam.NullIpam;
import dev.weft.core.internal.store.Store;
import dev.weft.net.IpPrefix;
import dev.weft.spi.NoInterfaceDriver;
import dev.weft.spi.SandboxMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A whole controller without root, on a {@link FakeHostSystem} and private directories under
 * {@code dir}: the drivers the test adds to {@code drivers} beside the predefined {@code null}
 * driver, and the default IPAM (Weft's default pools, the IPv6 pool {@code ula}, no host routes).
 * Started again on the same directories, it reads the same records (a restart).
 */
final class FakeRuntime {
    private FakeRuntime() {}

    /** Adds the {@code null} driver to {@code drivers} and starts a controller with them. */
    static ControllerImpl start(Path dir, FakeHostSystem system, DriverRegistry drivers, IpamRegistry ipams,
                                IpPrefix ula) {
        drivers.add("null", "dev.weft.driver-null", "0.1.0", new NoInterfaceDriver("null", "none", SandboxMode.NO_INTERFACE) { },
                "null");
        ipams.addBuiltIns("0.1.0", new DefaultIpam(DefaultPool.defaults(), ula, p -> false), new NullIpam());
        ControllerImpl controller = new ControllerImpl(system, new Store(dir.resolve("state"), dir.resolve("run")), ipams,
                drivers, dir.resolve("etc-netns"), dir.resolve("resolv.conf"));
        controller.start();
        return controller;
    }

    /** Closes the controller and deletes {@code dir} with everything in it. */
    static void stop(ControllerImpl controller, Path dir) throws IOException {
        controller.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
