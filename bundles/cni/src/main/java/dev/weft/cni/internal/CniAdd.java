package dev.weft.cni.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.api.EndpointDriverOptions;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.PortSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code cni:add}: attaches the container's namespace (CNI_NETNS) to the Weft network as the adopted
 * sandbox {@code cni-CONTAINERID}, its interface named CNI_IFNAME, runtimeConfig.portMappings published;
 * a second network connects the same sandbox. Prints the CNI result.
 */
@Service
@Command(scope = "cni", name = "add", description = "CNI ADD for weft-cni: attaches a container's namespace to a Weft network")
public class CniAdd extends CniAction {

    @Override
    String command() {
        return "ADD";
    }

    @Override
    JsonObject run(CniRequest r) {
        NetworkInfo network = network(r);
        Optional<SandboxInfo> existing = controller.sandbox(r.sandbox());
        if (existing.isPresent()) {
            SandboxInfo s = existing.get();
            Optional<EndpointInfo> same = endpoint(s, r.network());
            if (same.isPresent()) {
                throw new CniError(CniError.ALREADY_ATTACHED, "container " + r.containerId() + " is already attached to network "
                        + r.network() + " as " + same.get().interfaceName() + " (DEL it first)");
            }
            if (s.endpoints().stream().anyMatch(e -> r.ifname().equals(e.interfaceName()))) {
                throw new CniError(CniError.ALREADY_ATTACHED, "container " + r.containerId() + " already has an interface "
                        + r.ifname() + " attached by weft-cni");
            }
            if (s.namespace() != null && !s.namespace().toString().equals(r.netns())) {
                throw new CniError(CniError.INVALID_ENVIRONMENT, "container " + r.containerId() + " is attached in namespace "
                        + s.namespace() + ", not " + r.netns());
            }
        }
        EndpointSpec endpoint = new EndpointSpec(null, null, List.of(), ports(r), 0, null,
                Map.of(EndpointDriverOptions.IFNAME, r.ifname()));
        if (existing.isPresent()) {
            controller.connect(r.network(), r.sandbox(), endpoint);
        } else {
            try {
                controller.createSandbox(new SandboxSpec(r.sandbox(), r.network(), endpoint, Path.of(r.netns())));
            } catch (WeftException.Conflict e) {
                // another ADD of this container (its other network) made the sandbox meanwhile: join it
                if (controller.sandbox(r.sandbox()).filter(s -> endpoint(s, r.network()).isEmpty()).isEmpty()) {
                    throw e;
                }
                controller.connect(r.network(), r.sandbox(), endpoint);
            }
        }
        SandboxInfo s = controller.sandbox(r.sandbox()).orElseThrow(() -> new CniError(CniError.WEFT_FAILED,
                "sandbox " + r.sandbox() + " went away during ADD"));
        EndpointInfo e = endpoint(s, r.network()).orElseThrow(() -> new CniError(CniError.WEFT_FAILED,
                "sandbox " + r.sandbox() + " is not on network " + r.network() + " after ADD"));
        return result(r.cniVersion(), r.netns(), network, s, e);
    }

    /** runtimeConfig.portMappings: [{hostPort, containerPort, protocol, hostIP}]. */
    static List<PortSpec> ports(CniRequest r) {
        JsonElement mappings = get(r.config(), "runtimeConfig", "portMappings");
        List<PortSpec> ports = new ArrayList<>();
        if (mappings == null) {
            return ports;
        }
        try {
            for (JsonElement m : mappings.getAsJsonArray()) {
                JsonObject o = m.getAsJsonObject();
                int host = o.get("hostPort").getAsInt();
                int container = o.get("containerPort").getAsInt();
                String protocol = o.has("protocol") ? o.get("protocol").getAsString().toLowerCase() : "tcp";
                String hostIp = o.has("hostIP") ? o.get("hostIP").getAsString() : "";
                InetAddress ip = hostIp.isEmpty() ? null : IpAddresses.parse(hostIp);
                ports.add(new PortSpec(ip, host, host, container, container, protocol));
            }
        } catch (RuntimeException e) {
            throw new CniError(CniError.INVALID_CONFIG, "runtimeConfig.portMappings is not [{hostPort, containerPort, protocol, hostIP}]",
                    String.valueOf(e.getMessage()));
        }
        return ports;
    }
}
