package dev.weft.cni.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.api.EndpointInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code cni:check}: the container is attached to the network in Weft, and in the kernel its
 * namespace has the interface up with its addresses (read with {@code nsenter --net=NETNS ip -o addr
 * show dev IFNAME}); with a prevResult, its addresses are the attachment's.
 */
@Service
@Command(scope = "cni", name = "check", description = "CNI CHECK for weft-cni: verifies an attachment in Weft and in the kernel")
public class CniCheck extends CniAction {

    @Override
    String command() {
        return "CHECK";
    }

    @Override
    JsonObject run(CniRequest r) {
        network(r);
        SandboxInfo s = controller.sandbox(r.sandbox()).orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER,
                "container " + r.containerId() + " is not attached by weft-cni"));
        EndpointInfo e = endpoint(s, r.network()).orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER,
                "container " + r.containerId() + " is not attached to network " + r.network()));
        if (!r.ifname().equals(e.interfaceName())) {
            throw new CniError(CniError.CHECK_FAILED, "container " + r.containerId() + " is attached to " + r.network()
                    + " as " + e.interfaceName() + ", not " + r.ifname());
        }
        List<String> expected = new ArrayList<>();
        for (InterfaceAddress a : new InterfaceAddress[] {e.ipv4(), e.ipv6()}) {
            if (a != null) {
                expected.add(IpAddresses.format(a.address()) + "/" + a.prefixLength());
            }
        }
        JsonElement prevIps = get(r.config(), "prevResult", "ips");
        if (prevIps != null && prevIps.isJsonArray()) {
            for (JsonElement ip : prevIps.getAsJsonArray()) {
                String address = CniRequest.string(ip.getAsJsonObject(), "address");
                if (!expected.contains(address)) {
                    throw new CniError(CniError.CHECK_FAILED, "prevResult address " + address + " is not the attachment's "
                            + expected);
                }
            }
        }
        String kernel = addresses(r.netns(), r.ifname());
        for (String address : expected) {
            if (!kernel.contains(" " + address + " ")) {
                throw new CniError(CniError.CHECK_FAILED, "interface " + r.ifname() + " in " + r.netns() + " lacks address "
                        + address, kernel.trim());
            }
        }
        return null;
    }

    /** {@code ip -o addr show dev IFNAME} in the namespace; a missing interface or namespace is a CHECK failure. */
    static String addresses(String netns, String ifname) {
        ProcessBuilder pb = new ProcessBuilder("nsenter", "--net=" + netns, "ip", "-o", "addr", "show", "dev", ifname)
                .redirectErrorStream(true);
        try {
            Process p = pb.start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniError(CniError.TRY_AGAIN_LATER, "reading " + r(netns, ifname) + " timed out");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new CniError(CniError.CHECK_FAILED, "interface " + r(netns, ifname) + " is not there", text.trim());
            }
            return text.replace("\\", " ").replaceAll("\\s+", " ") + " ";
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot run nsenter to read the namespace: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN_LATER, "interrupted");
        }
    }

    private static String r(String netns, String ifname) {
        return ifname + " in " + netns;
    }
}
