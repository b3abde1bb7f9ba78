package dev.weft.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.Controller;
import dev.weft.api.DnsSettings;
import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetInfo;
import dev.weft.api.WeftException;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;

/** The cni:* commands without Karaf or root: a fake Controller that keeps sandboxes in a map. */
class CniCommandsTest {

    /** The part of Controller the commands use, over a map of sandboxes on one bridge-like network. */
    static final class Fake {
        final Map<String, SandboxInfo> sandboxes = new LinkedHashMap<>();
        final List<String> calls = new ArrayList<>();
        final NetworkInfo network = new NetworkInfo("n1", "net", "bridge", "local", Instant.EPOCH, false, false, false, true,
                List.of(new SubnetInfo(IpPrefix.parse("10.9.0.0/24"), null, IpAddresses.parse("10.9.0.1"), Map.of())),
                Map.of(), Map.of(), List.of(), null, null, true, null, null);
        int next = 2;
        /** Plays a concurrent ADD of the same container: the sandbox appears (on "other") just as this one creates it. */
        boolean raceOnCreate;

        EndpointInfo endpoint(String sandbox, EndpointSpec spec) {
            return new EndpointInfo("e" + next, "net", "n1", sandbox, sandbox, spec.interfaceName(),
                    MacAddress.parse("02:42:0a:09:00:0" + next), InterfaceAddress.parse("10.9.0." + next++ + "/24"), null,
                    List.of(), List.of(), 0, true, false, Map.of(), List.of(), Map.of());
        }

        Controller controller() {
            return (Controller) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Controller.class},
                    (proxy, m, a) -> {
                        calls.add(m.getName());
                        switch (m.getName()) {
                            case "network":
                                return a[0].equals("net") ? Optional.of(network) : Optional.empty();
                            case "sandbox":
                                return Optional.ofNullable(sandboxes.get((String) a[0]));
                            case "sandboxes":
                                return List.copyOf(sandboxes.values());
                            case "connect": {
                                SandboxInfo s = sandboxes.get((String) a[1]);
                                List<EndpointInfo> endpoints = new ArrayList<>(s.endpoints());
                                endpoints.add(endpoint(s.name(), (EndpointSpec) a[2]));
                                sandboxes.put(s.name(), new SandboxInfo(s.id(), s.name(), s.namespace(), s.mode(), s.created(),
                                        endpoints, s.networkMode(), List.of()));
                                return endpoints.get(endpoints.size() - 1);
                            }
                            case "createSandbox": {
                                SandboxSpec s = (SandboxSpec) a[0];
                                if (raceOnCreate) {
                                    raceOnCreate = false;
                                    EndpointInfo other = endpoint(s.name(), s.endpoint());
                                    other = new EndpointInfo(other.id(), "other", "n2", s.name(), s.name(), "eth1", other.mac(),
                                            other.ipv4(), null, List.of(), List.of(), 0, false, false, Map.of(), List.of(), Map.of());
                                    sandboxes.put(s.name(), new SandboxInfo(s.name(), s.name(), s.namespace(), SandboxInfo.Mode.ADOPTED,
                                            Instant.EPOCH, List.of(other), "other", List.of(), s.name(), DnsSettings.NONE, List.of()));
                                    throw new WeftException.Conflict("sandbox " + s.name() + " already exists");
                                }
                                sandboxes.put(s.name(), new SandboxInfo(s.name(), s.name(), s.namespace(), SandboxInfo.Mode.ADOPTED,
                                        Instant.EPOCH, List.of(endpoint(s.name(), s.endpoint())), s.network(), List.of(), s.name(),
                                        DnsSettings.NONE, List.of()));
                                return sandboxes.get(s.name());
                            }
                            case "disconnect": {
                                SandboxInfo s = sandboxes.get((String) a[1]);
                                sandboxes.put(s.name(), new SandboxInfo(s.id(), s.name(), s.namespace(), s.mode(), s.created(),
                                        List.of(), s.networkMode(), List.of()));
                                return null;
                            }
                            case "removeSandbox":
                                if (sandboxes.remove((String) a[0]) == null) {
                                    throw new WeftException.NotFound("sandbox " + a[0] + " not found");
                                }
                                return null;
                            default:
                                throw new UnsupportedOperationException(m.getName());
                        }
                    });
        }
    }

    static String request(String command, String containerId, String netns, String config) {
        JsonObject r = new JsonObject();
        r.addProperty("command", command);
        r.addProperty("containerId", containerId);
        r.addProperty("netns", netns);
        r.addProperty("ifname", "eth0");
        r.addProperty("args", "IgnoreUnknown=1");
        r.addProperty("path", "/opt/cni/bin");
        r.addProperty("config", config);
        return Base64.getEncoder().encodeToString(r.toString().getBytes(StandardCharsets.UTF_8));
    }

    static final String CONFIG = "{\"cniVersion\":\"1.1.0\",\"name\":\"net\",\"type\":\"weft-cni\","
            + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}}";

    /** Runs the command; returns {exit (0 or 1), stdout}. */
    static String[] run(CniAction action, Fake fake, String request) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        action.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        action.controller = fake.controller();
        action.request = request;
        String exit = "0";
        try {
            action.execute();
        } catch (CommandException e) {
            exit = "1";
        }
        return new String[] {exit, bytes.toString(StandardCharsets.UTF_8)};
    }

    static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    @Test
    void addCreatesAnAdoptedSandboxAndPrintsASpecResult() throws Exception {
        Fake fake = new Fake();
        String[] r = run(new CniAdd(), fake, request("ADD", "c1", "/var/run/netns/c1", CONFIG));
        assertEquals("0", r[0], r[1]);
        JsonObject result = json(r[1]);
        assertEquals("1.1.0", result.get("cniVersion").getAsString());
        JsonObject itf = result.getAsJsonArray("interfaces").get(0).getAsJsonObject();
        assertEquals("eth0", itf.get("name").getAsString());
        assertEquals("/var/run/netns/c1", itf.get("sandbox").getAsString());
        JsonObject ip = result.getAsJsonArray("ips").get(0).getAsJsonObject();
        assertEquals("10.9.0.2/24", ip.get("address").getAsString());
        assertEquals("10.9.0.1", ip.get("gateway").getAsString());
        assertEquals(0, ip.get("interface").getAsInt());
        assertEquals("0.0.0.0/0", result.getAsJsonArray("routes").get(0).getAsJsonObject().get("dst").getAsString());
        SandboxInfo s = fake.sandboxes.get("cni-c1");
        assertEquals(Path.of("/var/run/netns/c1"), s.namespace());
    }

    @Test
    void anAddThatLosesTheRaceToCreateTheSandboxJoinsIt() throws Exception {
        Fake fake = new Fake();
        fake.raceOnCreate = true;
        String[] r = run(new CniAdd(), fake, request("ADD", "c1", "/x", CONFIG));
        assertEquals("0", r[0], r[1]);
        assertEquals(List.of("other", "net"), fake.sandboxes.get("cni-c1").endpoints().stream().map(EndpointInfo::network).toList());
    }

    @Test
    void portMappingsBecomePublishedPorts() {
        CniRequest r = CniRequest.decode(request("ADD", "c1", "/x", CONFIG));
        var ports = CniAdd.ports(r);
        assertEquals(1, ports.size());
        assertEquals(8080, ports.get(0).hostPort());
        assertEquals(80, ports.get(0).containerPort());
        assertEquals("tcp", ports.get(0).protocol());
    }

    @Test
    void aSecondAddIsRefusedAndDelIsIdempotent() throws Exception {
        Fake fake = new Fake();
        run(new CniAdd(), fake, request("ADD", "c1", "/x", CONFIG));
        String[] again = run(new CniAdd(), fake, request("ADD", "c1", "/x", CONFIG));
        assertEquals("1", again[0]);
        assertEquals(CniError.ALREADY_ATTACHED, json(again[1]).get("code").getAsInt());
        for (int i = 0; i < 2; i++) {
            String[] del = run(new CniDel(), fake, request("DEL", "c1", "/x", CONFIG));
            assertEquals("0", del[0], del[1]);
            assertEquals("", del[1]);
        }
        assertFalse(fake.sandboxes.containsKey("cni-c1"));
        assertEquals("0", run(new CniDel(), fake, request("DEL", "unknown", "", CONFIG))[0]);
    }

    @Test
    void gcKeepsValidAttachmentsOnly() throws Exception {
        Fake fake = new Fake();
        run(new CniAdd(), fake, request("ADD", "keep", "/x", CONFIG));
        run(new CniAdd(), fake, request("ADD", "drop", "/y", CONFIG));
        String gc = CONFIG.replace("}}", "},\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]}");
        assertEquals("0", run(new CniGc(), fake, request("GC", "", "", gc))[0]);
        assertTrue(fake.sandboxes.containsKey("cni-keep"));
        assertFalse(fake.sandboxes.containsKey("cni-drop"));
    }

    @Test
    void statusAndCheckOfUnknownThings() throws Exception {
        Fake fake = new Fake();
        assertEquals("0", run(new CniStatus(), fake, request("STATUS", "", "", CONFIG))[0]);
        String[] missing = run(new CniStatus(), fake, request("STATUS", "", "", CONFIG.replace("\"net\"", "\"other\"")));
        assertEquals(CniError.NOT_AVAILABLE, json(missing[1]).get("code").getAsInt());
        String[] check = run(new CniCheck(), fake, request("CHECK", "nobody", "/x", CONFIG));
        assertEquals(CniError.UNKNOWN_CONTAINER, json(check[1]).get("code").getAsInt());
    }

    @Test
    void aRuntimesLongIdGetsASandboxNameOfAtMost64Characters() {
        String id = "526a2c42426ed1f9bc1c114280fada66d3924d1bb0b6cf8a38987a3899f2d335";
        String name = CniRequest.sandboxName(id);
        assertEquals(64, name.length(), name);
        assertTrue(name.startsWith("cni-526a2c42"), name);
        assertFalse(name.equals(CniRequest.sandboxName(id.replace('5', '6'))));
        assertEquals("cni-short", CniRequest.sandboxName("short"));
    }

    @Test
    void badRequestsGetTheSpecsCodes() {
        assertEquals(CniError.DECODE_FAILURE, assertThrows(CniError.class, () -> CniRequest.decode("!!")).code);
        assertEquals(CniError.DECODE_FAILURE,
                assertThrows(CniError.class, () -> CniRequest.decode(request("ADD", "c", "/x", "{oops"))).code);
        assertEquals(CniError.INCOMPATIBLE_VERSION, assertThrows(CniError.class,
                () -> CniRequest.decode(request("ADD", "c", "/x", CONFIG.replace("1.1.0", "0.4.0")))).code);
        assertEquals(CniError.INCOMPATIBLE_VERSION, assertThrows(CniError.class,
                () -> CniRequest.decode(request("GC", "", "", CONFIG.replace("1.1.0", "1.0.0")))).code);
        assertEquals(CniError.INVALID_ENVIRONMENT,
                assertThrows(CniError.class, () -> CniRequest.decode(request("ADD", "c", "", CONFIG))).code);
        assertEquals(CniError.INVALID_ENVIRONMENT,
                assertThrows(CniError.class, () -> CniRequest.decode(request("ADD", "c/../x", "/x", CONFIG))).code);
        assertEquals(CniError.INVALID_CONFIG, assertThrows(CniError.class,
                () -> CniRequest.decode(request("ADD", "c", "/x", "{\"cniVersion\":\"1.1.0\"}"))).code);
        assertEquals("c", CniRequest.decode(request("DEL", "c", "", CONFIG)).containerId());
    }
}
