package dev.weft.cni.internal;

import com.google.gson.JsonObject;
import dev.weft.api.NetworkInfo;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code cni:status}: Weft answers (else weft-cni says 11) and the network exists and is available (else 50). */
@Service
@Command(scope = "cni", name = "status", description = "CNI STATUS for weft-cni: whether Weft and the network are ready for ADD")
public class CniStatus extends CniAction {

    @Override
    String command() {
        return "STATUS";
    }

    @Override
    JsonObject run(CniRequest r) {
        NetworkInfo n = controller.network(r.network()).orElseThrow(() -> new CniError(CniError.NOT_AVAILABLE,
                "there is no Weft network \"" + r.network() + "\""));
        if (!n.available()) {
            throw new CniError(CniError.NOT_AVAILABLE, "Weft network \"" + r.network() + "\" is not available (its driver is missing)");
        }
        return null;
    }
}
