package dev.weft.cni.internal;

import com.google.gson.JsonObject;
import dev.weft.api.EndpointInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.WeftException;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code cni:del}: detaches the container from the network; the sandbox goes when its last network
 * does (its namespace stays: it is the runtime's). Idempotent: an unknown container or one already
 * detached is success, as the spec wants.
 */
@Service
@Command(scope = "cni", name = "del", description = "CNI DEL for weft-cni: detaches a container from a Weft network (idempotent)")
public class CniDel extends CniAction {

    @Override
    String command() {
        return "DEL";
    }

    @Override
    JsonObject run(CniRequest r) {
        detach(controller, r.sandbox(), r.network());
        return null;
    }

    static void detach(dev.weft.api.Controller controller, String sandbox, String network) {
        Optional<SandboxInfo> s = controller.sandbox(sandbox);
        if (s.isEmpty()) {
            return;
        }
        Optional<EndpointInfo> e = endpoint(s.get(), network);
        try {
            if (e.isPresent()) {
                controller.disconnect(network, sandbox, true);
                deleteInterface(s.get().namespace(), e.get().interfaceName());
            }
            if (controller.sandbox(sandbox).map(x -> x.endpoints().isEmpty()).orElse(false)) {
                controller.removeSandbox(sandbox, true);
            }
        } catch (WeftException.NotFound gone) {
            // removed meanwhile: what DEL wants
        }
    }

    /**
     * Deletes the container's end of the detached interface at once: the bridge driver deletes a
     * detached veth later, off the user's path (its VethDeleter), and the container's namespace,
     * which Weft only adopted, would keep CNI_IFNAME until then, so that an ADD right after the DEL
     * (a restarted container) would meet it. Deleting one end takes the pair; a failure (the
     * namespace or the link already gone) is what DEL wants anyway.
     */
    static void deleteInterface(java.nio.file.Path namespace, String ifname) {
        if (namespace == null || ifname == null || !java.nio.file.Files.exists(namespace)) {
            return;
        }
        try {
            Process p = new ProcessBuilder("nsenter", "--net=" + namespace, "ip", "link", "del", ifname)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (java.io.IOException ignored) {
            // no nsenter: the bridge driver deletes the pair shortly
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }
}
