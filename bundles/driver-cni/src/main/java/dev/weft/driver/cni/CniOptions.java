package dev.weft.driver.cni;

import dev.weft.api.WeftException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The options of a {@code cni} network, all listed here (unknown keys are refused).
 *
 * @param conflist the CNI network configuration list's path ({@code -o conflist=PATH}, required)
 * @param path     the directories searched for plugin binaries ({@code -o cni.path=DIR[:DIR]}),
 *                 default {@code /opt/cni/bin:/usr/lib/cni}; given to plugins as {@code CNI_PATH}
 */
record CniOptions(Path conflist, List<Path> path) {
    static final String CONFLIST = "conflist";
    static final String PATH = "cni.path";
    static final List<String> KEYS = List.of(CONFLIST, PATH);

    static CniOptions parse(Map<String, String> options) {
        for (String key : options.keySet()) {
            if (!KEYS.contains(key)) {
                throw new WeftException.InvalidRequest("unknown option \"" + key + "\" of driver cni; accepted: "
                        + String.join(", ", KEYS));
            }
        }
        String conflist = options.get(CONFLIST);
        if (conflist == null || conflist.isBlank() || !conflist.startsWith("/")) {
            throw new WeftException.InvalidRequest("driver cni needs -o " + CONFLIST + "=PATH, the absolute path of a CNI "
                    + "conflist" + (conflist == null ? "" : " (given: \"" + conflist + "\")"));
        }
        List<Path> path = new ArrayList<>();
        String dirs = options.get(PATH);
        if (dirs == null) {
            path.addAll(Plugins.DEFAULT_PATH);
        } else {
            for (String d : dirs.split(":")) {
                if (!d.startsWith("/")) {
                    throw new WeftException.InvalidRequest("option " + PATH + "=\"" + dirs + "\": \"" + d + "\" is not an "
                            + "absolute directory; give DIR[:DIR], e.g. /opt/cni/bin:/usr/lib/cni");
                }
                path.add(Path.of(d));
            }
        }
        return new CniOptions(Path.of(conflist), List.copyOf(path));
    }
}
