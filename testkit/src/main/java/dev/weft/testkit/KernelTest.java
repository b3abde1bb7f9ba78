package dev.weft.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(KernelTest.class)}: fails the class at once, with a reason, when it cannot
 * run kernel tests (not root, no iproute2), and checks {@link Leaks} around every test. Assumes
 * the tests of one JVM do not run in parallel (a sibling's world would count as a leak).
 */
public final class KernelTest implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(KernelTest.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        long uid = effectiveUid();
        if (uid != 0) {
            throw new AssertionError(context.getDisplayName() + " needs root to create network namespaces"
                    + " (effective uid is " + uid + "); run the kernel tests as root");
        }
        CommandResult ip = Commands.run(List.of("ip", "-V"));
        if (!ip.succeeded()) {
            throw new AssertionError("kernel tests need iproute2's `ip`: " + ip.describe());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(STORE).put(Leaks.class, Leaks.snapshot());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Leaks before = context.getStore(STORE).remove(Leaks.class, Leaks.class);
        if (before != null) {
            before.assertUnchanged();
        }
    }

    private static long effectiveUid() {
        try {
            // "Uid:\treal\teffective\tsaved\tfs"
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .map(line -> Long.parseLong(line.split("\\s+")[2]))
                    .findFirst()
                    .orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }
}
