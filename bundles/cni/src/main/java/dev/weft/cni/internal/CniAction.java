package dev.weft.cni.internal;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SubnetInfo;
import dev.weft.api.WeftException;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;

/**
 * What the cni commands share: the request argument, the result or error JSON on stdout, and the
 * mapping of Weft's refusals to CNI codes. An error prints the spec's error JSON and ends the
 * command with status 1 (weft-cni passes the JSON on and exits 1).
 */
abstract class CniAction implements Action {

    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    @Reference
    Controller controller;

    @Argument(index = 0, name = "request", required = true,
            description = "The CNI request as weft-cni sends it: base64 of {command, containerId, netns, ifname, args, path, config}")
    String request;

    /** Where output goes; null means System.out (Karaf's per-session stream). Tests set it. */
    PrintStream out;

    @Override
    public final Object execute() throws Exception {
        PrintStream o = out != null ? out : System.out;
        String version = "1.1.0";
        try {
            CniRequest r = CniRequest.decode(request);
            version = r.cniVersion();
            if (!r.command().equals(command())) {
                throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_COMMAND " + r.command() + " sent to cni:" + command().toLowerCase());
            }
            JsonObject result = run(r);
            if (result != null) {
                o.println(GSON.toJson(result));
            }
            return null;
        } catch (CniError e) {
            o.println(GSON.toJson(error(version, e)));
            throw new CommandException(e.getMessage(), e);
        } catch (WeftException e) {
            CniError c = fromWeft(e);
            o.println(GSON.toJson(error(version, c)));
            throw new CommandException(c.getMessage(), e);
        }
    }

    /** ADD, DEL, CHECK, GC or STATUS. */
    abstract String command();

    /** The result to print, or null for none (DEL, CHECK, GC, STATUS print nothing on success). */
    abstract JsonObject run(CniRequest r);

    static JsonObject error(String version, CniError e) {
        JsonObject o = new JsonObject();
        o.addProperty("cniVersion", version);
        o.addProperty("code", e.code);
        o.addProperty("msg", e.getMessage());
        if (!e.details.isEmpty()) {
            o.addProperty("details", e.details);
        }
        return o;
    }

    static CniError fromWeft(WeftException e) {
        if (e instanceof WeftException.Unavailable) {
            return new CniError(CniError.TRY_AGAIN_LATER, "Weft cannot do it now: " + e.getMessage());
        }
        if (e instanceof WeftException.InvalidRequest) {
            return new CniError(CniError.INVALID_CONFIG, "Weft refused the request: " + e.getMessage());
        }
        return new CniError(CniError.WEFT_FAILED, "Weft: " + e.getMessage());
    }

    NetworkInfo network(CniRequest r) {
        return controller.network(r.network()).orElseThrow(() -> new CniError(CniError.INVALID_CONFIG,
                "there is no Weft network \"" + r.network() + "\" (create it with ./weft network:create)"));
    }

    /** The container's endpoint on the request's network, if it is attached there. */
    static Optional<EndpointInfo> endpoint(SandboxInfo sandbox, String network) {
        return sandbox.endpoints().stream().filter(e -> e.network().equals(network)).findFirst();
    }

    /** The CNI 1.x result of an attachment: its interface in the container, addresses, routes, dns. */
    static JsonObject result(String version, String netns, NetworkInfo network, SandboxInfo sandbox, EndpointInfo e) {
        JsonObject result = new JsonObject();
        result.addProperty("cniVersion", version);
        JsonArray interfaces = new JsonArray();
        JsonObject itf = new JsonObject();
        itf.addProperty("name", e.interfaceName());
        if (e.mac() != null) {
            itf.addProperty("mac", e.mac().toString());
        }
        itf.addProperty("sandbox", netns);
        interfaces.add(itf);
        result.add("interfaces", interfaces);
        JsonArray ips = new JsonArray();
        JsonArray routes = new JsonArray();
        for (InterfaceAddress a : new InterfaceAddress[] {e.ipv4(), e.ipv6()}) {
            if (a == null) {
                continue;
            }
            JsonObject ip = new JsonObject();
            ip.addProperty("address", IpAddresses.format(a.address()) + "/" + a.prefixLength());
            InetAddress gateway = gateway(network, a.address());
            if (gateway != null) {
                ip.addProperty("gateway", IpAddresses.format(gateway));
            }
            ip.addProperty("interface", 0);
            ips.add(ip);
            boolean isDefault = a.isIpv4() ? e.defaultRoute4() : e.defaultRoute6();
            if (gateway != null && isDefault) {
                JsonObject route = new JsonObject();
                route.addProperty("dst", a.isIpv4() ? "0.0.0.0/0" : "::/0");
                route.addProperty("gw", IpAddresses.format(gateway));
                routes.add(route);
            }
        }
        result.add("ips", ips);
        result.add("routes", routes);
        JsonObject dns = new JsonObject();
        if (sandbox.dns() != null && !sandbox.dns().servers().isEmpty()) {
            JsonArray servers = new JsonArray();
            sandbox.dns().servers().forEach(s -> servers.add(IpAddresses.format(s)));
            dns.add("nameservers", servers);
        }
        if (sandbox.dns() != null && !sandbox.dns().search().isEmpty()) {
            JsonArray search = new JsonArray();
            sandbox.dns().search().forEach(search::add);
            dns.add("search", search);
        }
        result.add("dns", dns);
        return result;
    }

    static InetAddress gateway(NetworkInfo network, InetAddress address) {
        for (SubnetInfo s : network.subnets()) {
            if (s.gateway() != null && s.subnet().contains(address)) {
                return s.gateway();
            }
        }
        return null;
    }

    static JsonElement get(JsonObject o, String... path) {
        JsonElement e = o;
        for (String key : path) {
            if (e == null || !e.isJsonObject()) {
                return null;
            }
            e = e.getAsJsonObject().get(key);
        }
        return e == null || e.isJsonNull() ? null : e;
    }
}
