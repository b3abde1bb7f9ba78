package dev.weft.cni.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One CNI request as weft-cni hands it over: base64 of {@code {"command", "containerId", "netns",
 * "ifname", "args", "path", "config"}}, where config is the network configuration read on stdin,
 * as text (decoded here, so a malformed one is the spec's decode failure).
 */
record CniRequest(String command, String containerId, String netns, String ifname, Map<String, String> args,
                  JsonObject config, String cniVersion, String network) {

    /** The versions whose result shape Weft writes (the 1.x result: ips with interface, no version). */
    static final List<String> SUPPORTED_VERSIONS = List.of("1.0.0", "1.1.0");

    static CniRequest decode(String argument) {
        JsonObject request;
        try {
            String text = new String(Base64.getDecoder().decode(argument.trim()), StandardCharsets.UTF_8);
            request = JsonParser.parseString(text).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new CniError(CniError.DECODE_FAILURE, "cannot decode the request from weft-cni", String.valueOf(e.getMessage()));
        }
        JsonObject config;
        try {
            JsonElement parsed = JsonParser.parseString(string(request, "config"));
            if (!parsed.isJsonObject()) {
                throw new IllegalStateException("the network configuration is not a JSON object");
            }
            config = parsed.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new CniError(CniError.DECODE_FAILURE, "cannot decode the network configuration on stdin", String.valueOf(e.getMessage()));
        }
        String command = string(request, "command");
        String version = string(config, "cniVersion");
        if (version.isEmpty()) {
            throw new CniError(CniError.INVALID_CONFIG, "the network configuration has no cniVersion");
        }
        if (!SUPPORTED_VERSIONS.contains(version)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "cniVersion " + version + " is not supported by weft-cni",
                    "supported: " + String.join(", ", SUPPORTED_VERSIONS));
        }
        if ((command.equals("GC") || command.equals("STATUS")) && version.equals("1.0.0")) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, command + " needs cniVersion 1.1.0, the configuration has " + version);
        }
        String network = string(config, "network");
        if (network.isEmpty()) {
            network = string(config, "name");
        }
        if (network.isEmpty()) {
            throw new CniError(CniError.INVALID_CONFIG, "the network configuration names no Weft network (key \"network\", or \"name\")");
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (String pair : string(request, "args").split(";")) {
            int eq = pair.indexOf('=');
            if (!pair.isEmpty()) {
                if (eq <= 0) {
                    throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_ARGS is not KEY=VALUE;...: " + pair);
                }
                args.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        CniRequest r = new CniRequest(command, string(request, "containerId"), string(request, "netns"),
                string(request, "ifname"), args, config, version, network);
        r.checkEnvironment();
        return r;
    }

    /** The spec's required variables per operation; a missing one is error 4. */
    private void checkEnvironment() {
        switch (command) {
            case "ADD" -> require("CNI_CONTAINERID", containerId, "CNI_NETNS", netns, "CNI_IFNAME", ifname);
            case "DEL" -> require("CNI_CONTAINERID", containerId, "CNI_IFNAME", ifname);
            case "CHECK" -> require("CNI_CONTAINERID", containerId, "CNI_NETNS", netns, "CNI_IFNAME", ifname);
            case "GC", "STATUS" -> { }
            default -> throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_COMMAND " + command + " is not one of ADD, DEL, CHECK, GC, STATUS, VERSION");
        }
        if (!containerId.isEmpty() && !containerId.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*")) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_CONTAINERID " + containerId + " is not alphanumeric with _ . -");
        }
        if (!netns.isEmpty() && !netns.startsWith("/")) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS " + netns + " is not an absolute path");
        }
    }

    private static void require(String... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1].isEmpty()) {
                throw new CniError(CniError.INVALID_ENVIRONMENT, namesAndValues[i] + " is not set");
            }
        }
    }

    /**
     * The Weft sandbox that stands for a container: {@code cni-CONTAINERID}; an id too long for a
     * sandbox name (at most 64 characters; runtimes use 64 hex digits) is cut to its first 47
     * characters plus 12 hex digits of its SHA-256.
     */
    static String sandboxName(String containerId) {
        String name = "cni-" + containerId;
        if (name.length() <= 64) {
            return name;
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(containerId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "cni-" + containerId.substring(0, 47) + "-" + java.util.HexFormat.of().formatHex(hash).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String sandbox() {
        return sandboxName(containerId);
    }

    static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }
}
