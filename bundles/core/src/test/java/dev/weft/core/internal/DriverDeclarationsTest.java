package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import dev.weft.spi.NoInterfaceDriver;
import dev.weft.spi.PredefinedNetworks;
import dev.weft.spi.SandboxMode;
import dev.weft.testkit.KernelTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Core knows no driver or network by name: what {@code host}, {@code none} and {@code bridge} do
 * comes from what their drivers declare (a sandbox mode, predefined networks, a default network),
 * so drivers of other names that declare the same behave the same, and a driver that goes away
 * leaves its predefined network unavailable like any other until it returns.
 */
@ExtendWith(KernelTest.class)
class DriverDeclarationsTest extends ControllerFixture.PerTest {
    /** A third party's drivers: the host's namespace as "outer", loopback only as "sealed". */
    static final class Outer extends NoInterfaceDriver {
        Outer() {
            super("outerdrv", "outer", SandboxMode.HOST_NAMESPACE);
        }
    }

    static final class Sealed extends NoInterfaceDriver {
        Sealed() {
            super("sealeddrv", "sealed", SandboxMode.NO_INTERFACE);
        }
    }

    @Test
    void driversOfOtherNamesDeclaringTheSameModesBehaveAsHostAndNone() {
        f.drivers.add("outerdrv", "test.outer", "1.0.0", new Outer(), "outer");
        f.drivers.add("sealeddrv", "test.sealed", "1.0.0", new Sealed(), "sealed");
        assertTrue(f.controller.network("outer").orElseThrow().predefined(), "declared, so made at arrival");
        assertTrue(f.controller.network("sealed").orElseThrow().predefined());

        SandboxInfo o = f.controller.createSandbox(SandboxSpec.of("o", "outer"));
        assertEquals(SandboxInfo.Mode.HOST, o.mode(), "the host's namespace, from the driver's mode");
        assertEquals(f.kernel.hostNamespace().path(), o.namespace());

        String s = f.sandboxName("s");
        assertEquals(SandboxInfo.Mode.CREATED, f.controller.createSandbox(SandboxSpec.of(s, "sealed")).mode());
        f.controller.createNetwork(NetworkSpec.of("blue", "testbridge"));
        WeftException e = assertThrows(WeftException.Conflict.class,
                () -> f.controller.connect("blue", s, EndpointSpec.defaults()));
        assertTrue(e.getMessage().contains("a sandbox on network \"sealed\" cannot be on other networks"), e.getMessage());
        e = assertThrows(WeftException.Conflict.class, () -> f.controller.connect("blue", "o", EndpointSpec.defaults()));
        assertTrue(e.getMessage().contains("uses the host's network stack"), e.getMessage());
        e = assertThrows(WeftException.Conflict.class, () -> f.controller.disconnect("outer", "o", false));
        assertTrue(e.getMessage().contains("remove the sandbox instead of disconnecting it from \"outer\""), e.getMessage());

        e = assertThrows(WeftException.Conflict.class, () -> f.controller.createNetwork(NetworkSpec.of("outer", "testbridge")));
        assertEquals("network name \"outer\" is reserved for a predefined network", e.getMessage());
        f.controller.removeSandbox("o");
        f.controller.removeSandbox(s);
    }

    @Test
    void aSandboxWithoutANetworkJoinsTheDeclaredDefaultElseOneWithNoInterface() {
        String a = f.sandboxName("a");
        SandboxInfo first = f.controller.createSandbox(new SandboxSpec(a, null, EndpointSpec.defaults(), null));
        assertEquals(List.of("none"), first.endpoints().stream().map(x -> x.network()).toList(),
                "no driver declares a default: the loopback-only network");

        PredefinedNetworks.Predefined declared = new PredefinedNetworks.Predefined(NetworkSpec.of("main", "mainbridge"), true);
        f.drivers.add("mainbridge", "test.main", "1.0.0", new DefaultDeclaring(f.testBridge, declared), "main");
        String b = f.sandboxName("b");
        SandboxInfo second = f.controller.createSandbox(new SandboxSpec(b, null, EndpointSpec.defaults(), null));
        assertEquals(List.of("main"), second.endpoints().stream().map(x -> x.network()).toList(),
                "the network its driver declares as the default");
        assertTrue(second.endpoints().get(0).ipv4() != null);
        f.controller.removeSandbox(a);
        f.controller.removeSandbox(b);
    }

    @Test
    void aPredefinedNetworkWhoseDriverLeftIsUnavailableAndWorksAgainWhenItReturns() {
        f.drivers.remove("host");
        NetworkInfo host = f.controller.network("host").orElseThrow();
        assertFalse(host.available(), "kept, unavailable, like any network whose driver went away");
        WeftException e = assertThrows(WeftException.Unavailable.class,
                () -> f.controller.createSandbox(SandboxSpec.of("h", "host")));
        assertTrue(e.getMessage().startsWith("network \"host\" is unavailable: its driver \"host\""), e.getMessage());
        assertThrows(WeftException.Conflict.class, () -> f.controller.createNetwork(NetworkSpec.of("host", "testbridge")),
                "its name stays reserved while the record is there");

        f.drivers.add("host", "dev.weft.driver-host", "0.1.0", new NoInterfaceDriver("host", "host",
                SandboxMode.HOST_NAMESPACE) { }, "host-again");
        assertTrue(f.controller.network("host").orElseThrow().available());
        assertEquals(1, f.controller.networks().stream().filter(n -> n.name().equals("host")).count(), "not made twice");
        assertEquals(SandboxInfo.Mode.HOST, f.controller.createSandbox(SandboxSpec.of("h", "host")).mode());
        f.controller.removeSandbox("h");
    }

    /** The test bridge under another name, declaring one predefined network. */
    static final class DefaultDeclaring extends DelegatingDriver implements PredefinedNetworks {
        private final Predefined declared;

        DefaultDeclaring(TestBridgeDriver delegate, Predefined declared) {
            super(delegate);
            this.declared = declared;
        }

        @Override
        public List<Predefined> predefinedNetworks() {
            return List.of(declared);
        }
    }
}
