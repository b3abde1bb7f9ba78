package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Core refuses to start on a default pool list it cannot read, before it opens the kernel layer or
 * makes a directory, with the key, the item and the shape expected in the error; and on a
 * {@code $[prop:weft.default.address.pools]} left unreplaced.
 */
class CoreRuntimePoolsTest {
    @TempDir
    Path tmp;

    /** The configuration of core with {@code values} over the defaults of {@link CoreConfig}. */
    private static CoreConfig config(Map<String, String> values) {
        return (CoreConfig) Proxy.newProxyInstance(CoreConfig.class.getClassLoader(), new Class<?>[] {CoreConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue());
    }

    @Test
    void aPoolListThatDoesNotParseStopsTheStartBeforeAnythingIsMade() {
        Path state = tmp.resolve("state");
        CoreConfig bad = config(Map.of("defaultPools", "base=10.200.0.0/16,size=24;base=10.201.0.0/16",
                "stateDir", state.toString(), "runDir", tmp.resolve("run").toString(), "hostNamespace", "/nonexistent"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CoreRuntime().activate(null, bad, Map.of()));
        assertEquals("configuration dev.weft: defaultPools = base=10.200.0.0/16,size=24;base=10.201.0.0/16: default "
                + "address pool \"base=10.201.0.0/16\" lacks size=N; weft.default.address.pools expects "
                + "base=CIDR,size=N;base=CIDR,size=N, like base=172.17.0.0/16,size=24;base=fd00:1::/48,size=64 (empty for "
                + "the built-in pools)", e.getMessage());
        assertFalse(Files.exists(state), "nothing was made");
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    @Test
    void anUnreplacedPlaceholderIsNamedAsSuch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CoreRuntime.requireInterpolated(
                config(Map.of("defaultPools", "$[prop:weft.default.address.pools]"))));
        assertEquals("configuration dev.weft: defaultPools = $[prop:weft.default.address.pools] was not replaced: set the "
                + "property it names in etc/custom.properties", e.getMessage());
    }
}
