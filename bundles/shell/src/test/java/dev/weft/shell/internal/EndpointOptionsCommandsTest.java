package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.api.EndpointSpec;
import dev.weft.api.WeftException;
import dev.weft.net.MacAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --mac-address} and {@code --driver-opt} on {@code sandbox:create} and {@code network:connect}:
 * passed as given, and every malformed value refused before the controller is called.
 */
class EndpointOptionsCommandsTest {
    private static final String IFNAME = "com.docker.network.endpoint.ifname";
    private static final String SYSCTLS = "com.docker.network.endpoint.sysctls";
    private static final String ACCEPTED = "expected comma-separated KEY=VALUE entries whose key is "
            + "net.ipv4.conf.IFNAME.NAME, net.ipv6.conf.IFNAME.NAME or net.mpls.conf.IFNAME.NAME (IFNAME literally: it "
            + "stands for the interface's name), e.g. com.docker.network.endpoint.sysctls="
            + "net.ipv4.conf.IFNAME.log_martians=1,net.ipv6.conf.IFNAME.accept_ra=0";

    private final FakeController controller = new FakeController();

    private CreateSandbox create(String mac, String... driverOpts) {
        CreateSandbox c = new CreateSandbox();
        c.controller = controller;
        c.name = "web";
        c.network = "blue";
        c.macAddress = mac;
        c.driverOpts = List.of(driverOpts);
        return c;
    }

    private ConnectNetwork connect(String mac, String... driverOpts) {
        ConnectNetwork c = new ConnectNetwork();
        c.controller = controller;
        c.network = "green";
        c.sandbox = "web";
        c.macAddress = mac;
        c.driverOpts = List.of(driverOpts);
        return c;
    }

    /** The command fails with {@code message} as an invalid request and calls nothing. */
    private void refused(String message, Commands.Failure f) {
        assertEquals(message, f.message());
        assertInstanceOf(WeftException.InvalidRequest.class, f.cause());
        assertEquals(List.of(), controller.calls);
    }

    @Test
    void macAndDriverOptionsArePassedOnCreateAndConnect() throws Exception {
        Commands.run(create("02:42:AC:11:00:02", IFNAME + "=web0",
                SYSCTLS + "=net.ipv4.conf.IFNAME.log_martians=1,net.ipv6.conf.IFNAME.accept_ra=0", "gw=x"));
        EndpointSpec e = controller.sandboxSpec.endpoint();
        assertEquals(MacAddress.parse("02:42:ac:11:00:02"), e.mac());
        assertEquals("web0", e.interfaceName());
        assertEquals(List.of(IFNAME, SYSCTLS, "gw"), List.copyOf(e.driverOptions().keySet()), "in the order given");

        ConnectNetwork c = connect("0a:00:00:00:00:01", IFNAME + "=back");
        c.gwPriority = "5";
        Commands.run(c);
        assertEquals(MacAddress.parse("0a:00:00:00:00:01"), controller.endpointSpec.mac());
        assertEquals(Map.of(IFNAME, "back"), controller.endpointSpec.driverOptions());
        assertEquals(5, controller.endpointSpec.gwPriority(), "with the new options");

        Commands.run(connect(null));
        assertNull(controller.endpointSpec.mac(), "the driver's choice");
        assertEquals(Map.of(), controller.endpointSpec.driverOptions());
    }

    @Test
    void theLongNetworkFormTakesTheMacOnce() throws Exception {
        CreateSandbox c = create(null);
        c.network = "name=blue,mac-address=02:00:00:00:00:07";
        Commands.run(c);
        assertEquals(MacAddress.parse("02:00:00:00:00:07"), controller.sandboxSpec.endpoint().mac());
        CreateSandbox twice = create("02:00:00:00:00:08");
        twice.network = "name=blue,mac-address=02:00:00:00:00:07";
        assertEquals("--network name=blue,mac-address=02:00:00:00:00:07: mac-address is also given as --mac-address; "
                + "give it once", Commands.fail(twice).message());
    }

    @Test
    void aMulticastMacIsRefused() {
        refused("--mac-address 01:00:5e:00:00:01: a multicast MAC cannot be an interface's address (the lowest bit of "
                + "the first octet is set); expected a unicast address like 02:42:ac:11:00:02",
                Commands.fail(create("01:00:5e:00:00:01")));
        refused("--mac-address ff:ff:ff:ff:ff:ff: a multicast MAC cannot be an interface's address (the lowest bit of "
                + "the first octet is set); expected a unicast address like 02:42:ac:11:00:02",
                Commands.fail(connect("ff:ff:ff:ff:ff:ff")));
    }

    @Test
    void aMalformedOrZeroMacIsRefused() {
        refused("--mac-address 02:42:ac:11:00: not a MAC address; expected six hex pairs like 02:42:ac:11:00:02",
                Commands.fail(create("02:42:ac:11:00")));
        refused("--mac-address 02-42-ac-11-00-02: not a MAC address; expected six hex pairs like 02:42:ac:11:00:02",
                Commands.fail(connect("02-42-ac-11-00-02")));
        refused("--mac-address 00:00:00:00:00:00: the all-zeros MAC cannot be an interface's address; expected a "
                + "unicast address like 02:42:ac:11:00:02", Commands.fail(create("00:00:00:00:00:00")));
    }

    @Test
    void aBadInterfaceNameIsRefused() {
        refused("driver option " + IFNAME + "=a/b: an interface name has no '/', ':', whitespace or control characters; "
                + "expected a name like eth0 or web0", Commands.fail(create(null, IFNAME + "=a/b")));
        refused("driver option " + IFNAME + "=eth 1: an interface name has no '/', ':', whitespace or control "
                + "characters; expected a name like eth0 or web0", Commands.fail(connect(null, IFNAME + "=eth 1")));
        refused("driver option " + IFNAME + "=eth0:1: an interface name has no '/', ':', whitespace or control "
                + "characters; expected a name like eth0 or web0", Commands.fail(connect(null, IFNAME + "=eth0:1")));
        refused("driver option " + IFNAME + "=abcdefghijklmnop: an interface name has 1-15 characters, not 16; "
                + "expected a name like eth0 or web0", Commands.fail(create(null, IFNAME + "=abcdefghijklmnop")));
        refused("driver option " + IFNAME + "=: an interface name has 1-15 characters, not 0; expected a name like "
                + "eth0 or web0", Commands.fail(create(null, IFNAME + "=")));
        refused("driver option " + IFNAME + "=..: \"..\" cannot name an interface; expected a name like eth0 or web0",
                Commands.fail(create(null, IFNAME + "=..")));
    }

    @Test
    void aSysctlOutsideTheInterfacesTreeIsRefused() {
        refused("driver option " + SYSCTLS + ": entry \"net.ipv4.ip_forward=1\" is not a sysctl of the endpoint's "
                + "interface; " + ACCEPTED, Commands.fail(create(null, SYSCTLS + "=net.ipv4.ip_forward=1")));
        refused("driver option " + SYSCTLS + ": entry \"net.ipv4.conf.eth1.forwarding=1\" is not a sysctl of the "
                + "endpoint's interface; " + ACCEPTED,
                Commands.fail(connect(null, SYSCTLS + "=net.ipv4.conf.IFNAME.forwarding=1,net.ipv4.conf.eth1.forwarding=1")));
        refused("driver option " + SYSCTLS + ": entry \"net.ipv4.conf.all.forwarding=1\" is not a sysctl of the "
                + "endpoint's interface; " + ACCEPTED,
                Commands.fail(connect(null, SYSCTLS + "=net.ipv4.conf.all.forwarding=1")));
        refused("driver option " + SYSCTLS + ": entry \"kernel.shmmax=1\" is not a sysctl of the endpoint's "
                + "interface; " + ACCEPTED, Commands.fail(connect(null, SYSCTLS + "=kernel.shmmax=1")));
        refused("driver option " + SYSCTLS + ": entry \"net.ipv4.conf.IFNAME.../../ip_forward=1\": \"../../ip_forward\" "
                + "is not a sysctl's name (letters, digits, '_' or '-'); " + ACCEPTED,
                Commands.fail(create(null, SYSCTLS + "=net.ipv4.conf.IFNAME.../../ip_forward=1")));
    }

    @Test
    void aMalformedSysctlListIsRefused() {
        refused("driver option " + SYSCTLS + ": entry \"net.ipv4.conf.IFNAME.log_martians\" is not KEY=VALUE; "
                + ACCEPTED, Commands.fail(create(null, SYSCTLS + "=net.ipv4.conf.IFNAME.log_martians")));
        refused("driver option " + SYSCTLS + ": entry \"\" is not KEY=VALUE; " + ACCEPTED,
                Commands.fail(connect(null, SYSCTLS + "=net.ipv4.conf.IFNAME.log_martians=1,")));
        refused("driver option " + SYSCTLS + ": entry \"net.ipv6.conf.IFNAME.accept_ra=\" is not KEY=VALUE; "
                + ACCEPTED, Commands.fail(connect(null, SYSCTLS + "=net.ipv6.conf.IFNAME.accept_ra=")));
        refused("driver option " + SYSCTLS + "=: no entries; " + ACCEPTED, Commands.fail(create(null, SYSCTLS + "=")));
    }

    @Test
    void aDriverOptionWithoutValueIsRefused() {
        refused("--driver-opt " + IFNAME + ": expected KEY=VALUE", Commands.fail(create(null, IFNAME)));
        refused("--driver-opt =x: the key is empty; expected KEY=VALUE", Commands.fail(connect(null, "=x")));
    }
}
