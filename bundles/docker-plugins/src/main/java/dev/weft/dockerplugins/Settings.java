package dev.weft.dockerplugins;

import dev.weft.spi.DriverContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The bundle's settings, instance configuration keys read through {@link DriverContext#setting}
 * ({@code etc/dev.weft.cfg}).
 *
 * @param dirs    {@value #DIRS}: where plugins are looked for, in order (comma separated); default
 *                Docker's {@code /run/docker/plugins}, {@code /etc/docker/plugins},
 *                {@code /usr/lib/docker/plugins}
 * @param timeout {@value #TIMEOUT}: milliseconds one call may take; default 30000 (Docker's plugin client)
 * @param rescan  {@value #RESCAN}: milliseconds between full rescans besides the file watch, in which a
 *                plugin that no longer answers is dropped; default 5000
 */
record Settings(List<Path> dirs, Duration timeout, Duration rescan) {
    static final String DIRS = "docker.plugins.dirs";
    static final String TIMEOUT = "docker.plugins.timeout";
    static final String RESCAN = "docker.plugins.rescan";
    static final List<Path> DOCKER_DIRS = List.of(Path.of("/run/docker/plugins"), Path.of("/etc/docker/plugins"),
            Path.of("/usr/lib/docker/plugins"));

    Settings {
        dirs = List.copyOf(dirs);
    }

    /** @throws IllegalArgumentException naming the key, the value and what is accepted */
    static Settings of(DriverContext context) {
        List<Path> dirs = context.setting(DIRS).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).map(Path::of).toList())
                .orElse(DOCKER_DIRS);
        for (Path d : dirs) {
            if (!d.isAbsolute()) {
                throw new IllegalArgumentException(DIRS + ": \"" + d + "\" is not an absolute path; give absolute "
                        + "directories separated by commas, e.g. /run/docker/plugins,/etc/docker/plugins");
            }
        }
        return new Settings(dirs, millis(context, TIMEOUT, 30_000), millis(context, RESCAN, 5_000));
    }

    private static Duration millis(DriverContext context, String key, long fallback) {
        String v = context.setting(key).map(String::strip).orElse("");
        if (v.isEmpty()) {
            return Duration.ofMillis(fallback);
        }
        try {
            long ms = Long.parseLong(v);
            if (ms > 0) {
                return Duration.ofMillis(ms);
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new IllegalArgumentException(key + ": \"" + v + "\" is not a positive number of milliseconds (default "
                + fallback + ")");
    }
}
