package dev.weft.cni.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.api.EndpointInfo;
import dev.weft.api.SandboxInfo;
import java.util.HashSet;
import java.util.Set;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code cni:gc}: detaches from the network every weft-cni attachment (a sandbox named {@code cni-…})
 * whose container id and interface name are not in {@code cni.dev/valid-attachments}.
 */
@Service
@Command(scope = "cni", name = "gc", description = "CNI GC for weft-cni: removes attachments the runtime no longer knows")
public class CniGc extends CniAction {

    @Override
    String command() {
        return "GC";
    }

    @Override
    JsonObject run(CniRequest r) {
        Set<String> valid = new HashSet<>();
        JsonElement list = r.config().get("cni.dev/valid-attachments");
        try {
            if (list != null && !list.isJsonNull()) {
                for (JsonElement a : list.getAsJsonArray()) {
                    JsonObject o = a.getAsJsonObject();
                    valid.add(CniRequest.sandboxName(CniRequest.string(o, "containerID")) + "/" + CniRequest.string(o, "ifname"));
                }
            }
        } catch (RuntimeException e) {
            throw new CniError(CniError.INVALID_CONFIG, "cni.dev/valid-attachments is not [{containerID, ifname}]");
        }
        for (SandboxInfo s : controller.sandboxes()) {
            if (!s.name().startsWith("cni-")) {
                continue;
            }
            for (EndpointInfo e : s.endpoints()) {
                if (e.network().equals(r.network()) && !valid.contains(s.name() + "/" + e.interfaceName())) {
                    CniDel.detach(controller, s.name(), r.network());
                }
            }
        }
        return null;
    }
}
