package dev.weft.dockerapi.internal;

import dev.weft.api.Controller;
import dev.weft.api.DriverInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code /_ping}, {@code /version} and {@code /info}: who answers (Weft, its version, the API
 * versions it speaks) and the host facts {@code docker info} prints. {@code Plugins.Network} lists
 * the network drivers installed now.
 */
final class SystemRoutes {
    private final Controller controller;
    private final String weftVersion;
    private final String instance;
    private final Supplier<Instant> clock;

    SystemRoutes(Controller controller, String weftVersion, String instance, Supplier<Instant> clock) {
        this.controller = controller;
        this.weftVersion = weftVersion;
        this.instance = instance;
        this.clock = clock;
    }

    /** The headers of {@code /_ping}'s answer (moby's {@code pingHandler}), besides {@code Api-Version}. */
    static Map<String, String> pingHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Ostype", "linux");
        h.put("Docker-Experimental", "false");
        h.put("Cache-Control", "no-cache, no-store, must-revalidate");
        h.put("Pragma", "no-cache");
        return h;
    }

    Map<String, Object> version() {
        Map<String, Object> o = new LinkedHashMap<>();
        Map<String, Object> platform = new LinkedHashMap<>();
        platform.put("Name", "Weft " + weftVersion);
        o.put("Platform", platform);
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("Name", "Engine");
        engine.put("Version", weftVersion);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ApiVersion", EngineApi.API_VERSION);
        details.put("MinAPIVersion", EngineApi.MIN_API_VERSION);
        details.put("Os", "linux");
        details.put("Arch", goArch());
        details.put("KernelVersion", kernelVersion());
        details.put("GitCommit", "");
        details.put("GoVersion", "Java " + System.getProperty("java.version", ""));
        details.put("BuildTime", "");
        details.put("Experimental", "false");
        engine.put("Details", details);
        o.put("Components", List.of(engine));
        o.put("Version", weftVersion);
        o.put("ApiVersion", EngineApi.API_VERSION);
        o.put("MinAPIVersion", EngineApi.MIN_API_VERSION);
        o.put("GitCommit", "");
        o.put("GoVersion", "Java " + System.getProperty("java.version", ""));
        o.put("Os", "linux");
        o.put("Arch", goArch());
        o.put("KernelVersion", kernelVersion());
        o.put("BuildTime", "");
        return o;
    }

    Map<String, Object> info() {
        int sandboxes = controller.sandboxes().size();
        Map<String, Object> o = new LinkedHashMap<>();
        String name = hostname();
        o.put("ID", UUID.nameUUIDFromBytes(("weft:" + instance + "@" + name).getBytes(StandardCharsets.UTF_8)).toString());
        o.put("Containers", sandboxes);
        o.put("ContainersRunning", sandboxes);
        o.put("ContainersPaused", 0);
        o.put("ContainersStopped", 0);
        o.put("Images", 0);
        o.put("Driver", "");
        o.put("DriverStatus", List.of());
        Map<String, Object> plugins = new LinkedHashMap<>();
        plugins.put("Volume", List.of());
        plugins.put("Network", controller.drivers().stream().filter(DriverInfo::available).map(DriverInfo::name)
                .sorted().toList());
        plugins.put("Authorization", null);
        plugins.put("Log", List.of());
        o.put("Plugins", plugins);
        o.put("MemoryLimit", false);
        o.put("SwapLimit", false);
        o.put("CpuCfsPeriod", false);
        o.put("CpuCfsQuota", false);
        o.put("CPUShares", false);
        o.put("CPUSet", false);
        o.put("PidsLimit", false);
        o.put("IPv4Forwarding", "1".equals(read("/proc/sys/net/ipv4/ip_forward")));
        o.put("Debug", false);
        o.put("NFd", 0);
        o.put("OomKillDisable", false);
        o.put("NGoroutines", Thread.activeCount());
        o.put("SystemTime", clock.get().toString());
        o.put("LoggingDriver", "");
        o.put("CgroupDriver", "");
        o.put("CgroupVersion", "");
        o.put("NEventsListener", 0);
        o.put("KernelVersion", kernelVersion());
        o.put("OperatingSystem", osRelease("PRETTY_NAME"));
        o.put("OSVersion", osRelease("VERSION_ID"));
        o.put("OSType", "linux");
        o.put("Architecture", unameMachine());
        o.put("IndexServerAddress", "");
        o.put("RegistryConfig", null);
        o.put("NCPU", Runtime.getRuntime().availableProcessors());
        o.put("MemTotal", memTotal());
        o.put("GenericResources", null);
        o.put("DockerRootDir", "");
        o.put("HttpProxy", "");
        o.put("HttpsProxy", "");
        o.put("NoProxy", "");
        o.put("Name", name);
        o.put("Labels", List.of("dev.weft.instance=" + instance));
        o.put("ExperimentalBuild", false);
        o.put("ServerVersion", weftVersion);
        o.put("Runtimes", Map.of());
        o.put("DefaultRuntime", "");
        Map<String, Object> swarm = new LinkedHashMap<>();
        swarm.put("NodeID", "");
        swarm.put("NodeAddr", "");
        swarm.put("LocalNodeState", "inactive");
        swarm.put("ControlAvailable", false);
        swarm.put("Error", "");
        swarm.put("RemoteManagers", null);
        o.put("Swarm", swarm);
        o.put("LiveRestoreEnabled", false);
        o.put("Isolation", "");
        o.put("InitBinary", "");
        o.put("SecurityOptions", List.of());
        o.put("Warnings", List.of());
        return o;
    }

    /** Go's name of the architecture ({@code GOARCH}), as {@code docker version} shows it. */
    static String goArch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
    }

    /** The kernel's name of the machine ({@code uname -m}), as {@code docker info} shows it. */
    static String unameMachine() {
        return switch (goArch()) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> System.getProperty("os.arch", "");
        };
    }

    static String kernelVersion() {
        return read("/proc/sys/kernel/osrelease");
    }

    private static String hostname() {
        return read("/proc/sys/kernel/hostname");
    }

    private static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: 0, as docker info prints a missing value
        }
        return 0;
    }

    private static String osRelease(String key) {
        for (String file : List.of("/etc/os-release", "/usr/lib/os-release")) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    if (line.startsWith(key + "=")) {
                        String v = line.substring(key.length() + 1).trim();
                        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
                    }
                }
                return "";
            } catch (IOException e) {
                // the next file
            }
        }
        return "";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
