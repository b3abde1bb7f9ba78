package dev.weft.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records' files as this version writes them, without root: records hand-written in the shape
 * the store writes load, and are written back as exactly the same text. (Typing the records, step 7
 * of the SPI issue, must not change a byte of it.)
 */
class StoreFormatTest {
    @TempDir
    Path tmp;

    /** A dual-stack network: an ip-range, an aux address, a link-local gateway. */
    static final String NETWORK = """
            {
              "id": "f03b683dce63a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a",
              "name": "blue",
              "driver": "bridge",
              "driverBundle": "dev.weft.driver-bridge",
              "state": "READY",
              "created": "2025-01-02T03:04:05.123456789Z",
              "ipv6": true,
              "internal": false,
              "predefined": false,
              "subnets": [
                {
                  "pool": "local/10.1.0.0/24/10.1.0.128/25",
                  "subnet": "10.1.0.0/24",
                  "ipRange": "10.1.0.128/25",
                  "gateway": "10.1.0.1",
                  "aux": {
                    "router": "10.1.0.2"
                  }
                },
                {
                  "pool": "local/fd42:1:2::/64",
                  "subnet": "fd42:1:2::/64",
                  "gateway": "fe80::1",
                  "aux": {}
                }
              ],
              "options": {
                "com.docker.network.bridge.name": "br-blue"
              },
              "labels": {},
              "mode": "OWN_NAMESPACE",
              "sandboxDefault": false,
              "ipam": {
                "driver": "default",
                "bundle": "dev.weft.core",
                "options": {}
              }
            }""";

    /** Its endpoint with published ports, one on every address, one on [::1]. */
    static final String ENDPOINT = """
            {
              "id": "0efefbe43a6390dc3053514bacf7fff9d049134a6d395c372d93e360dcdaf446",
              "network": "f03b683dce63a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a",
              "sandbox": "5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d",
              "state": "READY",
              "interfaceName": "eth0",
              "ipv4": "10.1.0.130/24",
              "ipv6": "fd42:1:2::2/64",
              "mac": "02:42:0a:01:00:82",
              "defaultRoute": true,
              "aliases": [
                "web"
              ],
              "ports": [
                {
                  "protocol": "tcp",
                  "hostPort": 8080,
                  "containerPort": 80
                },
                {
                  "protocol": "udp",
                  "hostIp": "::1",
                  "hostPort": 5353,
                  "containerPort": 53
                }
              ]
            }""";

    /** Its sandbox. */
    static final String SANDBOX = """
            {
              "id": "5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b5a4d",
              "name": "web",
              "namespace": "/run/netns/web",
              "device": 4,
              "inode": 4026532301,
              "mode": "CREATED",
              "state": "READY",
              "created": "2025-01-02T03:04:06Z",
              "endpoints": [
                "0efefbe43a6390dc3053514bacf7fff9d049134a6d395c372d93e360dcdaf446"
              ]
            }""";

    @Test
    void aRecordIsWrittenBackAsTheTextItWasReadFrom() throws IOException {
        Path state = tmp.resolve("state"), run = tmp.resolve("run");
        Files.createDirectories(state.resolve("networks"));
        Files.createDirectories(run.resolve("endpoints"));
        Files.createDirectories(run.resolve("sandboxes"));
        Files.writeString(state.resolve("networks/n.json"), NETWORK);
        Files.writeString(run.resolve("endpoints/e.json"), ENDPOINT);
        Files.writeString(run.resolve("sandboxes/s.json"), SANDBOX);
        Store store = new Store(state, run);
        List<String> problems = new ArrayList<>();
        NetworkRecord n = store.networks(problems::add).get(0);
        EndpointRecord e = store.endpoints(problems::add).get(0);
        SandboxRecord s = store.sandboxes(problems::add).get(0);
        assertEquals(List.of(), problems);
        store.put(n);
        store.put(e);
        store.put(s);
        assertEquals(NETWORK, Files.readString(state.resolve("networks/" + n.id() + ".json")));
        assertEquals(ENDPOINT, Files.readString(run.resolve("endpoints/" + e.id() + ".json")));
        assertEquals(SANDBOX, Files.readString(run.resolve("sandboxes/" + s.id() + ".json")));
    }
}
