package dev.weft.core.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/** Which resolv.conf the instance's host namespace uses. */
final class HostResolvConf {
    private static final Path ETC_RESOLV_CONF = Path.of("/etc/resolv.conf");

    private HostResolvConf() {}

    /**
     * The configured file, except that for a named host namespace ({@code .../NAME}) with the
     * default {@code /etc/resolv.conf} configured, {@code ETC_NETNS/NAME/resolv.conf} when it
     * exists: the file {@code ip netns exec NAME} would show the host namespace's programs.
     */
    static Path effective(Path configured, String hostNamespace, Path etcNetns) {
        if (!configured.equals(ETC_RESOLV_CONF) || hostNamespace == null || hostNamespace.isEmpty()
                || etcNetns == null) {
            return configured;
        }
        Path name = Path.of(hostNamespace).getFileName();
        if (name == null || hostNamespace.startsWith("/proc/")) {
            return configured;
        }
        Path own = etcNetns.resolve(name.toString()).resolve("resolv.conf");
        return Files.isRegularFile(own) ? own : configured;
    }
}
