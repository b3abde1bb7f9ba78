package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.api.DriverInfo;
import dev.weft.api.SandboxInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListCommandsTest {
    private final FakeController controller = new FakeController();

    @Test
    void networkListIsDockersTableSortedByNameWithAvailability() throws Exception {
        controller.networks.add(Fixtures.network("f".repeat(64), "red", "macvlan", false));
        controller.networks.add(Fixtures.network(Fixtures.NET_ID, "blue", "bridge", true));
        ListNetworks c = new ListNetworks();
        c.controller = controller;
        assertEquals("""
                NETWORK ID     NAME   DRIVER    SCOPE   AVAILABLE
                0123456789ab   blue   bridge    local   yes
                ffffffffffff   red    macvlan   local   no
                """, Commands.run(c));
    }

    @Test
    void networkListQuietPrintsShortIdsOrFullOnes() throws Exception {
        controller.networks.add(Fixtures.network(Fixtures.NET_ID, "blue", "bridge", true));
        ListNetworks c = new ListNetworks.Ls();
        c.controller = controller;
        c.quiet = true;
        assertEquals("0123456789ab\n", Commands.run(c));
        c.noTrunc = true;
        assertEquals(Fixtures.NET_ID + "\n", Commands.run(c));
    }

    @Test
    void emptyListIsTheHeaderOnly() throws Exception {
        ListNetworks c = new ListNetworks();
        c.controller = controller;
        assertEquals("NETWORK ID   NAME   DRIVER   SCOPE   AVAILABLE\n", Commands.run(c));
    }

    @Test
    void sandboxListShowsNetworksAndPortsLikeDockerPs() throws Exception {
        controller.sandboxes.add(Fixtures.web());
        controller.sandboxes.add(Fixtures.sandbox("d".repeat(64), "db"));
        ListSandboxes c = new ListSandboxes();
        c.controller = controller;
        assertEquals("""
                NAME   ID             NAMESPACE        NETWORKS   PORTS
                db     dddddddddddd   /run/netns/db
                web    fedcba987654   /run/netns/web   blue       0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp
                """, Commands.run(c));
    }

    @Test
    void aSharerShowsWhoseNamespaceItUses() throws Exception {
        controller.sandboxes.add(new SandboxInfo("a".repeat(64), "app", java.nio.file.Path.of("/run/netns/app"),
                SandboxInfo.Mode.SHARED, FakeController.CREATED, List.of(), "container:web", List.of()));
        ListSandboxes c = new ListSandboxes();
        c.controller = controller;
        assertEquals("""
                NAME   ID             NAMESPACE        NETWORKS        PORTS
                app    aaaaaaaaaaaa   /run/netns/app   container:web
                """, Commands.run(c));
    }

    @Test
    void driverListShowsBundleVersionNetworksAndAvailability() throws Exception {
        controller.drivers.add(new DriverInfo("macvlan", "local", "dev.weft.driver-macvlan", "0.1.0.SNAPSHOT", false,
                List.of("lan")));
        controller.drivers.add(new DriverInfo("bridge", "local", "dev.weft.driver-bridge", "0.1.0.SNAPSHOT", true,
                List.of("blue", "red")));
        controller.drivers.add(new DriverInfo("null", "local", "dev.weft.driver-null", "0.1.0.SNAPSHOT", true, List.of()));
        ListDrivers c = new ListDrivers.Ls();
        c.controller = controller;
        assertEquals("""
                NAME      SCOPE   BUNDLE                    VERSION          NETWORKS   AVAILABLE
                bridge    local   dev.weft.driver-bridge    0.1.0.SNAPSHOT   blue,red   yes
                macvlan   local   dev.weft.driver-macvlan   0.1.0.SNAPSHOT   lan        no
                null      local   dev.weft.driver-null      0.1.0.SNAPSHOT   -          yes
                """, Commands.run(c));
    }

    @Test
    void driverListWithIpamListsTheIpamDrivers() throws Exception {
        controller.ipamDrivers.add(new DriverInfo("null", "local", "dev.weft.core", "0.1.0.SNAPSHOT", true, List.of()));
        controller.ipamDrivers.add(new DriverInfo("default", "local", "dev.weft.core", "0.1.0.SNAPSHOT", true,
                List.of("bridge")));
        controller.ipamDrivers.add(new DriverInfo("fixed", "local", "dev.weft.ipam-sample", "", false, List.of("lab")));
        ListDrivers c = new ListDrivers();
        c.controller = controller;
        c.ipam = true;
        assertEquals("""
                NAME      SCOPE   BUNDLE                 VERSION          NETWORKS   AVAILABLE
                default   local   dev.weft.core          0.1.0.SNAPSHOT   bridge     yes
                fixed     local   dev.weft.ipam-sample                    lab        no
                null      local   dev.weft.core          0.1.0.SNAPSHOT   -          yes
                """, Commands.run(c));
        assertEquals(List.of("ipamDrivers"), controller.calls);
    }

    @Test
    void tableCellsStayOnOneLine() {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        new Table("A", "B").row("x\ny", null).print(new java.io.PrintStream(buf, true));
        assertEquals("A     B\nx y\n", buf.toString());
    }
}
