package dev.weft.core.internal.store;

import dev.weft.api.SandboxInfo;
import dev.weft.net.NetNamespace;
import dev.weft.spi.SandboxConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A sandbox as stored in the runtime directory (gone after a reboot, with its namespace).
 *
 * @param namespace   the path that pins its namespace
 * @param device      the namespace's device number, to recognise it (a path can be reused)
 * @param inode       the namespace's inode number
 * @param endpoints   ids of its endpoints in the order they joined
 * @param sharedWith  for {@link SandboxInfo.Mode#SHARED}: the id of the sandbox whose namespace it uses
 */
public record SandboxRecord(String id, String name, Path namespace, long device, long inode, SandboxInfo.Mode mode,
                            State state, Instant created, List<String> endpoints, String sharedWith) {

    public SandboxRecord {
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    }

    public SandboxRecord withState(State s) {
        return new SandboxRecord(id, name, namespace, device, inode, mode, s, created, endpoints, sharedWith);
    }

    public SandboxRecord withEndpoints(List<String> e) {
        return new SandboxRecord(id, name, namespace, device, inode, mode, state, created, e, sharedWith);
    }

    public SandboxRecord withNamespace(NetNamespace ns) {
        return new SandboxRecord(id, name, ns.path(), ns.device(), ns.inode(), mode, state, created, endpoints,
                sharedWith);
    }

    /** Its namespace as recorded; named only when Weft created it (under the namespace directory). */
    public NetNamespace netns() {
        return new NetNamespace(mode == SandboxInfo.Mode.CREATED ? name : null, namespace, device, inode);
    }

    /** What drivers are told about it. */
    public SandboxConfig config() {
        return new SandboxConfig(id, name, netns());
    }
}
